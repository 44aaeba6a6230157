"""Points drawn uniformly by spherical area inside polygons and by length along lines.

Polygons: rejection sampling in each part's lon/``sin(lat)`` box, which is area-uniform. Random
numbers come from a counter-based hash of ``(random_state, row key, sample)``, so a row's samples
do not depend on which chunk, batch or Dask partition it is processed in.
"""

from __future__ import annotations

import numbers

import numpy as np
import shapely
from geocommon.checks import check_scalar

from ..errors import GeoEncodeError
from .antimeridian import Antimeridian, _as_geom_array, _wrap
from .spherical import _RAD, _check_rows, _degenerate_polygons, _labels, _line_segments, _split

__all__ = ["sample_points"]


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
    check_scalar(random_state, "random_state", numbers.Integral, error=GeoEncodeError)
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
    check_scalar(n_samples, "n_samples", numbers.Integral, min_val=1, error=GeoEncodeError)
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
