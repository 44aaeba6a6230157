"""PySAL weights on great-circle distance: neighbourhood graphs, kNN weights, hot-spot weights.

* :func:`radius_neighbourhoods` / :func:`lists_to_graph` / :func:`graph_to_lists`: the audit's
  neighbourhoods as a :class:`libpysal.graph.Graph` (focal = centre, neighbours = its
  presence points, itself included), and back to CSR lists;
* :func:`great_circle_weights`: kNN and/or distance-band weights for hot-spot statistics;
* the kNN weights over one centre's presence ∪ background points are in :mod:`geobias.knn`.

The test-suite checks that these graphs are the adjacency libpysal's own builders give.
"""

from __future__ import annotations


import numpy as np
import pandas as pd
from libpysal.graph import Graph
from scipy.spatial import cKDTree

from .errors import GeoBiasError
from .neighbourhoods import neighbourhood_lists
from .sphere import EARTH_RADIUS_KM, chord_to_angle, haversine, latlon_to_xyz, to_radians
from geocommon.knn_ties import tie_tolerance

__all__ = [
    "lists_to_graph",
    "graph_to_lists",
    "radius_neighbourhoods",
    "great_circle_weights",
    # the kNN builders live in geobias.knn; re-exported for the old import path
    "knn_graph",
    "centre_graph",
    "knn_weights",
    "centre_weights",
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


from .knn import centre_graph, centre_weights, knn_graph, knn_weights  # noqa: E402  (knn needs nothing above)
