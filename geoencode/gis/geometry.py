"""Geometries in lon/lat degrees → the points an encoder sees, with spherical (not planar) maths.

Conventions
-----------
* Input geometries are shapely objects in EPSG:4326 with ``x = longitude``, ``y = latitude``
  (what :func:`geoencode.gis.to_wgs84` returns). Edges are straight lines in lon/lat, the way
  GeoJSON, shapely and GeoPandas draw them; lines are densified to 1° steps before their
  length is measured.
* **Antimeridian** (``antimeridian="auto"``, the default): a ring or line whose consecutive
  vertices are more than 180° (and less than 360°) apart in longitude is taken to cross the
  antimeridian the short way, as producers that do not split at ±180° intend (a polygon with
  vertices at 170° and −170° is the 20°-wide one around Fiji, not the 340°-wide one around the
  globe). Rings that, once unwrapped, go once around a pole enclose that pole (the pole on the
  side of the ring's mean latitude): a ring traced along the Antarctic coast is Antarctica.
  Polygons are then cut at ±180° so every part lies in [-180, 180]. ``antimeridian="planar"``
  takes geometries as they are.
* **Centroid** (``how="centroid"``): the normalised area-weighted mean of the 3-D unit vectors of
  the region, ``c = ∫ x dA / |∫ x dA|`` (for lines: ``∫ x ds``; for multi-points: the mean of the
  unit vectors), computed exactly with Green's theorem on the sphere. It is rotation-equivariant,
  independent of where the antimeridian falls, and lies near the middle of Antarctica rather than
  at a planar lon/lat average.
* **Samples** (``how="aggregate"``): uniform by spherical area inside polygons (rejection sampling
  in each part's lon/``sin(lat)`` box, which is area-uniform) and by length along lines. Random
  numbers come from a counter-based hash of ``(random_state, row key, sample)``, so a row's
  samples do not depend on which chunk, batch or Dask partition it is processed in.

The code lives in :mod:`geoencode.gis.antimeridian`, :mod:`geoencode.gis.spherical` and
:mod:`geoencode.gis.sampling`; this module gathers their public names (its old home).
"""

from __future__ import annotations

import warnings

from geocommon.earth import MEAN_EARTH_RADIUS_KM

from .antimeridian import Antimeridian, fix_antimeridian
from .sampling import sample_points
from .spherical import geodesic_centroid, representative_points, spherical_area

__all__ = [
    "fix_antimeridian",
    "geodesic_centroid",
    "representative_points",
    "sample_points",
    "spherical_area",
    "MEAN_EARTH_RADIUS_KM",
    "Antimeridian",
]


def _deprecated_radius() -> float:
    # EARTH_RADIUS_KM (6371.0088 here) is deprecated: geocommon.earth.EARTH_RADIUS_KM is the
    # reference's 6371.0, so the old name meant two values in one project.
    warnings.warn("geoencode.gis.EARTH_RADIUS_KM is deprecated; use MEAN_EARTH_RADIUS_KM (the same 6371.0088 km, "
                  "from geocommon.earth)", DeprecationWarning, stacklevel=3)  # the caller of __getattr__
    return MEAN_EARTH_RADIUS_KM


def __getattr__(name: str) -> float:
    if name == "EARTH_RADIUS_KM":
        return _deprecated_radius()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
