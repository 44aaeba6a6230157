"""Any CRS → EPSG:4326 longitude/latitude, the only coordinates an encoder accepts.

GeoPandas keeps ``x = longitude`` for geographic CRSs whatever their authority axis order, and
:meth:`geopandas.GeoSeries.to_crs` transforms with ``always_xy=True``, so axis order never leaks
through. Other datums (NAD83, ETRS89, OSGB36 …) are transformed by PROJ, not relabelled.
"""

from __future__ import annotations

import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from ..errors import GeoEncodeError, GeoEncodeWarning

__all__ = ["WGS84", "to_wgs84", "transform_lonlat", "is_wgs84"]

#: The target CRS: WGS 84 longitude/latitude in degrees.
WGS84 = pyproj.CRS.from_epsg(4326)


def is_wgs84(crs: Any) -> bool:
    """Whether ``crs`` is WGS 84 lon/lat (EPSG:4326 or OGC:CRS84; axis order ignored).

    Examples
    --------
    >>> is_wgs84("OGC:CRS84"), is_wgs84(3857)
    (True, False)
    """
    return pyproj.CRS.from_user_input(crs).equals(WGS84, ignore_axis_order=True)


def _resolve_crs(crs: Any, assume_crs: Any, what: str) -> pyproj.CRS:
    if crs is not None:
        return pyproj.CRS.from_user_input(crs)
    if assume_crs is None:
        raise GeoEncodeError(
            f"{what} has no CRS, so its coordinates cannot be turned into longitude/latitude. Set one "
            "with `gdf = gdf.set_crs('EPSG:XXXX')` (the CRS the coordinates are in), or pass "
            "assume_crs='EPSG:4326' if they already are lon/lat degrees."
        )
    try:
        return pyproj.CRS.from_user_input(assume_crs)
    except pyproj.exceptions.CRSError as exc:
        raise GeoEncodeError(f"assume_crs={assume_crs!r} is not a CRS pyproj knows: {exc}") from None


def to_wgs84(geoseries: gpd.GeoSeries, *, assume_crs: Any = None, warn_z: bool = True) -> gpd.GeoSeries:
    """``geoseries`` in EPSG:4326 (``x = lon``), 2-D, with the same index.

    Parameters
    ----------
    geoseries : geopandas.GeoSeries
        Geometries in any CRS pyproj knows.
    assume_crs : CRS-like, optional
        Used only when ``geoseries.crs`` is ``None``; without it such data is refused.
    warn_z : bool, default True
        Emit a :class:`~geoencode.GeoEncodeWarning` when Z (or M) coordinates are dropped.

    Returns
    -------
    geopandas.GeoSeries
        With ``crs == EPSG:4326``; a geometry PROJ cannot transform gets infinite coordinates.

    Raises
    ------
    GeoEncodeError
        If the data has no CRS and ``assume_crs`` is not given.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> s = gpd.GeoSeries([shapely.Point(261845.7, 6250566.7)], crs=3857)   # Paris, Web Mercator
    >>> p = to_wgs84(s).iloc[0]
    >>> round(p.x, 4), round(p.y, 4)
    (2.3522, 48.8566)
    """
    if not isinstance(geoseries, gpd.GeoSeries):
        raise GeoEncodeError(f"expected a GeoSeries, got {type(geoseries).__name__}.")
    crs = _resolve_crs(geoseries.crs, assume_crs, "the geometry")
    values = geoseries.values
    if shapely.has_z(np.asarray(values)).any() or _has_m(np.asarray(values)):
        if warn_z:
            warnings.warn(
                "the geometries have Z (or M) coordinates; they are dropped: encoders take 2-D "
                "lon/lat only. Use gdf.force_2d() first to silence this.", GeoEncodeWarning, stacklevel=3,
            )
        geoseries = gpd.GeoSeries(shapely.force_2d(np.asarray(values)), index=geoseries.index, crs=crs)
    elif geoseries.crs is None:
        geoseries = geoseries.set_crs(crs)
    if is_wgs84(crs):
        return geoseries if geoseries.crs is not None and geoseries.crs.equals(WGS84) else geoseries.set_crs(WGS84, allow_override=True)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return geoseries.to_crs(WGS84)


def _has_m(values: np.ndarray) -> bool:
    has_m = getattr(shapely, "has_m", None)
    return bool(has_m(values).any()) if has_m is not None else False


def transform_lonlat(x: np.ndarray, y: np.ndarray, crs: Any) -> tuple[np.ndarray, np.ndarray]:
    """Transform coordinate arrays from ``crs`` to EPSG:4326 lon/lat (``always_xy=True``).

    Parameters
    ----------
    x, y : numpy.ndarray
        Easting/northing (or lon/lat for a geographic ``crs``) in the CRS's units.
    crs : CRS-like
        Anything :meth:`pyproj.CRS.from_user_input` accepts.

    Returns
    -------
    lon, lat : numpy.ndarray
        Degrees; points PROJ cannot transform are ``inf``.

    Examples
    --------
    >>> lon, lat = transform_lonlat(np.array([448251.8]), np.array([5411932.7]), "EPSG:32631")
    >>> round(float(lon[0]), 3), round(float(lat[0]), 3)
    (2.295, 48.858)
    """
    crs = pyproj.CRS.from_user_input(crs)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if is_wgs84(crs):
        return x, y
    tr = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)
    with np.errstate(all="ignore"):
        lon, lat = tr.transform(x, y, errcheck=False)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
