"""The neighbourhood of each centre, as CSR lists: the samples within a great-circle radius.

Optionally only among the centre's ``max_neighbors`` nearest (PyGBS). With ``ties="split"``
the lists are a function of the distances alone (every sample tied with the cap's last one is
in); with ``ties="reference"`` they follow the reference's ball tree. The lists as a
:class:`libpysal.graph.Graph`, and the other PySAL weights, are in :mod:`geobias.weights`.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree
from sklearn.neighbors import BallTree

from .errors import GeoBiasError
from .sphere import angle_to_chord, chord_to_angle, haversine, latlon_to_xyz
from geocommon.knn_ties import tie_tolerance

__all__ = [
    "neighbourhood_lists",
    "unique_centres",
    "take_lists",
    # re-exported from geobias.weights (old import path)
    "lists_to_graph",
    "graph_to_lists",
    "radius_neighbourhoods",
    "knn_graph",
    "centre_graph",
    "knn_weights",
    "centre_weights",
    "great_circle_weights",
]


def neighbourhood_lists(
    lat: np.ndarray,
    lon: np.ndarray,
    radius: float,
    max_neighbors: int | None = None,
    centres: np.ndarray | None = None,
    tree: BallTree | None = None,
    order: str = "distance",
    ties: str = "reference",
    return_tie_sensitive: bool = False,
):
    """CSR lists of the samples within ``radius`` of each centre.

    A sample's neighbourhood includes itself. With ``max_neighbors``, only
    the centre's ``max_neighbors`` nearest samples (itself included) are
    eligible, as in PyGBS. The order is the ball tree's: ascending distance,
    exact ties in the tree's (deterministic) order, which is what the
    reference feeds to its weights, so duplicate coordinates resolve the same.

    Parameters
    ----------
    lat, lon : numpy.ndarray
        ``(N,)`` coordinates in radians.
    radius : float
        Great-circle radius in radians (inclusive).
    max_neighbors : int, optional
        Cap on the neighbourhood size (``None``: no cap).
    centres : numpy.ndarray, optional
        Sample positions of the centres (default: all samples).
    tree : sklearn.neighbors.BallTree, optional
        A haversine ball tree on ``(lat, lon)`` to reuse.
    order : {"distance", "position"}, default "distance"
        Order of each list: ascending distance in the ball tree's order
        (PyGBS), or sample position (the TorchSpatial 2024 scripts, which
        select the neighbourhood with a boolean mask). Only exact ties feel it.
    ties : {"reference", "split"}, default "reference"
        ``"reference"``: exactly ``max_neighbors`` by the ball tree's order and the radius
        compared bit for bit. ``"split"``: a function of the distances alone — every sample
        tied with the cap's last one is in (the list may exceed ``max_neighbors``) and the
        radius is inclusive within the tie tolerance (:mod:`geobias.ties`).
    return_tie_sensitive : bool, default False
        Also return, per centre, whether the two ``ties`` modes can give different lists
        (the cap cuts through a tie, or a sample lies within the tolerance of the radius).

    Returns
    -------
    indptr : numpy.ndarray
        ``(C + 1,)`` offsets.
    indices : numpy.ndarray
        Sample positions, per centre ordered by distance (ball-tree order).
    distances : numpy.ndarray
        Matching great-circle distances in radians.
    tie_sensitive : numpy.ndarray
        ``(C,)`` booleans, only with ``return_tie_sensitive=True``.

    Examples
    --------
    >>> lat = np.radians([0.0, 0.0, 0.0]); lon = np.radians([0.0, 0.5, 3.0])
    >>> indptr, idx, _ = neighbourhood_lists(lat, lon, radius=np.radians(1.0))
    >>> [idx[indptr[i]:indptr[i + 1]].tolist() for i in range(3)]
    [[0, 1], [1, 0], [2]]
    """
    if ties not in ("reference", "split"):
        raise GeoBiasError(f"ties={ties!r} must be 'split' or 'reference'")
    if order not in ("distance", "position"):
        raise GeoBiasError(f"order={order!r} must be 'distance' or 'position'")
    n = len(lat)
    centres = np.arange(n) if centres is None else np.asarray(centres, dtype=np.int64)
    # the tie-robust lists (and the tie flags of both modes) come from a KD-tree on unit
    # vectors: chords order like great-circle distances, and it is far faster than a haversine
    # ball tree; the reference's lists come from the reference's own ball tree
    xyz = latlon_to_xyz(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float))
    kd = cKDTree(xyz)
    r_tol = radius + tie_tolerance(radius)
    if max_neighbors is not None and max_neighbors < n:
        lengths, cand, dist, sensitive = _capped_lists(kd, xyz[centres], max_neighbors, n, radius)
        if ties == "reference":
            # PyGBS: the max_neighbors nearest (BallTree order), then the radius cut
            X = np.column_stack([lat, lon])
            tree = BallTree(X, leaf_size=30, metric="haversine") if tree is None else tree
            d, ix = tree.query(X[centres], k=max_neighbors)
            keep = d <= radius
            rows, cols = np.nonzero(keep)
            lengths = keep.sum(axis=1)
            cand, dist = ix[rows, cols], d[rows, cols]
    else:
        found = kd.query_ball_point(xyz[centres], r=float(angle_to_chord(r_tol)))
        lengths = np.fromiter((len(c) for c in found), dtype=np.int64, count=centres.size)
        cand = np.concatenate([np.asarray(c, dtype=np.int64) for c in found]) if centres.size else np.empty(0, np.int64)
        owner = np.repeat(np.arange(centres.size), lengths)
        dist = haversine(lat[centres][owner], lon[centres][owner], lat[cand], lon[cand])
        sensitive = np.bincount(owner, weights=np.abs(dist - radius) <= tie_tolerance(radius),
                                minlength=centres.size) > 0
        if ties == "split":
            keep = dist <= r_tol
            o = np.lexsort((cand, dist, owner))
            o = o[keep[o]]
            cand, dist = cand[o], dist[o]
            lengths = np.bincount(owner[o], minlength=centres.size)
        else:
            X = np.column_stack([lat, lon])
            tree = BallTree(X, leaf_size=30, metric="haversine") if tree is None else tree
            found, fd = tree.query_radius(X[centres], r=radius, return_distance=True, sort_results=True)
            lengths = np.fromiter((c.size for c in found), dtype=np.int64, count=centres.size)
            cand = np.concatenate(found) if centres.size else np.empty(0, dtype=np.int64)
            dist = np.concatenate(fd) if centres.size else np.empty(0)
            # exact ties by position: the order query_radius gives them changes between
            # scikit-learn versions (the capped reference path keeps the tree's own order)
            owner = np.repeat(np.arange(centres.size), lengths)
            o = np.lexsort((cand, dist, owner))
            cand, dist = cand[o], dist[o]
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    if order == "position":
        owner = np.repeat(np.arange(centres.size), lengths)
        o = np.lexsort((cand, owner))
        cand, dist = cand[o], dist[o]
    out = (indptr, cand.astype(np.int64), dist)
    return (*out, sensitive) if return_tie_sensitive else out


def _capped_lists(tree: cKDTree, Q: np.ndarray, cap: int, n: int, radius: float):
    """Split-rule capped neighbourhoods: the ``cap`` nearest, every sample tied with the last
    one, within the radius (tie tolerance included); and the rows where the rules differ.

    ``tree`` and ``Q`` hold unit vectors. Rows whose tie group at the cap reaches past what was
    queried are queried again, wider, on their own (only duplicate-heavy places are).

    Returns ``(lengths, cand, dist, sensitive)``: per row its list length, the flat samples and
    great-circle distances ordered by row then distance, and per row whether the cap cuts
    through a tie or a sample lies within the tolerance of the radius.
    """
    r_tol = radius + tie_tolerance(radius)
    sensitive = np.zeros(len(Q), dtype=bool)
    lengths = np.zeros(len(Q), dtype=np.int64)
    cands, dists = [], []
    # blocks of queries bound the (rows x q) temporaries; each block is finished (its
    # duplicate-heavy rows queried again, wider) before the next, so blocks stay in row order
    block = max(1, 5_000_000 // (cap + 8))
    for a in range(0, len(Q), block):
        rows, q = np.arange(a, min(len(Q), a + block)), min(n, cap + 8)
        parts = []
        while rows.size:
            d, ix = _query_angles(tree, Q[rows], q)
            dcap = d[:, cap - 1 : cap]
            tied = d <= dcap + tie_tolerance(dcap)
            more = (q < n) & tied[:, -1]
            done = ~more
            d, ix, tied, r = d[done], ix[done], tied[done], rows[done]
            sensitive[r] = (tied[:, cap:].any(axis=1) & (d[:, cap - 1] <= r_tol)) | _near_radius(d, radius)
            keep = tied & (d <= r_tol)
            lengths[r] = keep.sum(axis=1)
            i, j = np.nonzero(keep)
            parts.append((r[i], ix[i, j], d[i, j]))
            rows, q = rows[more], min(n, 4 * q)
        owner, cand, dist = (np.concatenate(x) for x in zip(*parts))
        o = np.argsort(owner, kind="stable")
        cands.append(cand[o])
        dists.append(dist[o])
    if not cands:
        return lengths, np.empty(0, np.int64), np.empty(0), sensitive
    return lengths, np.concatenate(cands), np.concatenate(dists), sensitive


def _query_angles(tree: cKDTree, Q: np.ndarray, q: int):
    d, ix = tree.query(Q, k=q)
    return chord_to_angle(np.asarray(d).reshape(len(Q), q)), np.asarray(ix).reshape(len(Q), q)


def _near_radius(d: np.ndarray, radius: float) -> np.ndarray:
    """Rows with a distance within the tie tolerance of the radius."""
    return (np.abs(d - radius) <= tie_tolerance(radius)).any(axis=1)


def take_lists(indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR lists of ``rows`` only, as a new ``(indptr, indices)`` pair (one gather).

    Parameters
    ----------
    indptr, indices : numpy.ndarray
        CSR lists.
    rows : numpy.ndarray
        Positions of the lists to keep, in the order wanted (repeats allowed).

    Returns
    -------
    indptr, indices : numpy.ndarray
        The selected lists.

    Examples
    --------
    >>> ptr, idx = take_lists(np.array([0, 2, 3, 5]), np.array([7, 8, 9, 1, 2]), np.array([2, 0]))
    >>> ptr.tolist(), idx.tolist()
    ([0, 2, 4], [1, 2, 7, 8])
    """
    rows = np.asarray(rows, dtype=np.int64)
    lens = np.diff(indptr)[rows]
    new_ptr = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    within = np.arange(new_ptr[-1]) - np.repeat(new_ptr[:-1], lens)
    return new_ptr, indices[np.repeat(indptr[:-1][rows], lens) + within]


def unique_centres(lat: np.ndarray, lon: np.ndarray, centres: np.ndarray, indptr: np.ndarray,
                   indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centres that share their coordinates *and* their neighbourhood list.

    Such centres have identical scores (the rings, the weights and the null
    model depend only on the centre's position and its presence points), so
    duplicate-heavy data (eBird, fMoW) only needs the first of each.

    Parameters
    ----------
    lat, lon : numpy.ndarray
        ``(N,)`` sample coordinates in radians.
    centres : numpy.ndarray
        ``(C,)`` sample positions of the centres.
    indptr, indices : numpy.ndarray
        Their CSR neighbourhood lists.

    Returns
    -------
    first : numpy.ndarray
        Positions (into ``centres``) of one representative per group, ascending.
    inverse : numpy.ndarray
        ``(C,)`` for every centre, the position of its representative in ``first``.

    Examples
    --------
    >>> lat = np.zeros(3); lon = np.array([0.0, 0.0, 0.1])
    >>> first, inv = unique_centres(lat, lon, np.arange(3), np.array([0, 2, 4, 5]),
    ...                             np.array([0, 1, 0, 1, 2]))
    >>> first.tolist(), inv.tolist()
    ([0, 2], [0, 0, 1])
    """
    centres = np.asarray(centres, dtype=np.int64)
    C = centres.size
    n = np.diff(indptr)
    # a fingerprint of each list brings equal lists next to each other in the sort
    pos = np.arange(indices.size) - np.repeat(indptr[:-1], n)
    w = np.sin(indices * 12.9898 + pos * 78.233)
    fp = np.bincount(np.repeat(np.arange(C), n), weights=w, minlength=C)
    order = np.lexsort((np.arange(C), fp, n, lon[centres], lat[centres]))
    a, b = order[:-1], order[1:]
    same = (lat[centres[a]] == lat[centres[b]]) & (lon[centres[a]] == lon[centres[b]]) & (n[a] == n[b])
    # equal keys: compare the lists element by element
    pa, pb = a[same], b[same]
    ptr, la = take_lists(indptr, indices, pa)
    _, lb = take_lists(indptr, indices, pb)
    owner = np.repeat(np.arange(pa.size), np.diff(ptr))
    bad = np.bincount(owner, weights=la != lb, minlength=pa.size) > 0
    same[np.flatnonzero(same)[bad]] = False
    run = np.concatenate([[0], np.cumsum(~same)])  # run id along ``order``
    rep = order[np.flatnonzero(np.concatenate([[True], ~same]))]  # first of each run (smallest position)
    inverse = np.empty(C, dtype=np.int64)
    inverse[order] = run
    keep = np.sort(rep)
    remap = np.searchsorted(keep, rep)
    return keep, remap[inverse]


# the PySAL weight builders moved to geobias.weights; re-exported for the old import path
from .weights import (  # noqa: E402  (weights imports the list helpers above)
    centre_graph,
    centre_weights,
    graph_to_lists,
    great_circle_weights,
    knn_graph,
    knn_weights,
    lists_to_graph,
    radius_neighbourhoods,
)
