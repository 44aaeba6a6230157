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
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import shapely

from ..errors import GeoEncodeError, GeoEncodeWarning

__all__ = [
    "fix_antimeridian",
    "geodesic_centroid",
    "representative_points",
    "sample_points",
    "spherical_area",
    "EARTH_RADIUS_KM",
]

#: Mean Earth radius (IUGG), used by :func:`spherical_area` for km².
EARTH_RADIUS_KM = 6371.0088

Antimeridian = Literal["auto", "planar"]

_RAD = np.pi / 180.0
_GL_T, _GL_W = np.polynomial.legendre.leggauss(16)
_GL_T = (_GL_T + 1.0) / 2.0  # nodes on [0, 1]
_GL_W = _GL_W / 2.0
_LINE_STEP_DEG = 1.0
_POLY_TYPES = (3, 6)  # Polygon, MultiPolygon (shapely.GeometryType)
_LINE_TYPES = (1, 2, 5)  # LineString, LinearRing, MultiLineString


# --------------------------------------------------------------------------------------------
# small helpers


def _as_geom_array(geoms) -> np.ndarray:
    arr = np.asarray(geoms, dtype=object)
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    return arr


def _xyz(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lam, phi = lon * _RAD, lat * _RAD
    c = np.cos(phi)
    return np.stack([c * np.cos(lam), c * np.sin(lam), np.sin(phi)], axis=-1)


def _to_lonlat(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.clip(v[..., 2] / norm, -1.0, 1.0)
    lat = np.arcsin(z) / _RAD
    lon = np.arctan2(v[..., 1], v[..., 0]) / _RAD
    lon = np.where(np.abs(lat) >= 90.0 - 1e-12, 0.0, lon)  # a pole has no longitude
    return np.stack([lon, lat], axis=-1)


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


# --------------------------------------------------------------------------------------------
# polygons: spherical area and ∫ x dA by Green's theorem on each edge


def _ring_integrals(coords: np.ndarray, ring_of: np.ndarray, n_rings: int) -> tuple[np.ndarray, np.ndarray]:
    """Per ring: ∮ −G dλ for G = (sinφ, cosλ·g(φ), sinλ·g(φ), sin²φ/2) and the planar signed area.

    With λ, φ in radians, ∫∫_R f(λ,φ) dλ dφ = ∮_∂R −G dλ where ∂G/∂φ = f (counter-clockwise
    boundary); f = cosφ gives the area and f = cosφ·x(λ,φ) gives ∫ x dA. Edges are straight in
    (λ, φ); the integral along each is a 16-point Gauss-Legendre rule (exact to ~1e-15 here).
    """
    a, b = coords[:-1], coords[1:]
    keep = ring_of[:-1] == ring_of[1:]
    a, b, r = a[keep] * _RAD, b[keep] * _RAD, ring_of[:-1][keep]
    dlam = b[:, 0] - a[:, 0]
    dphi = b[:, 1] - a[:, 1]
    acc = np.zeros((len(a), 4))
    for t, w in zip(_GL_T, _GL_W):
        lam = a[:, 0] + t * dlam
        phi = a[:, 1] + t * dphi
        sphi = np.sin(phi)
        g = phi / 2.0 + np.sin(2.0 * phi) / 4.0
        acc[:, 0] += w * sphi
        acc[:, 1] += w * np.cos(lam) * g
        acc[:, 2] += w * np.sin(lam) * g
        acc[:, 3] += w * sphi * sphi / 2.0
    acc *= -dlam[:, None]
    out = np.zeros((n_rings, 4))
    np.add.at(out, r, acc)
    shoe = a[:, 0] * b[:, 1] - b[:, 0] * a[:, 1]
    planar = np.bincount(r, weights=shoe, minlength=n_rings) / 2.0
    return out, planar


def _polygon_integrals(parts: np.ndarray) -> np.ndarray:
    """Per polygon part: ``[area_sr, ∫x dA, ∫y dA, ∫z dA]`` on the unit sphere, shape (P, 4)."""
    out = np.zeros((len(parts), 4))
    if not len(parts):
        return out
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    if not len(rings):
        return out
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    integ, planar = _ring_integrals(coords, ring_of, len(rings))
    exterior = np.r_[True, ring_part[1:] != ring_part[:-1]]
    sign = np.sign(planar) * np.where(exterior, 1.0, -1.0)
    np.add.at(out, ring_part, integ * sign[:, None])
    return out


def spherical_area(geoms, *, radius: float = EARTH_RADIUS_KM, antimeridian: Antimeridian = "auto") -> np.ndarray:
    """Area of lon/lat polygons on a sphere (km² for the default Earth radius).

    Parameters
    ----------
    geoms : array-like of shapely geometries
        EPSG:4326 degrees, ``x = lon``. Non-polygonal parts count 0.
    radius : float, default 6371.0088
        Sphere radius; the result is in its unit squared.
    antimeridian : {"auto", "planar"}, default "auto"
        How rings crossing ±180° are read (see :func:`fix_antimeridian`).

    Returns
    -------
    numpy.ndarray, shape ``(N,)``

    Examples
    --------
    >>> import shapely
    >>> cap = shapely.box(-180, 60, 180, 90)            # the Arctic cap north of 60°N
    >>> a = spherical_area([cap], radius=1.0)[0]
    >>> bool(abs(a - 2 * np.pi * (1 - np.sin(np.radians(60)))) < 1e-12)
    True
    """
    arr = _as_geom_array(geoms)
    if antimeridian == "auto":
        arr = fix_antimeridian(arr)
    ok = ~shapely.is_missing(arr)
    parts, owner = shapely.get_parts(arr[ok], return_index=True)
    poly = shapely.get_type_id(parts) == 3
    integ = _polygon_integrals(parts[poly])
    area = np.zeros(int(ok.sum()))
    np.add.at(area, owner[poly], integ[:, 0])
    out = np.full(len(arr), np.nan)
    out[ok] = area * radius**2
    return out


# --------------------------------------------------------------------------------------------
# lines: 1° segments as great-circle arcs


def _line_segments(parts: np.ndarray, part_owner: np.ndarray):
    parts = shapely.segmentize(parts, _LINE_STEP_DEG)
    coords, part_of = shapely.get_coordinates(parts, return_index=True)
    keep = part_of[:-1] == part_of[1:]
    a, b = coords[:-1][keep], coords[1:][keep]
    owner = part_owner[part_of[:-1][keep]]
    va, vb = _xyz(a[:, 0], a[:, 1]), _xyz(b[:, 0], b[:, 1])
    theta = np.arctan2(np.linalg.norm(np.cross(va, vb), axis=1), np.einsum("ij,ij->i", va, vb))
    return a, b, owner, theta, va, vb


# --------------------------------------------------------------------------------------------
# rows → parts of the row's highest dimension


def _split(arr: np.ndarray, antimeridian: Antimeridian):
    """Fixed geometries, and for each row its dimension (0, 1, 2); parts with their owner rows."""
    if antimeridian == "auto":
        arr = fix_antimeridian(arr)
    elif antimeridian != "planar":
        raise GeoEncodeError(f"antimeridian must be 'auto' or 'planar', got {antimeridian!r}.")
    parts, owner = shapely.get_parts(arr, return_index=True)
    # GeometryCollections: get_parts yields their members; nested collections go one level deeper.
    nested = shapely.get_type_id(parts) == 7
    while nested.any():
        sub, sub_owner = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        owner = np.concatenate([owner[~nested], owner[nested][sub_owner]])
        order = np.argsort(owner, kind="stable")
        parts, owner = parts[order], owner[order]
        nested = shapely.get_type_id(parts) == 7
    nonempty = ~shapely.is_empty(parts)
    parts, owner = parts[nonempty], owner[nonempty]
    pdim = shapely.get_dimensions(parts)
    rdim = np.full(len(arr), -1)
    np.maximum.at(rdim, owner, pdim)
    top = pdim == rdim[owner]
    return arr, parts[top], owner[top], rdim


def _degenerate_polygons(parts, owner, rdim, n, labels, what: str):
    """Rows whose polygons have no area on the sphere are treated as their outlines (lines).

    Returns the (possibly updated) parts, owners and row dimensions, and the integrals
    ``[area, ∫x dA]`` of the polygon parts (those with ``rdim[owner] == 2``), shape (P2, 4).
    """
    poly = rdim[owner] == 2
    integ = _polygon_integrals(parts[poly])
    area = np.zeros(n)
    np.add.at(area, owner[poly], np.abs(integ[:, 0]))
    flat = (rdim == 2) & (area <= 1e-18)
    if flat.any():
        rows = np.flatnonzero(flat)
        warnings.warn(
            f"{len(rows)} polygon row(s) have zero area (first: {_labels(labels, rows)}); {what} uses their "
            "outline instead. Fix or drop those geometries to silence this.", GeoEncodeWarning, stacklevel=4,
        )
        integ = integ[~flat[owner[poly]]]
        sel = flat[owner]
        sub, sub_owner = shapely.get_parts(shapely.boundary(parts[sel]), return_index=True)
        keep = ~sel
        parts = np.concatenate([parts[keep], sub])
        owner = np.concatenate([owner[keep], owner[sel][sub_owner]])
        order = np.argsort(owner, kind="stable")
        parts, owner = parts[order], owner[order]
        rdim = rdim.copy()
        rdim[flat] = 1
    return parts, owner, rdim, integ


def _labels(labels, rows: np.ndarray, limit: int = 5) -> str:
    if labels is None:
        return str([int(r) for r in rows[:limit]])
    return str([labels[int(r)] for r in rows[:limit]])


def _check_rows(arr: np.ndarray) -> None:
    bad = shapely.is_missing(arr) | shapely.is_empty(arr)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise GeoEncodeError(
            f"missing or empty geometries in rows {rows[:5].tolist()} ({len(rows)} in all); drop them first."
        )


# --------------------------------------------------------------------------------------------
# public: centroid, representative point, samples


def geodesic_centroid(geoms, *, antimeridian: Antimeridian = "auto", labels=None) -> np.ndarray:
    """Spherical centroids of lon/lat geometries: ``normalise(∫ x dA)`` (lines ``∫ x ds``).

    Polygons use their area, lines (and polygons with zero area) their length, points and
    multi-points the mean of their unit vectors; in a geometry collection only the parts of the
    highest dimension count. Where that mean vector vanishes (a polygon covering the whole globe,
    two antipodal points) the centroid is undefined: the row falls back to
    :func:`representative_points` with a :class:`~geoencode.GeoEncodeWarning`.

    Parameters
    ----------
    geoms : array-like of shapely geometries
        EPSG:4326 degrees (``x = lon``), none missing or empty.
    antimeridian : {"auto", "planar"}, default "auto"
        How rings and lines crossing ±180° are read (see :func:`fix_antimeridian`).
    labels : sequence, optional
        Row labels used in warnings (default: positions).

    Returns
    -------
    numpy.ndarray, shape ``(N, 2)``
        ``(lon, lat)`` degrees, longitude in [-180, 180].

    Examples
    --------
    >>> import shapely
    >>> fiji = shapely.Polygon([(178, -18), (-178, -18), (-178, -16), (178, -16)])
    >>> lon, lat = geodesic_centroid([fiji])[0]
    >>> round(abs(float(lon)), 6), round(float(lat), 2)   # on the antimeridian, not at lon 0
    (180.0, -17.0)
    """
    arr = _as_geom_array(geoms)
    _check_rows(arr)
    n = len(arr)
    fixed, parts, owner, rdim = _split(arr, antimeridian)
    parts, owner, rdim, integ = _degenerate_polygons(parts, owner, rdim, n, labels, "its centroid")
    vec = np.zeros((n, 3))
    mass = np.zeros(n)
    kind = rdim[owner]
    # polygons
    sel = kind == 2
    if sel.any():
        np.add.at(vec, owner[sel], integ[:, 1:])
        np.add.at(mass, owner[sel], np.abs(integ[:, 0]))
    # lines
    sel = kind == 1
    if sel.any():
        _, _, seg_owner, theta, va, vb = _line_segments(parts[sel], owner[sel])
        np.add.at(vec, seg_owner, (va + vb) * np.tan(theta / 2.0)[:, None])
        np.add.at(mass, seg_owner, theta)
        # zero-length lines (all vertices coincide): their point
        line_rows = np.unique(owner[sel])
        zero_rows = line_rows[np.linalg.norm(vec[line_rows], axis=1) == 0]
        if len(zero_rows):
            c, o = shapely.get_coordinates(parts[sel], return_index=True)
            row_of = owner[sel][o]
            m = np.isin(row_of, zero_rows)
            np.add.at(vec, row_of[m], _xyz(c[m, 0], c[m, 1]))
    # points
    sel = kind == 0
    if sel.any():
        c = shapely.get_coordinates(parts[sel])
        np.add.at(vec, owner[sel], _xyz(c[:, 0], c[:, 1]))
        np.add.at(mass, owner[sel], 1.0)
    out = _to_lonlat(vec)
    # the mean vector vanishes (relative to the row's mass) → undefined
    undefined = np.linalg.norm(vec, axis=1) <= 1e-9 * mass
    if undefined.any():
        rows = np.flatnonzero(undefined)
        warnings.warn(
            f"the spherical centroid is undefined for {len(rows)} row(s) (first: {_labels(labels, rows)}): "
            "their mass is spread symmetrically over the sphere; using a representative point instead. "
            "Pass how='representative' or how='aggregate' to choose explicitly.", GeoEncodeWarning, stacklevel=2,
        )
        out[rows] = representative_points(fixed[rows], antimeridian="planar")
    out[:, 0] = _wrap(out[:, 0])
    return out


def representative_points(geoms, *, antimeridian: Antimeridian = "auto") -> np.ndarray:
    """A point guaranteed to lie inside each polygon (on each line: its midpoint; one of the points).

    Uses GEOS's point-on-surface on the antimeridian-fixed lon/lat geometry, so it is inside the
    polygon as read on the sphere (a Fiji polygon's point is near Fiji).

    Parameters
    ----------
    geoms : array-like of shapely geometries
        EPSG:4326 degrees (``x = lon``), none missing or empty.
    antimeridian : {"auto", "planar"}, default "auto"
        How rings and lines crossing ±180° are read.

    Returns
    -------
    numpy.ndarray, shape ``(N, 2)``
        ``(lon, lat)`` degrees, longitude in [-180, 180].

    Examples
    --------
    >>> import shapely
    >>> u = shapely.Polygon([(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)])
    >>> lon, lat = representative_points([u])[0]
    >>> bool(u.contains(shapely.Point(lon, lat)))
    True
    """
    arr = _as_geom_array(geoms)
    _check_rows(arr)
    if antimeridian == "auto":
        arr = fix_antimeridian(arr)
    pts = shapely.point_on_surface(arr)
    lines = np.isin(shapely.get_type_id(arr), (1, 2))  # a line: its midpoint by length, not an end
    if lines.any():
        pts[lines] = shapely.line_interpolate_point(arr[lines], 0.5, normalized=True)
    out = np.column_stack([shapely.get_x(pts), shapely.get_y(pts)])
    out[:, 0] = _wrap(out[:, 0])
    return out


# --------------------------------------------------------------------------------------------
# counter-based random numbers: u(seed, key, counters...) in [0, 1)

_M1, _M2, _GOLD = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB), np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x + _GOLD
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
        return x ^ (x >> np.uint64(31))


def _uniform(seed: int, key: np.ndarray, *counters) -> np.ndarray:
    h = _mix(np.asarray(key, dtype=np.uint64) ^ _mix(np.uint64(seed & 0xFFFFFFFFFFFFFFFF)))
    for c in counters:
        h = _mix(h ^ np.asarray(c, dtype=np.uint64))
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def _check_seed(random_state) -> int:
    if random_state is None:
        return int(np.random.SeedSequence().entropy & 0xFFFFFFFFFFFFFFFF)
    if isinstance(random_state, (bool, np.bool_)) or not isinstance(random_state, (int, np.integer)):
        raise GeoEncodeError(f"random_state must be an int or None, got {random_state!r}.")
    return int(random_state)


def _pick(cum: np.ndarray, start: np.ndarray, stop: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index in ``[start, stop)`` drawn ∝ weights whose global cumulative sum is ``cum``."""
    lo = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
    hi = cum[stop - 1]
    idx = np.searchsorted(cum, lo + u * (hi - lo), side="right")
    return np.clip(idx, start, stop - 1)


def sample_points(
    geoms,
    n_samples: int = 16,
    *,
    random_state: int | None = 0,
    keys: np.ndarray | None = None,
    antimeridian: Antimeridian = "auto",
    labels=None,
) -> np.ndarray:
    """``n_samples`` points per geometry, uniform by spherical area (lines: by length).

    Parameters
    ----------
    geoms : array-like of shapely geometries
        EPSG:4326 degrees (``x = lon``), none missing or empty.
    n_samples : int, default 16
        Points per geometry. Points give ``n_samples`` copies of themselves; multi-points draw
        their members uniformly.
    random_state : int or None, default 0
        Seed; ``None`` draws a fresh one.
    keys : numpy.ndarray of uint64, optional
        One key per row (default: the row positions). A row's samples depend only on
        ``(random_state, key)``: :meth:`GeoAccessor.encode` passes hashes of the index labels so
        results do not depend on chunking or partitioning.
    antimeridian : {"auto", "planar"}, default "auto"
        How rings and lines crossing ±180° are read (see :func:`fix_antimeridian`).
    labels : sequence, optional
        Row labels used in messages.

    Returns
    -------
    numpy.ndarray, shape ``(N, n_samples, 2)``
        ``(lon, lat)`` degrees, longitude in [-180, 180].

    Examples
    --------
    >>> import shapely
    >>> cap = shapely.box(-180, 80, 180, 90)
    >>> pts = sample_points([cap], 1000, random_state=0)
    >>> pts.shape, bool((pts[..., 1] >= 80).all())
    ((1, 1000, 2), True)
    """
    arr = _as_geom_array(geoms)
    _check_rows(arr)
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise GeoEncodeError(f"n_samples must be a positive integer, got {n_samples!r}.")
    seed = _check_seed(random_state)
    n = len(arr)
    keys = np.arange(n, dtype=np.uint64) if keys is None else np.asarray(keys, dtype=np.uint64)
    if keys.shape != (n,):
        raise GeoEncodeError(f"keys must have one entry per geometry ({n}), got shape {keys.shape}.")
    _, parts, owner, rdim = _split(arr, antimeridian)
    parts, owner, rdim, integ = _degenerate_polygons(parts, owner, rdim, n, labels, "sampling")
    out = np.full((n, n_samples, 2), np.nan)
    kind = rdim[owner]
    j = np.arange(n_samples, dtype=np.uint64)
    for dim, fn in ((2, _sample_polygons), (1, _sample_lines), (0, _sample_multipoints)):
        sel = kind == dim
        if sel.any():
            rows = np.unique(owner[sel])
            fn(parts[sel], owner[sel], rows, keys, seed, j, out, labels, integ)
    out[..., 0] = _wrap(out[..., 0])
    return out


def _groups(owner: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    start = np.searchsorted(owner, rows, side="left")
    stop = np.searchsorted(owner, rows, side="right")
    return start, stop


def _sample_multipoints(parts, owner, rows, keys, seed, j, out, labels, integ) -> None:
    c = shapely.get_coordinates(parts)  # one coordinate per point part
    start, stop = _groups(owner, rows)
    u = _uniform(seed, keys[rows][:, None], j[None, :], 1)
    idx = np.minimum(start[:, None] + (u * (stop - start)[:, None]).astype(np.int64), stop[:, None] - 1)
    out[rows] = c[idx]


def _sample_lines(parts, owner, rows, keys, seed, j, out, labels, integ) -> None:
    a, b, seg_owner, theta, _, _ = _line_segments(parts, owner)
    start, stop = _groups(seg_owner, rows)
    cum = np.cumsum(theta)
    u = _uniform(seed, keys[rows][:, None], j[None, :], 2)
    seg = _pick(cum, start[:, None], stop[:, None], u)
    t = _uniform(seed, keys[rows][:, None], j[None, :], 3)[..., None]
    out[rows] = a[seg] + t * (b[seg] - a[seg])


def _sample_polygons(parts, owner, rows, keys, seed, j, out, labels, integ, max_rounds: int = 200) -> None:
    area = np.abs(integ[:, 0])
    start, stop = _groups(owner, rows)
    cum = np.cumsum(area)
    u = _uniform(seed, keys[rows][:, None], j[None, :], 4)
    part = _pick(cum, start[:, None], stop[:, None], u).reshape(-1)
    srow = np.repeat(rows, len(j))
    sj = np.tile(j, len(rows))
    bounds = shapely.bounds(parts)
    minx, maxx = bounds[:, 0], bounds[:, 2]
    s0, s1 = np.sin(bounds[:, 1] * _RAD), np.sin(bounds[:, 3] * _RAD)
    box_area = (maxx - minx) * _RAD * (s1 - s0)
    with np.errstate(divide="ignore", invalid="ignore"):
        accept = np.clip(area / box_area, 1e-6, 1.0)
    shapely.prepare(parts)
    pending = np.arange(len(part))
    result = np.full((len(part), 2), np.nan)
    for r in range(max_rounds):
        if not len(pending):
            break
        p = part[pending]
        # enough candidates per pending sample to hit ~3 times on average, within ~4M candidates
        cap = max(1, min(1 << 16, (1 << 22) // max(len(pending), 1)))
        m = np.clip(np.ceil(3.0 / accept[p]), 1, cap).astype(np.int64)
        mmax = int(m.max())
        c = np.arange(mmax, dtype=np.uint64)
        k = keys[srow[pending]][:, None]
        base = (np.uint64(r) << np.uint64(20)) + c[None, :]
        u1 = _uniform(seed, k, sj[pending][:, None], 5, base)
        u2 = _uniform(seed, k, sj[pending][:, None], 6, base)
        lon = minx[p][:, None] + u1 * (maxx - minx)[p][:, None]
        lat = np.arcsin(np.clip(s0[p][:, None] + u2 * (s1 - s0)[p][:, None], -1.0, 1.0)) / _RAD
        inside = shapely.contains_xy(parts[p][:, None], lon, lat) & (c[None, :] < m[:, None].astype(np.uint64))
        hit = inside.any(axis=1)
        first = inside.argmax(axis=1)
        got = pending[hit]
        result[got, 0] = lon[hit, first[hit]]
        result[got, 1] = lat[hit, first[hit]]
        pending = pending[~hit]
    shapely.destroy_prepared(parts)
    if len(pending):
        bad = np.unique(srow[pending])
        raise GeoEncodeError(
            f"could not draw points inside the polygons of rows {_labels(labels, bad)} ({len(bad)} in all) "
            f"after {max_rounds} rounds: they are too thin for their bounding boxes; use how='centroid' or "
            "how='representative' for them."
        )
    out[rows] = result.reshape(len(rows), len(j), 2)
