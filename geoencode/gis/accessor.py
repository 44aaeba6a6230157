"""The ``geo`` accessor: ``gdf.geo.encode("sphereC")`` on GeoSeries, GeoDataFrames and DataFrames.

Registered on :class:`pandas.DataFrame` (so on :class:`geopandas.GeoDataFrame` too) and on
:class:`geopandas.GeoSeries` — never on every :class:`pandas.Series`. Registration refuses to
replace an attribute pandas or geopandas already defines, and a frame with a column called
``geo`` keeps ``df.geo`` meaning that column, exactly as before (use
:func:`geoencode.gis.encode` on such frames).
"""

from __future__ import annotations

import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import GeoEncodeWarning
from .crs import to_wgs84
from .encode import EncoderLike, encode
from .points import _prepare, to_lonlat
from .spherical import spherical_area

__all__ = ["GeoAccessor", "register_accessor", "ACCESSOR_NAME"]

ACCESSOR_NAME = "geo"


class GeoAccessor:
    """Location encoding for the rows of a GeoSeries, GeoDataFrame or lon/lat DataFrame.

    Every method keeps the frame's index; see :func:`geoencode.gis.encode` for the parameters.

    Examples
    --------
    >>> import geopandas as gpd, shapely, geoencode.gis
    >>> gdf = gpd.GeoDataFrame(geometry=[shapely.Point(2.35, 48.85)], index=["paris"], crs=4326)
    >>> gdf.geo.encode("sphereC", frequency_num=4).shape
    (1, 12)
    """

    def __init__(self, obj: pd.DataFrame | gpd.GeoSeries) -> None:
        self._obj = obj

    def encode(self, encoder: EncoderLike, **kwargs: Any):
        """Position-encoding features (encoder name) or embeddings (model) per row.

        Same as :func:`geoencode.gis.encode` with ``data`` = this object.

        Examples
        --------
        >>> import geopandas as gpd, shapely, geoencode, geoencode.gis
        >>> gdf = gpd.GeoDataFrame(geometry=[shapely.Point(2.35, 48.85)], crs=4326)
        >>> model = geoencode.build("sphereC", frequency_num=4, out_dim=8)
        >>> gdf.geo.encode(model, return_type="numpy").shape
        (1, 8)
        """
        return encode(self._obj, encoder, **kwargs)

    def lonlat(self, how: str = "centroid", **kwargs: Any) -> pd.DataFrame:
        """The lon/lat point each row is encoded at (``how="centroid"`` or ``"representative"``).

        Same as :func:`geoencode.gis.to_lonlat`.

        Examples
        --------
        >>> import geopandas as gpd, shapely, geoencode.gis
        >>> g = gpd.GeoSeries([shapely.Point(261845.7, 6250566.7)], crs=3857)
        >>> g.geo.lonlat().round(2).values.tolist()
        [[2.35, 48.86]]
        """
        return to_lonlat(self._obj, how=how, **kwargs)

    def geodesic_centroid(self, **kwargs: Any) -> gpd.GeoSeries:
        """Spherical centroids as a GeoSeries of points in EPSG:4326, index kept.

        Unlike ``GeoSeries.centroid`` (planar, in the data's CRS), this is the centroid on the
        sphere (see :func:`geoencode.gis.geodesic_centroid`).

        Examples
        --------
        >>> import geopandas as gpd, shapely, geoencode.gis
        >>> fiji = gpd.GeoSeries([shapely.box(178, -18, 182, -16)], crs=4326)
        >>> c = fiji.geo.geodesic_centroid().iloc[0]
        >>> round(abs(c.x), 1), round(c.y, 1)
        (180.0, -17.0)
        """
        ll = to_lonlat(self._obj, how="centroid", **kwargs)
        return gpd.GeoSeries(gpd.points_from_xy(ll["lon"], ll["lat"]), index=ll.index, crs=4326)

    def sample_points(self, n_samples: int = 16, *, random_state: int | None = 0, **kwargs: Any) -> gpd.GeoSeries:
        """The points ``how="aggregate"`` encodes: ``n_samples`` per row, uniform by area/length.

        Returns a GeoSeries in EPSG:4326 whose index repeats each row's label ``n_samples``
        times (rows dropped by ``errors="coerce"`` are left out).

        Examples
        --------
        >>> import geopandas as gpd, shapely, geoencode.gis
        >>> g = gpd.GeoSeries([shapely.box(0, 0, 1, 1)], index=["a"], crs=4326)
        >>> s = g.geo.sample_points(5)
        >>> len(s), bool(s.within(g.loc["a"]).all())
        (5, True)
        """
        p = _prepare(self._obj, how="aggregate", n_samples=n_samples, random_state=random_state,
                     assume_crs=kwargs.pop("assume_crs", None), lon=kwargs.pop("lon", None),
                     lat=kwargs.pop("lat", None), errors=kwargs.pop("errors", "raise"),
                     antimeridian=kwargs.pop("antimeridian", "auto"))
        if kwargs:
            raise TypeError(f"unexpected arguments {sorted(kwargs)}")
        pts = p.points if p.points.ndim == 3 else np.repeat(p.points[:, None, :], n_samples, axis=1)
        pts = pts.reshape(-1, 2)
        index = p.index[p.good].repeat(n_samples)
        return gpd.GeoSeries(gpd.points_from_xy(pts[:, 0], pts[:, 1]), index=index, crs=4326)

    def spherical_area(self, **kwargs: Any) -> pd.Series:
        """Area on the sphere in km² (polygons; 0 for points and lines), index kept.

        Examples
        --------
        >>> import geopandas as gpd, shapely, geoencode.gis
        >>> g = gpd.GeoSeries([shapely.box(-180, -90, 180, 90)], crs=4326)
        >>> round(float(g.geo.spherical_area().iloc[0]) / 1e6, 1)    # Earth, million km²
        510.1
        """
        geo = self._obj if isinstance(self._obj, gpd.GeoSeries) else self._obj.geometry
        geo = to_wgs84(geo, assume_crs=kwargs.pop("assume_crs", None))
        return pd.Series(spherical_area(np.asarray(geo.values), **kwargs), index=geo.index.copy(),
                         name="area_km2")


class _AccessorProperty:
    """Descriptor: ``obj.geo`` → :class:`GeoAccessor`, unless ``obj`` has a column called ``geo``."""

    def __init__(self, name: str, accessor: type) -> None:
        self._name = name
        self._accessor = accessor
        self.__doc__ = accessor.__doc__

    def __get__(self, obj, cls=None):
        if obj is None:
            return self._accessor
        if isinstance(obj, pd.DataFrame) and self._name in obj.columns:
            return obj[self._name]  # pandas' column attribute access, as if we were not here
        return self._accessor(obj)


def _owned(cls: type, name: str) -> bool:
    return isinstance(cls.__dict__.get(name), _AccessorProperty)


def register_accessor(cls: type, accessor: type = GeoAccessor, name: str = ACCESSOR_NAME) -> bool:
    """Attach ``accessor`` as ``cls.<name>`` unless ``cls`` already has such an attribute.

    Returns whether it was attached (re-registering our own accessor is a no-op returning True).

    Examples
    --------
    >>> import geopandas as gpd
    >>> register_accessor(gpd.GeoSeries)
    True
    """
    if _owned(cls, name):
        return True
    if hasattr(cls, name) and not any(_owned(base, name) for base in cls.__mro__):
        warnings.warn(
            f"{cls.__module__}.{cls.__name__} already has an attribute {name!r}; geoencode does not replace it. "
            f"Use geoencode.gis.encode(obj, ...) instead of obj.{name}.encode(...).", GeoEncodeWarning, stacklevel=2,
        )
        return False
    setattr(cls, name, _AccessorProperty(name, accessor))
    return True


def _register_pandas() -> None:
    # Check everything first: GeoDataFrame inherits from DataFrame, so both must be free.
    for cls in (pd.DataFrame, gpd.GeoDataFrame, gpd.GeoSeries):
        if hasattr(cls, ACCESSOR_NAME) and not any(_owned(b, ACCESSOR_NAME) for b in cls.__mro__):
            warnings.warn(
                f"{cls.__name__} already has an attribute {ACCESSOR_NAME!r}; the geoencode accessor is not "
                "registered. Use geoencode.gis.encode(obj, ...).", GeoEncodeWarning, stacklevel=3,
            )
            return
    register_accessor(pd.DataFrame)
    register_accessor(gpd.GeoSeries)


_register_pandas()
