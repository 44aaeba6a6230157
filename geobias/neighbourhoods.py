"""Neighbourhoods and spatial weights as PySAL objects (great-circle distance).

Two kinds of weights appear in the Geo-Bias Score:

* the **neighbourhood** of each centre: samples within a great-circle radius,
  optionally only among the centre's ``max_neighbors`` nearest (PyGBS); a
  :class:`libpysal.graph.Graph` with the centre as focal and its presence
  points (itself included) as neighbours;
* the **directed kNN weights** over presence ∪ background points of one
  centre (:func:`knn_weights`, :func:`centre_weights`).

The builders here use scikit-learn's ``BallTree`` with the haversine metric,
the same tree libpysal uses for ``Graph.build_knn(..., metric="haversine")``;
the test-suite checks that they give the identical adjacency to libpysal's
builder on the same points. Ties are resolved by (distance, position).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from libpysal.graph import Graph
from sklearn.neighbors import BallTree

from .background import auto_density, background_points
from .errors import GeoBiasError
from .sphere import haversine
from .ties import tie_tolerance

__all__ = [
    "neighbourhood_lists",
    "unique_centres",
    "take_lists",
    "lists_to_graph",
    "graph_to_lists",
    "radius_neighbourhoods",
    "knn_weights",
    "centre_weights",
]


def _sort_rows(cands: list[np.ndarray], dists: list[np.ndarray]):
    """Sort each candidate list by distance (stable: keeps the given order in ties)."""
    for j, (c, d) in enumerate(zip(cands, dists)):
        o = np.argsort(d, kind="stable")
        cands[j], dists[j] = c[o], d[o]
    return cands, dists


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
    X = np.column_stack([lat, lon])
    n = X.shape[0]
    centres = np.arange(n) if centres is None else np.asarray(centres, dtype=np.int64)
    tree = BallTree(X, leaf_size=30, metric="haversine") if tree is None else tree
    Q = X[centres]
    r_tol = radius + tie_tolerance(radius)
    if max_neighbors is not None and max_neighbors < n:
        d, ix, cap_tied = _capped_query(tree, Q, max_neighbors, n)
        if ties == "split":
            dcap = d[:, max_neighbors - 1 : max_neighbors]
            keep = (d <= r_tol) & (d <= dcap + tie_tolerance(dcap))
        sensitive = (cap_tied & (d[:, max_neighbors - 1] <= r_tol)) | _near_radius(d, radius)
        if ties == "reference":
            # PyGBS: the max_neighbors nearest (BallTree order), then the radius cut; queried
            # with its own k, since the tree's order among exact ties may depend on k
            d, ix = tree.query(Q, k=max_neighbors)
            keep = d <= radius
        rows, cols = np.nonzero(keep)
        lengths = keep.sum(axis=1)
        cand, dist = ix[rows, cols], d[rows, cols]
    else:
        found, fd = tree.query_radius(Q, r=r_tol if ties == "split" else radius, return_distance=True,
                                      sort_results=True)
        lengths = np.fromiter((c.size for c in found), dtype=np.int64, count=centres.size)
        cand = np.concatenate(found) if centres.size else np.empty(0, dtype=np.int64)
        dist = np.concatenate(fd) if centres.size else np.empty(0)
        owner = np.repeat(np.arange(centres.size), lengths)
        sensitive = np.bincount(owner, weights=np.abs(dist - radius) <= tie_tolerance(radius),
                                minlength=centres.size) > 0
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    if order == "position":
        owner = np.repeat(np.arange(centres.size), lengths)
        o = np.lexsort((cand, owner))
        cand, dist = cand[o], dist[o]
    out = (indptr, cand.astype(np.int64), dist)
    return (*out, sensitive) if return_tie_sensitive else out


def _capped_query(tree: BallTree, Q: np.ndarray, cap: int, n: int):
    """The ``cap`` nearest of each query and beyond, until the tie band at the cap is covered.

    Returns ``(d, ix, cap_tied)``: ``(C, q)`` ascending distances and positions with
    ``q >= cap``, and whether samples past the cap tie with its last one.
    """
    q = min(n, cap + 8)
    while True:
        d, ix = tree.query(Q, k=q)
        dcap = d[:, cap - 1]
        tied_past = d[:, cap:] <= (dcap + tie_tolerance(dcap))[:, None]
        if q >= n or not tied_past[:, -1:].any():
            return d, ix, tied_past.any(axis=1)
        q = min(n, 2 * q)


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


def lists_to_graph(indptr, indices, centres, ids, distances=None) -> Graph:
    """Wrap CSR neighbourhood lists in a :class:`libpysal.graph.Graph`.

    Parameters
    ----------
    indptr, indices : numpy.ndarray
        From :func:`neighbourhood_lists`.
    centres : numpy.ndarray
        Sample positions of the centres.
    ids : array_like
        Row labels of all samples; the graph uses them as ids.
    distances : numpy.ndarray, optional
        Unused weights are 1; kept for symmetry with the lists.

    Returns
    -------
    libpysal.graph.Graph
        Focal = centre label, neighbour = presence label (self included),
        weight 1; samples that are not centres are isolates.

    Examples
    --------
    >>> g = lists_to_graph(np.array([0, 2]), np.array([0, 1]), np.array([0]), ["a", "b"])
    >>> g.adjacency.index.tolist()
    [('a', 'a'), ('a', 'b'), ('b', 'b')]
    >>> g.isolates.tolist()
    ['b']
    """
    ids = np.asarray(ids)
    counts = np.diff(indptr)
    centres = np.asarray(centres)
    focal = ids[np.repeat(centres, counts)]
    neighbor = ids[np.asarray(indices)]
    weight = np.ones(len(neighbor))
    # samples that are not centres are isolates (libpysal's (i, i, 0) rows):
    # a Graph only keeps neighbours that are ids of its own
    others = np.setdiff1d(np.arange(len(ids)), centres)
    focal = np.concatenate([focal, ids[others]])
    neighbor = np.concatenate([neighbor, ids[others]])
    weight = np.concatenate([weight, np.zeros(others.size)])
    return Graph.from_arrays(focal, neighbor, weight)


def graph_to_lists(graph: Graph, ids, lat, lon, centres: np.ndarray | None = None,
                   order: str = "distance"):
    """CSR lists (ordered by distance, position) from a neighbourhood Graph.

    The centre is always part of its own neighbourhood, whether or not the
    graph has a self-loop.

    Parameters
    ----------
    graph : libpysal.graph.Graph
        Focal = centre label, neighbours = presence labels.
    ids : array_like
        Row labels of all samples, in sample order.
    lat, lon : numpy.ndarray
        Sample coordinates in radians.
    centres : numpy.ndarray, optional
        Sample positions of the centres (default: every focal of the graph
        that has at least one neighbour, in sample order).
    order : {"distance", "position"}, default "distance"
        Order of each list (distance, ties by position; or position).

    Returns
    -------
    tuple
        ``(centres, indptr, indices, distances)``.

    Examples
    --------
    >>> g = lists_to_graph(np.array([0, 2]), np.array([0, 1]), np.array([0]), ["a", "b"])
    >>> graph_to_lists(g, ["a", "b"], np.zeros(2), np.array([0.0, 0.001]))[2].tolist()
    [0, 1]
    """
    pos = pd.Index(np.asarray(ids))
    adj = graph.adjacency
    adj = adj[adj != 0]
    foc = pos.get_indexer(adj.index.get_level_values(0))
    nei = pos.get_indexer(adj.index.get_level_values(1))
    if (foc < 0).any() or (nei < 0).any():
        raise GeoBiasError(
            "neighbourhood graph has ids that are not row labels of the data; "
            "build it on the same rows (e.g. with geobias.radius_neighbourhoods)"
        )
    if centres is None:
        centres = np.unique(foc)
    centres = np.asarray(centres)
    groups = pd.Series(nei).groupby(foc).apply(np.asarray).to_dict()
    cands, dists = [], []
    for c in centres:
        nb = np.unique(np.concatenate([[c], groups.get(c, np.empty(0, dtype=np.int64))]))
        cands.append(nb.astype(np.int64))
        dists.append(haversine(lat[c], lon[c], lat[nb], lon[nb]))
    if order == "distance":
        cands, dists = _sort_rows(cands, dists)
    lengths = np.array([c.size for c in cands], dtype=np.int64)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    return np.asarray(centres), indptr, np.concatenate(cands), np.concatenate(dists)


def radius_neighbourhoods(
    lonlat_deg: np.ndarray,
    radius_km: float,
    max_neighbors: int | None = None,
    ids=None,
    convention: str = "reference",
) -> Graph:
    """Great-circle radius neighbourhoods as a :class:`libpysal.graph.Graph`.

    Parameters
    ----------
    lonlat_deg : numpy.ndarray
        ``(N, 2)`` longitude/latitude in degrees.
    radius_km : float
        Radius in km (Earth radius 6371 km).
    max_neighbors : int, optional
        Only the ``max_neighbors`` nearest samples (self included) are
        eligible, as in PyGBS.
    ids : array_like, optional
        Labels of the samples (default ``0..N-1``).
    convention : {"reference", "numpy"}, default "reference"
        Degree-to-radian convention (see :func:`geobias.sphere.to_radians`).

    Returns
    -------
    libpysal.graph.Graph
        Focal = centre, neighbours = samples within the radius, self included.

    Examples
    --------
    >>> g = radius_neighbourhoods(np.array([[0.0, 0.0], [0.5, 0.0], [3.0, 0.0]]), 100)
    >>> g.cardinalities.tolist()
    [2, 2, 1]
    """
    from .sphere import EARTH_RADIUS_KM, to_radians

    lonlat = np.asarray(lonlat_deg, dtype=float)
    lat, lon = to_radians(lonlat[:, 1], convention), to_radians(lonlat[:, 0], convention)
    indptr, indices, dist = neighbourhood_lists(lat, lon, radius_km / EARTH_RADIUS_KM, max_neighbors)
    ids = np.arange(len(lat)) if ids is None else np.asarray(ids)
    return lists_to_graph(indptr, indices, np.arange(len(lat)), ids, dist)


def knn_weights(latlon: np.ndarray, k: int = 4, ids=None) -> Graph:
    """Directed 0/1 kNN weights by great-circle distance (spec §4).

    Every point's ``k + 1`` nearest points are queried from a haversine
    ``BallTree`` (``leaf_size=30``, as in the reference) and the point itself
    is dropped; a point with more than ``k`` exact duplicates may not be among
    its own ``k + 1`` nearest and then keeps all ``k + 1`` (the reference's
    behaviour). Exact distance ties are decided by the tree, as in the
    reference. Without duplicates this is exactly
    ``libpysal.graph.Graph.build_knn(..., metric="haversine")``.

    Parameters
    ----------
    latlon : numpy.ndarray
        ``(N, 2)`` latitude/longitude in **radians**.
    k : int, default 4
        Number of neighbours.
    ids : array_like, optional
        Point labels (default ``0..N-1``).

    Returns
    -------
    libpysal.graph.Graph
        Binary, directed.

    Examples
    --------
    >>> pts = np.radians([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [2, 2]])
    >>> knn_weights(pts, k=2).cardinalities.tolist()
    [2, 2, 2, 2, 2, 2]
    """
    X = np.asarray(latlon, dtype=float)
    n = X.shape[0]
    if k + 1 > n:
        raise GeoBiasError(f"k={k} needs at least k + 1 = {k + 1} points, got {n}; use a smaller k")
    # exactly the reference's construction: the ball tree decides exact ties
    nbrs = BallTree(X, leaf_size=30, metric="haversine").query(X, k=k + 1, return_distance=False)
    heads = np.repeat(np.arange(n), k + 1)
    tails = nbrs.ravel()
    keep = tails != heads
    ids = np.arange(n) if ids is None else np.asarray(ids)
    return Graph.from_arrays(ids[heads[keep]], ids[tails[keep]], np.ones(int(keep.sum())))


def centre_weights(
    presence_latlon: np.ndarray,
    centre: tuple[float, float],
    radius: float,
    k: int = 4,
    density: float | str = "auto",
    density_factor: float = 5.0,
) -> tuple[Graph, np.ndarray]:
    """The kNN weights over one centre's presence ∪ background points.

    This materialises what the fast path in :mod:`geobias.ssi` computes
    implicitly, for inspection and for use with esda/libpysal tools.

    Parameters
    ----------
    presence_latlon : numpy.ndarray
        ``(n, 2)`` presence ``(lat, lon)`` in radians, in neighbourhood order.
    centre : tuple of float
        Centre ``(lat, lon)`` in radians.
    radius : float
        Radius in radians.
    k : int, default 4
        Number of neighbours.
    density : float or "auto", default "auto"
        Background density (points per square radian).
    density_factor : float, default 5.0
        Background-to-presence ratio for ``density="auto"``.

    Returns
    -------
    graph : libpysal.graph.Graph
        Ids ``0..n-1`` are the presence points, ``n..`` the background.
    points : numpy.ndarray
        ``(n + M, 2)`` the points of ``U`` in radians.

    Examples
    --------
    >>> g, pts = centre_weights(np.array([[0.0, 0.0]]), (0.0, 0.0), 0.01)
    >>> pts.shape[0] == g.n
    True
    """
    P = np.asarray(presence_latlon, dtype=float).reshape(-1, 2)
    dens = auto_density(radius, P.shape[0], density_factor) if density == "auto" else density
    B = background_points(centre, radius, dens)
    U = np.concatenate([P, B])
    return knn_weights(U, k), U
