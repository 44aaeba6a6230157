"""Any CRS → EPSG:4326 longitude/latitude, the only coordinates an encoder accepts.

The reprojection itself is :mod:`geocommon.crs`, shared with geobias (``always_xy``: axis order
never leaks through; other datums are transformed by PROJ, not relabelled). This module gives it
geoencode's error and warning classes and the ``assume_crs=`` fix of geoencode's interface.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pyproj

from geocommon import crs as _common
from geocommon.crs import WGS84, is_wgs84, transform_lonlat

from ..errors import GeoEncodeError, GeoEncodeWarning

__all__ = ["WGS84", "to_wgs84", "transform_lonlat", "is_wgs84"]

_ASSUME_HINT = ", or pass assume_crs='EPSG:4326' if they already are lon/lat degrees"


def _resolve_crs(crs: Any, assume_crs: Any, what: str) -> pyproj.CRS:
    return _common.resolve_crs(crs, assume_crs, what=what or "the data", error=GeoEncodeError, hint=_ASSUME_HINT)


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
    return _common.to_wgs84(geoseries, assume_crs=assume_crs, what="the geometry", error=GeoEncodeError,
                            warning=GeoEncodeWarning, warn_z=warn_z, hint=_ASSUME_HINT)
