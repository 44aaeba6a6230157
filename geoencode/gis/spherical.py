"""Spherical (not planar) measures of lon/lat geometries: area, centroid, a point inside.

Polygon integrals use Green's theorem on each edge (edges straight in lon/lat, as GeoJSON and
shapely draw them); lines are densified to 1° steps and measured as great-circle arcs. The
centroid is the normalised area-weighted mean of the 3-D unit vectors, ``c = ∫ x dA / |∫ x dA|``.
"""

from __future__ import annotations

import warnings

import numpy as np
import shapely
from geocommon.earth import MEAN_EARTH_RADIUS_KM

from ..errors import GeoEncodeError, GeoEncodeWarning
from .antimeridian import Antimeridian, _as_geom_array, _wrap, fix_antimeridian

__all__ = ["geodesic_centroid", "representative_points", "spherical_area"]

_RAD = np.pi / 180.0
_GL_T, _GL_W = np.polynomial.legendre.leggauss(16)
_GL_T = (_GL_T + 1.0) / 2.0  # nodes on [0, 1]
_GL_W = _GL_W / 2.0
_LINE_STEP_DEG = 1.0


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


def spherical_area(geoms, *, radius: float = MEAN_EARTH_RADIUS_KM, antimeridian: Antimeridian = "auto") -> np.ndarray:
    """Area of lon/lat polygons on a sphere (km² for the default Earth radius).

    Parameters
    ----------
    geoms : array-like of shapely geometries
        EPSG:4326 degrees, ``x = lon``. Non-polygonal parts count 0.
    radius : float, default 6371.0088
        Sphere radius (default the IUGG mean Earth radius, :data:`geocommon.earth.MEAN_EARTH_RADIUS_KM`); the
        result is in its unit squared.
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
        The point of each geometry as ``(lon, lat)`` degrees, longitude in [-180, 180].

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

