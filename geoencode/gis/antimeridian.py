"""Lon/lat geometries that cross the antimeridian or circle a pole, rewritten as planar ones.

The rule (``antimeridian="auto"``): a ring or line whose consecutive vertices are more than 180°
(and less than 360°) apart in longitude crosses the antimeridian the short way; a ring that, once
unwrapped, goes once around a pole encloses that pole (the one on the side of its mean latitude).
Polygons are then cut at ±180° so every part lies in [-180, 180]. ``antimeridian="planar"``
takes geometries as they are. See :mod:`geoencode.gis.geometry` for all the conventions.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import shapely

from ..errors import GeoEncodeError

__all__ = ["fix_antimeridian", "Antimeridian"]

Antimeridian = Literal["auto", "planar"]


def _as_geom_array(geoms) -> np.ndarray:
    arr = np.asarray(geoms, dtype=object)
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    return arr


def _wrap(lon: np.ndarray) -> np.ndarray:
    return np.where((lon > 180) | (lon < -180), np.remainder(lon + 180.0, 360.0) - 180.0, lon)


def _unwrap(lon: np.ndarray) -> np.ndarray:
    """Shift vertices by multiples of 360° so consecutive longitudes differ by at most 180°.

    Jumps of exactly ±360° are kept: they are deliberate planar edges along a whole parallel.
    """
    d = np.diff(lon)
    jump = (np.abs(d) > 180.0) & (np.abs(d) < 360.0)
    if not jump.any():
        return lon
    k = np.where(jump, -360.0 * np.round(d / 360.0), 0.0)
    return lon + np.concatenate([[0.0], np.cumsum(k)])


# --------------------------------------------------------------------------------------------
# antimeridian


_WORLD = [shapely.box(-180.0 + 360.0 * k, -90.0, 180.0 + 360.0 * k, 90.0) for k in range(-3, 4)]


def _canonical(poly: shapely.Geometry) -> list[shapely.Geometry]:
    """Cut a planar lon/lat polygon at ±180° + 360°k and shift the pieces into [-180, 180]."""
    minx, _, maxx, _ = poly.bounds
    if minx >= -180.0 and maxx <= 180.0:
        return [poly]
    pieces = []
    for k in range(int(np.floor((minx + 180.0) / 360.0)), int(np.floor((maxx + 180.0) / 360.0)) + 1):
        if not -3 <= k <= 3:
            raise GeoEncodeError(f"polygon longitudes span {minx:.1f}..{maxx:.1f}°, beyond ±1260°.")
        piece = shapely.intersection(poly, _WORLD[k + 3])
        if k:
            piece = shapely.transform(piece, lambda c, k=k: c - [360.0 * k, 0.0])
        pieces.extend(p for p in shapely.get_parts(piece) if p.geom_type == "Polygon" and p.area > 0)
    return pieces


def _ring_region(coords: np.ndarray) -> shapely.Geometry:
    """A ring's interior as a planar lon/lat polygon (unwrapped; closed over a pole if it circles one)."""
    lon, lat = _unwrap(coords[:, 0]), coords[:, 1]
    net = lon[-1] - lon[0]
    if abs(net) < 1e-9:
        ring = np.column_stack([lon, lat])
    elif abs(abs(net) - 360.0) < 1e-6:
        pole = -90.0 if lat.mean() < 0 else 90.0
        ring = np.vstack([np.column_stack([lon, lat]), [[lon[-1], pole], [lon[0], pole], [lon[0], lat[0]]]])
    else:
        raise GeoEncodeError(f"a ring winds {net / 360:+.0f} times around the pole; it cannot be a polygon on the sphere.")
    region = shapely.Polygon(ring)
    if not region.is_valid:
        region = shapely.make_valid(region)
    return region


def _fix_polygon(poly: shapely.Geometry) -> list[shapely.Geometry]:
    shell = _ring_region(np.asarray(poly.exterior.coords)[:, :2])
    parts = [p for s in shapely.get_parts(shell) if s.geom_type == "Polygon" for p in _canonical(s)]
    region = shapely.union_all(parts) if len(parts) > 1 else (parts[0] if parts else shapely.Polygon())
    for hole in poly.interiors:
        h = _ring_region(np.asarray(hole.coords)[:, :2])
        hp = [p for s in shapely.get_parts(h) if s.geom_type == "Polygon" for p in _canonical(s)]
        if hp:
            region = shapely.difference(region, shapely.union_all(hp))
    return [p for p in shapely.get_parts(region) if p.geom_type == "Polygon" and not p.is_empty]


def _fix_line(line: shapely.Geometry) -> shapely.Geometry:
    c = np.asarray(line.coords)[:, :2]
    return shapely.LineString(np.column_stack([_unwrap(c[:, 0]), c[:, 1]]))


def _fix_one(g: shapely.Geometry) -> shapely.Geometry:
    t = g.geom_type
    if t == "Polygon":
        return shapely.MultiPolygon(_fix_polygon(g))
    if t == "MultiPolygon":
        return shapely.MultiPolygon([p for part in g.geoms for p in _fix_polygon(part)])
    if t in ("LineString", "LinearRing"):
        return _fix_line(g)
    if t == "MultiLineString":
        return shapely.MultiLineString([_fix_line(p) for p in g.geoms])
    if t == "GeometryCollection":
        return shapely.GeometryCollection([_fix_one(p) for p in g.geoms])
    return g


def fix_antimeridian(geoms) -> np.ndarray:
    """Rewrite lon/lat geometries that cross the antimeridian or circle a pole as planar ones.

    Polygons come back cut at ±180° (every part within [-180, 180]); polygons whose rings circle
    a pole are closed over that pole; lines are unwrapped so that they may run beyond ±180°
    rather than jump across the map. Geometries that need nothing are returned unchanged (the
    same objects). See the module docstring for the rule.

    Parameters
    ----------
    geoms : array-like of shapely geometries
        In EPSG:4326 degrees, ``x = lon``.

    Returns
    -------
    numpy.ndarray of shapely geometries, shape ``(N,)``

    Examples
    --------
    >>> import shapely
    >>> fiji = shapely.Polygon([(177, -18), (-178, -18), (-178, -16), (177, -16)])
    >>> fixed = fix_antimeridian([fiji])[0]
    >>> fixed.geom_type, round(fixed.area, 6)   # two parts, 5° x 2°, not 355° x 2°
    ('MultiPolygon', 10.0)
    """
    arr = _as_geom_array(geoms)
    out = arr.copy()
    valid = ~shapely.is_missing(arr) & ~shapely.is_empty(arr) & (shapely.get_dimensions(arr) >= 1)
    idx = np.flatnonzero(valid)
    if not len(idx):
        return out
    coords, owner = shapely.get_coordinates(arr[idx], return_index=True)
    if not len(coords):
        return out
    same = owner[1:] == owner[:-1]
    d = np.abs(np.diff(coords[:, 0]))
    jump = same & (d > 180.0) & (d < 360.0)
    outside = (coords[:, 0] < -180.0) | (coords[:, 0] > 180.0)
    cand = np.zeros(len(idx), bool)
    cand[owner[1:][jump]] = True
    cand[owner[outside]] = True
    for j in np.flatnonzero(cand):
        out[idx[j]] = _fix_one(arr[idx[j]])
    return out

