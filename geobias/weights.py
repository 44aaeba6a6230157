"""PySAL weights on great-circle distance: neighbourhood graphs, kNN weights, hot-spot weights.

* :func:`radius_neighbourhoods` / :func:`lists_to_graph` / :func:`graph_to_lists`: the audit's
  neighbourhoods as a :class:`libpysal.graph.Graph` (focal = centre, neighbours = its
  presence points, itself included), and back to CSR lists;
* :func:`knn_weights` / :func:`centre_weights`: the directed kNN weights over one centre's
  presence ∪ background points, materialised for inspection and for esda/libpysal;
* :func:`great_circle_weights`: kNN and/or distance-band weights for hot-spot statistics.

The builders of the reference's weights use scikit-learn's ``BallTree`` with the haversine
metric, the same tree libpysal uses for ``Graph.build_knn(..., metric="haversine")``; the
test-suite checks that they give the identical adjacency to libpysal's builder.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from libpysal.graph import Graph
from scipy.spatial import cKDTree
from sklearn.neighbors import BallTree

from .background import auto_density, background_points
from .errors import GeoBiasError
from .neighbourhoods import neighbourhood_lists
from .sphere import EARTH_RADIUS_KM, chord_to_angle, haversine, latlon_to_xyz, to_radians
from .ties import split_weights, tie_tolerance

__all__ = [
    "lists_to_graph",
    "graph_to_lists",
    "radius_neighbourhoods",
    "knn_graph",
    "centre_graph",
    "knn_weights",
    "centre_weights",
    "great_circle_weights",
]


def _sort_rows(cands: list[np.ndarray], dists: list[np.ndarray]):
    """Sort each candidate list by distance (stable: keeps the given order in ties)."""
    for j, (c, d) in enumerate(zip(cands, dists)):
        o = np.argsort(d, kind="stable")
        cands[j], dists[j] = c[o], d[o]
    return cands, dists


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
    lonlat = np.asarray(lonlat_deg, dtype=float)
    lat, lon = to_radians(lonlat[:, 1], convention), to_radians(lonlat[:, 0], convention)
    indptr, indices, dist = neighbourhood_lists(lat, lon, radius_km / EARTH_RADIUS_KM, max_neighbors)
    ids = np.arange(len(lat)) if ids is None else np.asarray(ids)
    return lists_to_graph(indptr, indices, np.arange(len(lat)), ids, dist)


def knn_weights(latlon: np.ndarray, k: int = 4, ids=None) -> Graph:
    """Directed 0/1 kNN weights by great-circle distance (spec §4); deprecated, radians.

    Use :func:`knn_graph` (degrees, ``ties=``); this alias stays for one release.

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
    >>> import warnings; warnings.simplefilter("ignore", DeprecationWarning)
    >>> pts = np.radians([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [2, 2]])
    >>> knn_weights(pts, k=2).cardinalities.tolist()
    [2, 2, 2, 2, 2, 2]
    """
    warnings.warn("knn_weights takes radians and is deprecated; use geobias.knn_graph(lonlat_deg, k, "
                  "ties='reference') (degrees, lon first)", DeprecationWarning, stacklevel=2)
    X = np.asarray(latlon, dtype=float)
    n = X.shape[0]
    if k + 1 > n:
        raise GeoBiasError(f"k={k} needs at least k + 1 = {k + 1} points, got {n}; use a smaller k")
    return _reference_knn(X, k, np.arange(n) if ids is None else np.asarray(ids))


def centre_weights(
    presence_latlon: np.ndarray,
    centre: tuple[float, float],
    radius: float,
    k: int = 4,
    density: float | str = "auto",
    density_factor: float = 5.0,
) -> tuple[Graph, np.ndarray]:
    """The kNN weights over one centre's presence ∪ background points; deprecated, radians.

    Use :func:`centre_graph` (degrees and km, ``ties=``); this alias stays for one release.

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
    warnings.warn("centre_weights takes radians and is deprecated; use geobias.centre_graph(presence_lonlat_deg, "
                  "centre_lonlat_deg, radius_km, ties='reference')", DeprecationWarning, stacklevel=2)
    P = np.asarray(presence_latlon, dtype=float).reshape(-1, 2)
    dens = auto_density(radius, P.shape[0], density_factor) if density == "auto" else density
    B = background_points(centre, radius, dens)
    U = np.concatenate([P, B])
    return _reference_knn(U, k, np.arange(len(U))), U


def knn_graph(lonlat_deg: np.ndarray, k: int = 4, ids=None, ties: str = "split") -> Graph:
    """Directed kNN weights by great-circle distance, lon/lat in degrees (spec §4, §4b).

    ``ties="split"``: the points tied with a point's k-th neighbour (within the tolerance of
    :mod:`geobias.ties`) share the remaining weight, so every row sums to ``k`` — the weights
    the default Geo-Bias Score uses. ``ties="reference"``: the reference's 0/1 graph from a
    haversine ``BallTree`` (exact ties decided by the tree; with more than ``k`` exact
    duplicates a point may keep ``k + 1``); without ties both are
    ``libpysal.graph.Graph.build_knn(..., metric="haversine")``.

    Parameters
    ----------
    lonlat_deg : numpy.ndarray
        ``(N, 2)`` longitude/latitude in degrees.
    k : int, default 4
        Number of neighbours.
    ids : array_like, optional
        Point labels (default ``0..N-1``).
    ties : {"split", "reference"}, default "split"
        How ties at the k-th distance are treated.

    Returns
    -------
    libpysal.graph.Graph
        Directed; weights 1 (and shares of 1 at split ties).

    Examples
    --------
    >>> pts = np.array([[0.0, 0.0], [1.0, 0.0], [-1.0, 0.0], [0.0, 3.0]])
    >>> g = knn_graph(pts, k=1)
    >>> g.adjacency.loc[0].round(2).to_dict()  # two points tie for the nearest
    {1: 0.5, 2: 0.5}
    """
    lonlat = np.asarray(lonlat_deg, dtype=float).reshape(-1, 2)
    n = lonlat.shape[0]
    if ties not in ("split", "reference"):
        raise GeoBiasError(f"ties={ties!r} must be 'split' or 'reference'")
    if k + 1 > n:
        raise GeoBiasError(f"k={k} needs at least k + 1 = {k + 1} points, got {n}; use a smaller k")
    ids = np.arange(n) if ids is None else np.asarray(ids)
    if ties == "reference":
        return _reference_knn(to_radians(lonlat[:, ::-1]), k, ids)
    xyz = latlon_to_xyz(np.radians(lonlat[:, 1]), np.radians(lonlat[:, 0]))
    tree = cKDTree(xyz)
    parts = []
    rows, q = np.arange(n), min(n, k + 4)
    while rows.size:
        d, j = tree.query(xyz[rows], k=q)
        d, j = chord_to_angle(np.asarray(d).reshape(rows.size, q)), np.asarray(j).reshape(rows.size, q)
        d = np.where(j == rows[:, None], np.inf, d)  # the point itself
        w, _ = split_weights(d, k)
        dk = np.sort(d, axis=1)[:, k - 1]
        last = np.where(np.isfinite(d), d, -np.inf).max(axis=1)
        more = (q < n) & (last <= dk + tie_tolerance(dk))
        i, c = np.nonzero((w > 0) & ~more[:, None])
        parts.append((rows[i], j[i, c], w[i, c]))
        rows, q = rows[more], min(n, 4 * q)
    f, t, w = (np.concatenate(x) for x in zip(*parts))
    o = np.lexsort((t, f))
    return Graph.from_arrays(ids[f[o]], ids[t[o]], w[o])


def centre_graph(
    presence_lonlat_deg: np.ndarray,
    centre_lonlat_deg: tuple[float, float],
    radius_km: float,
    k: int = 4,
    density: float | str = "auto",
    density_factor: float = 5.0,
    ties: str = "split",
) -> tuple[Graph, np.ndarray]:
    """The kNN weights over one centre's presence ∪ background points, in degrees and km.

    Materialises what the score computes implicitly, for inspection and for esda/libpysal.

    Parameters
    ----------
    presence_lonlat_deg : numpy.ndarray
        ``(n, 2)`` presence lon/lat in degrees.
    centre_lonlat_deg : tuple of float
        The centre's lon/lat in degrees.
    radius_km : float
        Neighbourhood radius in km.
    k : int, default 4
        Number of neighbours.
    density : float or "auto", default "auto"
        Background points per square radian.
    density_factor : float, default 5.0
        Background-to-presence ratio of ``density="auto"``.
    ties : {"split", "reference"}, default "split"
        See :func:`knn_graph`.

    Returns
    -------
    graph : libpysal.graph.Graph
        Ids ``0..n-1`` are the presence points, ``n..`` the background.
    points : numpy.ndarray
        ``(n + M, 2)`` lon/lat in degrees of all points.

    Examples
    --------
    >>> g, pts = centre_graph(np.array([[0.0, 0.0]]), (0.0, 0.0), 100.0)
    >>> pts.shape[0] == g.n, float(g.adjacency.groupby(level=0).sum().max())
    (True, 4.0)
    """
    P = np.asarray(presence_lonlat_deg, dtype=float).reshape(-1, 2)
    r = radius_km / EARTH_RADIUS_KM
    dens = auto_density(r, P.shape[0], density_factor) if density == "auto" else density
    centre = to_radians(np.array([centre_lonlat_deg[1], centre_lonlat_deg[0]], dtype=float))
    B = np.degrees(background_points(tuple(centre), r, dens))[:, ::-1]
    U = np.concatenate([P, B])
    return knn_graph(U, k, ties=ties), U


def _reference_knn(latlon: np.ndarray, k: int, ids: np.ndarray) -> Graph:
    X = np.asarray(latlon, dtype=float)
    n = X.shape[0]
    # exactly the reference's construction: the ball tree decides exact ties
    nbrs = BallTree(X, leaf_size=30, metric="haversine").query(X, k=k + 1, return_distance=False)
    heads = np.repeat(np.arange(n), k + 1)
    tails = nbrs.ravel()
    keep = tails != heads
    return Graph.from_arrays(ids[heads[keep]], ids[tails[keep]], np.ones(int(keep.sum())))


def great_circle_weights(
    gdf,
    k: int | None = None,
    radius_km: float | None = None,
) -> Graph:
    """Binary spatial weights on great-circle distance, as a :class:`libpysal.graph.Graph`.

    ``k`` alone: each location's ``k`` nearest neighbours (asymmetric kNN).
    ``radius_km`` alone: all neighbours within that distance (a distance band,
    inclusive). Both: the ``k`` nearest among those within ``radius_km`` (the
    neighbourhood definition of the audit). A location never neighbours itself;
    one without neighbours is an isolate (a zero self-weight, libpysal's
    convention). Distances equal within the tie tolerance (:mod:`geobias.ties`)
    are ordered by row position, so the result is deterministic on every machine.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Locations (any CRS; transformed to EPSG:4326). Ids of the graph are its
        row labels.
    k : int, optional
        Number of nearest neighbours (default 8 when ``radius_km`` is not given).
    radius_km : float, optional
        Distance band in kilometres (great circle, Earth radius 6371 km as
        everywhere in geobias).

    Returns
    -------
    libpysal.graph.Graph
        Weight 1 for every neighbour.

    Examples
    --------
    >>> import geopandas as gpd
    >>> g = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 0.5, 3], [0, 0, 0]), crs=4326,
    ...                      index=["a", "b", "c"])
    >>> w = great_circle_weights(g, radius_km=100)
    >>> w.adjacency.loc[lambda s: s > 0].index.tolist()
    [('a', 'b'), ('b', 'a')]
    >>> great_circle_weights(g, k=1).cardinalities.tolist()
    [1, 1, 1]
    """
    from .hotspots import _check_frame, lonlat_degrees  # hotspots imports this module

    _check_frame(gdf)
    n = len(gdf)
    if k is None and radius_km is None:
        k = 8
    if k is not None:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise GeoBiasError(f"k must be a positive integer, got {k!r}")
        if k >= n:
            raise GeoBiasError(
                f"k={k} needs at least k + 1 = {k + 1} locations, the frame has {n}; pass a smaller k"
            )
    if radius_km is not None and not (np.isfinite(radius_km) and radius_km > 0):
        raise GeoBiasError(f"radius_km must be a positive number of kilometres, got {radius_km!r}")
    lonlat = lonlat_degrees(gdf)
    xyz = latlon_to_xyz(np.radians(lonlat[:, 1]), np.radians(lonlat[:, 0]))
    tree = cKDTree(xyz)
    if k is not None:
        f, t, d = _knn_by_position(tree, xyz, k)
        if radius_km is not None:
            r = radius_km / EARTH_RADIUS_KM
            keep = d <= r + tie_tolerance(r)
            f, t = f[keep], t[keep]
    else:
        r = radius_km / EARTH_RADIUS_KM
        found = tree.query_ball_point(xyz, r=2 * np.sin((r + tie_tolerance(r)) / 2))
        lengths = np.fromiter((len(j) for j in found), dtype=np.int64, count=n)
        f = np.repeat(np.arange(n), lengths)
        t = np.concatenate([np.asarray(j, dtype=np.int64) for j in found])
        keep = f != t
        f, t = f[keep], t[keep]
    isolates = np.setdiff1d(np.arange(n), f)
    f = np.concatenate([f, isolates])
    t = np.concatenate([t, isolates])
    wts = np.concatenate([np.ones(f.size - isolates.size), np.zeros(isolates.size)])
    order = np.lexsort((t, f))
    ids = gdf.index.to_numpy()
    return Graph.from_arrays(ids[f[order]], ids[t[order]], wts[order])


def _knn_by_position(tree: cKDTree, xyz: np.ndarray, k: int):
    """Each point's ``k`` nearest others, distances tied within the tolerance taken by position.

    Returns flat ``(focal, neighbour, distance)`` arrays.
    """
    n = len(xyz)
    parts = []
    rows, q = np.arange(n), min(n, k + 9)
    while rows.size:
        d, j = tree.query(xyz[rows], k=q)
        d, j = chord_to_angle(np.asarray(d).reshape(rows.size, q)), np.asarray(j).reshape(rows.size, q)
        d = np.where(j == rows[:, None], -1.0, d)  # the point itself first, then dropped
        o = np.argsort(d, axis=1, kind="stable")
        d, j = np.take_along_axis(d, o, axis=1), np.take_along_axis(j, o, axis=1)
        # tie groups: a new group where the gap to the previous distance exceeds the tolerance
        gap = np.diff(d, axis=1) > tie_tolerance(d[:, :-1])
        group = np.concatenate([np.zeros((rows.size, 1), int), np.cumsum(gap, axis=1)], axis=1)
        more = (q < n) & (group[:, -1] == group[:, k])
        done = ~more
        g, jj, dd = group[done], j[done], d[done]
        o = np.lexsort((jj, g), axis=1)
        jj, dd = np.take_along_axis(jj, o, axis=1)[:, 1 : k + 1], np.take_along_axis(dd, o, axis=1)[:, 1 : k + 1]
        parts.append((np.repeat(rows[done], k), jj.ravel(), dd.ravel()))
        rows, q = rows[more], min(n, 4 * q)
    return (np.concatenate(a) for a in zip(*parts))
