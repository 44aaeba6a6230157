"""The bundled low-resolution world basemap (Natural Earth 1:110m countries, public domain).

Used as the background of offline web maps (instead of a tile server) and of
static figures. Nothing is downloaded: the GeoJSON ships in
``geobias/maps/assets`` (see its ``README.txt`` for provenance).
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np

__all__ = ["basemap_path", "world_basemap", "padded_extent"]


def basemap_path() -> Path:
    """Path of the bundled GeoJSON (177 country polygons, CRS84, ~160 kB).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> basemap_path().name
    'naturalearth_110m.geojson'
    """
    return Path(str(resources.files("geobias.maps.assets") / "naturalearth_110m.geojson"))


@functools.lru_cache(maxsize=1)
def _world() -> gpd.GeoDataFrame:
    return gpd.read_file(basemap_path())


def world_basemap(bounds: tuple[float, float, float, float] | None = None) -> gpd.GeoDataFrame:
    """Country outlines (EPSG:4326) with ``name``, ``iso_a3``, ``continent`` columns.

    Parameters
    ----------
    bounds : tuple of float, optional
        ``(min_lon, min_lat, max_lon, max_lat)``: only countries intersecting
        this box (a regional basemap). Default: the whole world.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy; modify freely.

    Examples
    --------
    >>> world = world_basemap()
    >>> len(world), world.crs.to_epsg()
    (177, 4326)
    >>> "France" in world_basemap((0, 45, 5, 48))["name"].tolist()
    True
    """
    world = _world()
    if bounds is not None:
        world = world.cx[bounds[0]:bounds[2], bounds[1]:bounds[3]]
    return world.copy()


def padded_extent(
    lonlat: np.ndarray, pad: float = 0.1, min_span: float = 10.0
) -> tuple[float, float, float, float]:
    """A lon/lat box around points, padded by ``pad`` of its span (at least ``min_span`` degrees).

    Parameters
    ----------
    lonlat : numpy.ndarray
        ``(N, 2)`` longitudes/latitudes in degrees.
    pad : float, default 0.1
        Fraction of the span added on each side.
    min_span : float, default 10.0
        Smallest width/height of the box in degrees.

    Returns
    -------
    tuple of float
        ``(min_lon, min_lat, max_lon, max_lat)``, clipped to the globe.

    Examples
    --------
    >>> padded_extent(np.array([[0.0, 40.0], [20.0, 50.0]]))
    (-2.0, 39.0, 22.0, 51.0)
    """
    lonlat = np.asarray(lonlat, dtype=float)
    lo, hi = lonlat.min(axis=0), lonlat.max(axis=0)
    span = np.maximum(hi - lo, min_span)
    centre = (lo + hi) / 2
    half = span * (0.5 + pad)
    half = np.where(hi - lo >= min_span, (hi - lo) / 2 + (hi - lo) * pad, half)
    box = (
        max(-180.0, float(centre[0] - half[0])),
        max(-90.0, float(centre[1] - half[1])),
        min(180.0, float(centre[0] + half[0])),
        min(90.0, float(centre[1] + half[1])),
    )
    return tuple(round(v, 6) for v in box)  # type: ignore[return-value]
