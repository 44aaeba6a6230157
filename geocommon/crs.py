"""Any CRS → EPSG:4326 longitude/latitude (``x = longitude``), for both packages.

GeoPandas keeps ``x = longitude`` for geographic CRSs whatever their authority axis order, and
:meth:`geopandas.GeoSeries.to_crs` transforms with ``always_xy=True``, so axis order never leaks
through. Other datums (NAD83, ETRS89, OSGB36 …) are transformed by PROJ, not relabelled; data
already in WGS 84 (EPSG:4326 or OGC:CRS84) is only relabelled, never recomputed.
"""

from __future__ import annotations

import warnings
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pyproj
import shapely

__all__ = ["WGS84", "is_wgs84", "resolve_crs", "to_wgs84", "transform_lonlat"]

#: The target CRS: WGS 84 longitude/latitude in degrees.
WGS84 = pyproj.CRS.from_epsg(4326)

Geo = TypeVar("Geo", gpd.GeoSeries, gpd.GeoDataFrame)

_NO_CRS = ("{what} has no CRS, so its coordinates cannot be placed on the globe. Set one with "
           "`gdf = gdf.set_crs('EPSG:XXXX')` (the CRS the coordinates are in; EPSG:4326 for lon/lat degrees)")


def is_wgs84(crs: Any) -> bool:
    """Whether ``crs`` is WGS 84 lon/lat (EPSG:4326 or OGC:CRS84; axis order ignored).

    Examples
    --------
    >>> is_wgs84("OGC:CRS84"), is_wgs84(3857)
    (True, False)
    """
    return pyproj.CRS.from_user_input(crs).equals(WGS84, ignore_axis_order=True)


def resolve_crs(crs: Any, assume_crs: Any = None, *, what: str = "the data",
                error: type[Exception] = ValueError, hint: str = "") -> pyproj.CRS:
    """``crs`` as a :class:`pyproj.CRS`, else ``assume_crs``; no CRS at all raises ``error``.

    Parameters
    ----------
    crs : CRS-like or None
        The data's own CRS.
    assume_crs : CRS-like, optional
        Used only when ``crs`` is ``None``.
    what : str, default "the data"
        How the message names the data.
    error : exception class, default ValueError
        The caller's error class.
    hint : str, default ""
        Appended to the message (e.g. ", or pass assume_crs='EPSG:4326' …").

    Examples
    --------
    >>> resolve_crs(None, "EPSG:3857").to_epsg()
    3857
    >>> resolve_crs(None)
    Traceback (most recent call last):
    ...
    ValueError: the data has no CRS, so its coordinates cannot be placed on the globe. ...
    """
    if crs is not None:
        return pyproj.CRS.from_user_input(crs)
    if assume_crs is None:
        raise error(_NO_CRS.format(what=what) + hint + ".")
    try:
        return pyproj.CRS.from_user_input(assume_crs)
    except pyproj.exceptions.CRSError as exc:
        raise error(f"assume_crs={assume_crs!r} is not a CRS pyproj knows: {exc}") from None


def _has_m(values: np.ndarray) -> bool:
    has_m = getattr(shapely, "has_m", None)  # shapely >= 2.1
    return bool(has_m(values).any()) if has_m is not None else False


def to_wgs84(data: Geo, *, assume_crs: Any = None, what: str = "the data", error: type[Exception] = ValueError,
             warning: type[Warning] = UserWarning, warn_z: bool = True, hint: str = "") -> Geo:
    """``data`` in EPSG:4326 (``x = lon``), 2-D, with the same index (and columns).

    Parameters
    ----------
    data : geopandas.GeoSeries or geopandas.GeoDataFrame
        Geometries in any CRS pyproj knows.
    assume_crs : CRS-like, optional
        Used only when ``data.crs`` is ``None``; without it such data raises ``error``.
    what : str, default "the data"
        How messages name the data.
    error : exception class, default ValueError
        Raised for data without a CRS (the caller's error class).
    warning : warning class, default UserWarning
        Emitted when Z (or M) coordinates are dropped (the caller's warning class).
    warn_z : bool, default True
        Warn when Z (or M) coordinates are dropped.
    hint : str, default ""
        Appended to the no-CRS message.

    Returns
    -------
    geopandas.GeoSeries or geopandas.GeoDataFrame
        With ``crs == EPSG:4326``; a geometry PROJ cannot transform gets infinite coordinates.
        Data already in EPSG:4326 is returned as it is (not copied).

    Examples
    --------
    >>> s = gpd.GeoSeries([shapely.Point(261845.7, 6250566.7)], crs=3857)   # Paris, Web Mercator
    >>> p = to_wgs84(s).iloc[0]
    >>> round(p.x, 4), round(p.y, 4)
    (2.3522, 48.8566)
    """
    if not isinstance(data, (gpd.GeoSeries, gpd.GeoDataFrame)):
        raise error(f"expected a GeoSeries or GeoDataFrame, got {type(data).__name__}.")
    crs = resolve_crs(data.crs, assume_crs, what=what, error=error, hint=hint)
    geoms = np.asarray(data.geometry.values)
    if shapely.has_z(geoms).any() or _has_m(geoms):
        if warn_z:
            warnings.warn(f"{what} has Z (or M) coordinates; they are dropped: only 2-D lon/lat is used. "
                          "Use gdf.force_2d() first to silence this.", warning, stacklevel=3)
        flat = gpd.GeoSeries(shapely.force_2d(geoms), index=data.index, crs=crs, name=data.geometry.name)
        data = flat if isinstance(data, gpd.GeoSeries) else data.set_geometry(flat)
    if data.crs is None:
        data = data.set_crs(crs)
    if is_wgs84(crs):
        return data if data.crs.equals(WGS84) else data.set_crs(WGS84, allow_override=True)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # PROJ's inf for untransformable points
        return data.to_crs(WGS84)


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
