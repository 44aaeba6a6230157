"""Neighbourhoods and kNN weights for the Geo-Bias Score, built once per point set.

The Spatial Self-Information (SSI) of a centre is a statistic of the values on its neighbourhood
``P`` (the samples within a great-circle radius, among its ``max_neighbors`` nearest) and, for
the Geo-Bias Score, a ring of background points ``B`` (value 0) around it. Its kNN weights over
``U = P ∪ B`` depend on the coordinates alone, so a training set's are built here once, before
the first step, and only the values change during training.

Because every background value is 0, Moran's numerator needs only four pieces of the weights
(with ``z = x - mean(x)`` and ``z_B = -mean(x)``)::

    I = z_P' W_PP z_P  -  mean(x) * (r + c)' z_P  +  mean(x)**2 * s

``r_i`` (weight from presence point ``i`` into ``B``), ``c_j`` (weight from ``B`` into ``j``) and
``s`` (weight within ``B``) are precomputed. The weights follow ``geobias``'s default
``ties="split"`` rule (:mod:`geocommon.knn_ties`), on the same ring grid (:mod:`geocommon.rings`),
so the scores equal ``geobias``'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.neighbors import BallTree

from geocommon.knn_ties import split_weights, tie_tolerance
from geocommon.rings import auto_density, ring_grid
from geocommon.sphere import to_pole, unit_vectors

from ..errors import GeoEncodeError

__all__ = ["to_radians", "neighbourhood_lists", "WeightGroup", "weight_groups"]


def to_radians(lonlat_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(lat, lon)`` in radians of ``(N, 2)`` lon/lat degrees, as the reference converts them.

    Examples
    --------
    >>> lat, lon = to_radians(np.array([[180.0, 90.0]]))
    >>> round(float(lat[0]), 6), round(float(lon[0]), 6)
    (1.570796, 3.141593)
    """
    a = np.asarray(lonlat_deg, dtype=np.float64)
    return a[:, 1] / 180 * np.pi, a[:, 0] / 180 * np.pi


def neighbourhood_lists(lat: np.ndarray, lon: np.ndarray, radius: float, max_neighbors: int | None = 100,
                        centres: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR lists of each centre's neighbourhood: the samples within ``radius`` (itself included).

    Built on one haversine ball tree. With ``max_neighbors``, only the centre's nearest that many are
    eligible; samples tied with the last of them are kept too (``geobias``'s ``ties="split"``), and
    the radius is inclusive within the tie tolerance. Lists are ordered by (distance, position).

    Parameters
    ----------
    lat, lon : numpy.ndarray
        ``(N,)`` radians.
    radius : float
        Radians.
    max_neighbors : int or None, default 100
        The cap (PyGBS: 100 for the score, GeoBS's loss partitioner: 400).
    centres : numpy.ndarray, optional
        Positions of the centres (default: all samples).

    Returns
    -------
    indptr, indices, dist : numpy.ndarray
        ``indices[indptr[c]:indptr[c + 1]]`` are centre ``c``'s neighbours; ``dist`` their distances.

    Examples
    --------
    >>> lat, lon = to_radians(np.array([[0.0, 0.0], [0.5, 0.0], [5.0, 0.0]]))
    >>> indptr, indices, _ = neighbourhood_lists(lat, lon, 1 / 180 * np.pi)
    >>> indices[indptr[0]:indptr[1]].tolist(), indices[indptr[2]:indptr[3]].tolist()
    ([0, 1], [2])
    """
    n = lat.size
    centres = np.arange(n) if centres is None else np.asarray(centres, dtype=np.int64)
    tree = BallTree(np.c_[lat, lon], metric="haversine")
    reach = radius + float(tie_tolerance(radius))
    q = np.c_[lat[centres], lon[centres]]
    if max_neighbors is None or max_neighbors >= n:
        idx, dist = tree.query_radius(q, reach, return_distance=True)
    else:
        d, i = tree.query(q, k=min(n, max_neighbors + 8))
        idx, dist = list(i), list(d)
        # every sample tied with the cap's last one is in: widen the query of rows whose widest
        # hit is still tied, only those
        k = max_neighbors + 8
        todo = np.flatnonzero(_tied(d, max_neighbors)[:, -1]) if k < n else np.zeros(0, np.int64)
        while todo.size:
            k = min(n, 2 * k)
            d2, i2 = tree.query(q[todo], k=k)
            for r, row in enumerate(todo):
                idx[row], dist[row] = i2[r], d2[r]
            todo = todo[_tied(d2, max_neighbors)[:, -1]] if k < n else todo[:0]
        for r in range(len(idx)):
            keep = _tied(dist[r][None, :], max_neighbors)[0] & (dist[r] <= reach)
            idx[r], dist[r] = idx[r][keep], dist[r][keep]
    counts = np.fromiter((len(x) for x in idx), dtype=np.int64, count=len(idx))
    indptr = np.r_[0, np.cumsum(counts)]
    indices = np.concatenate(idx).astype(np.int64) if len(idx) else np.zeros(0, np.int64)
    dists = np.concatenate(dist) if len(dist) else np.zeros(0)
    # (distance, position) order within each list
    row = np.repeat(np.arange(len(idx)), counts)
    order = np.lexsort((indices, dists, row))
    return indptr, indices[order], dists[order]


def _tied(d: np.ndarray, cap: int) -> np.ndarray:
    """Entries of sorted distance rows up to the ``cap``-th one, plus those tied with it."""
    last = d[:, cap - 1 : cap]
    return d <= last + tie_tolerance(last)


@dataclass
class WeightGroup:
    """The kNN-weight pieces of ``G`` centres that all have ``n`` presence and ``m`` ring points.

    Attributes
    ----------
    centres : numpy.ndarray
        ``(G,)`` positions of the centres in the point set.
    members : numpy.ndarray
        ``(G, n)`` positions of each centre's presence points.
    cols, w_pp : numpy.ndarray
        ``(G, n, K)``: the weights among presence points as row lists, columns and weights (a
        kNN row has about ``k`` non-zeros; padding has weight 0).
    w_pb : numpy.ndarray
        ``(G, n)``: ``r + c``, the weight between each presence point and the background.
    w_bb : numpy.ndarray
        ``(G,)``: the weight within the background.
    m : int
        Background points per centre (0 without background).
    """

    centres: np.ndarray
    members: np.ndarray
    cols: np.ndarray
    w_pp: np.ndarray
    w_pb: np.ndarray
    w_bb: np.ndarray
    m: int

    @property
    def n(self) -> int:
        return self.members.shape[1]


def _angles(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle angles between unit vectors ``(..., a, 3)`` and ``(..., b, 3)``: ``(..., a, b)``.

    From chords, one batched matrix product.

    ``|a - b|^2 = 2 - 2 a.b`` loses about 1e-16 absolute, i.e. 1e-11 relative for a 20 km chord:
    two orders below the tie tolerance (1e-9), so ties are found as with haversine.
    """
    chord2 = np.clip(2.0 - 2.0 * (a @ np.swapaxes(b, -1, -2)), 0.0, 4.0)
    return 2 * np.arcsin(np.sqrt(chord2) / 2)


def weight_groups(lat: np.ndarray, lon: np.ndarray, indptr: np.ndarray, indices: np.ndarray,
                  centres: np.ndarray | None = None, radius: float | None = None, k: int = 4,
                  background: bool = True, density_factor: float = 5.0,
                  max_entries: int = 4_000_000) -> list[WeightGroup]:
    """kNN weights (ties split) over each centre's presence ∪ ring points, grouped by size.

    Parameters
    ----------
    lat, lon : numpy.ndarray
        ``(N,)`` radians.
    indptr, indices : numpy.ndarray
        Neighbourhood lists (:func:`neighbourhood_lists`).
    centres : numpy.ndarray, optional
        Position of each list's centre (default ``arange``); used to rotate the rings.
    radius : float, optional
        Ring radius in radians (needed with ``background``).
    k : int, default 4
        Neighbours of the weights.
    background : bool, default True
        Add ``geobias``'s ring grid (density ``ceil(factor * n / (pi r^2))``); ``False``: weights
        over the neighbourhood alone, as GeoBS's SSI loss builds them.
    density_factor : float, default 5.0
        Background points per presence point.
    max_entries : int, default 4_000_000
        Bound on the distance entries held at once (memory).

    Returns
    -------
    list of WeightGroup
        One per neighbourhood size; a size whose ``U`` has ``k`` or fewer points is left out.

    Examples
    --------
    >>> lat, lon = to_radians(np.random.default_rng(0).uniform(-1, 1, (60, 2)))
    >>> indptr, indices, _ = neighbourhood_lists(lat, lon, 0.01)
    >>> groups = weight_groups(lat, lon, indptr, indices, radius=0.01)
    >>> g = groups[-1]
    >>> g.w_pp.shape == g.cols.shape, g.m > 4 * g.n
    (True, True)
    """
    if background and radius is None:
        raise GeoEncodeError("weight_groups(background=True) needs the ring radius (radius=...).")
    sizes = np.diff(indptr)
    centres = np.arange(sizes.size) if centres is None else np.asarray(centres)
    groups = []
    for n in np.unique(sizes):
        n = int(n)
        if background:
            rings = ring_grid(float(radius), auto_density(float(radius), n, density_factor))
            ring_xyz = unit_vectors(rings[:, 0], rings[:, 1])
        else:
            ring_xyz = np.zeros((0, 3))
        m = ring_xyz.shape[0]
        if n == 0 or n + m <= k:
            continue
        rows = np.flatnonzero(sizes == n)
        members = indices[indptr[rows][:, None] + np.arange(n)]
        u = n + m
        ring_sorted = _ring_distances(ring_xyz)
        step = max(1, max_entries // (n * u + m * n))
        pp, pb, bb = [], [], []
        for s in range(0, rows.size, step):
            mem = members[s : s + step]
            c = centres[rows[s : s + step]]
            pxyz = to_pole(unit_vectors(lat[mem], lon[mem]), lat[c], lon[c])
            # presence rows: their candidates are all of U
            xyz = np.concatenate([pxyz, np.broadcast_to(ring_xyz, (len(mem), m, 3))], axis=1)
            d = _angles(pxyz, xyz)
            d[:, np.arange(n), np.arange(n)] = np.inf
            w, _ = split_weights(d, k)
            pp.append(_row_lists(w[:, :, :n]))
            r = w[:, :, n:].sum(-1)
            if m:
                w_bp = _ring_rows(ring_sorted, _angles(ring_xyz[None], pxyz), k)
                pb.append(r + w_bp.sum(1))
                bb.append(k * m - w_bp.sum((1, 2)))
            else:
                pb.append(r)
                bb.append(np.zeros(len(mem)))
        K = max(c.shape[-1] for c, _ in pp)
        pad = lambda a: np.pad(a, ((0, 0), (0, 0), (0, K - a.shape[-1])))  # noqa: E731
        groups.append(WeightGroup(centres[rows], members, np.concatenate([pad(c) for c, _ in pp]),
                                  np.concatenate([pad(v) for _, v in pp]), np.concatenate(pb),
                                  np.concatenate(bb), m))
    return groups


def _ring_distances(ring_xyz: np.ndarray) -> np.ndarray:
    """Each ring point's distances to the other ring points, ascending: ``(m, m - 1)``."""
    m = ring_xyz.shape[0]
    if m == 0:
        return np.zeros((0, 0))
    d = _angles(ring_xyz, ring_xyz)
    d[np.arange(m), np.arange(m)] = np.inf
    return np.sort(d, axis=1)[:, : m - 1]


def _ring_rows(ring_sorted: np.ndarray, d_bp: np.ndarray, k: int) -> np.ndarray:
    """Split kNN weights from each ring point into the presence points, ``(G, m, n)``.

    A ring point's candidates are the other ring points (the same for every centre:
    ``ring_sorted``) and the centre's presence points (``d_bp``). Only the weights on presence
    columns are needed (the rest follows from rows summing to ``k``), so the ring-to-ring part is
    never built per centre: its ``k`` smallest distances give the cut, and counting below the tie
    band is a sorted search.
    """
    G, m, n = d_bp.shape
    near = np.broadcast_to(ring_sorted[None, :, :k], (G, m, min(k, ring_sorted.shape[1])))
    cand = np.concatenate([near, d_bp], axis=-1)
    dk = np.partition(cand, k - 1, axis=-1)[..., k - 1]
    tol = tie_tolerance(dk)
    lo, hi = dk - tol, dk + tol
    ring_lt = np.empty((G, m))
    ring_le = np.empty((G, m))
    for b in range(m):  # one sorted search per ring point, vectorised over centres
        ring_lt[:, b] = np.searchsorted(ring_sorted[b], lo[:, b], side="left")
        ring_le[:, b] = np.searchsorted(ring_sorted[b], hi[:, b], side="right")
    closer = d_bp < lo[..., None]
    band = ~closer & (d_bp <= hi[..., None])
    n_s = ring_lt + closer.sum(-1)
    n_t = ring_le - ring_lt + band.sum(-1)
    return closer + band * ((k - n_s) / np.maximum(n_t, 1))[..., None]


def _row_lists(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense ``(G, n, n)`` weights as ``(G, n, K)`` columns and weights, ``K`` the widest row."""
    K = max(1, int((w != 0).sum(-1).max()))
    cols = np.argsort(-w, axis=-1, kind="stable")[..., :K]
    return cols, np.take_along_axis(w, cols, -1)
