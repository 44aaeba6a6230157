"""Directed kNN weights over one centre's presence ∪ background points (spec §4, §4b).

What the score computes implicitly, materialised as :class:`libpysal.graph.Graph` objects for
inspection and for esda/libpysal: :func:`knn_graph` on any points, :func:`centre_graph` over a
centre's presence points and its background rings. Degrees and km in; ``ties=`` as in
:func:`geobias.audit`.
"""

from __future__ import annotations

import warnings

import numpy as np
from libpysal.graph import Graph
from scipy.spatial import cKDTree
from sklearn.neighbors import BallTree

from .background import auto_density, background_points
from .errors import GeoBiasError
from .sphere import EARTH_RADIUS_KM, chord_to_angle, latlon_to_xyz, to_radians
from geocommon.knn_ties import split_weights, tie_tolerance

__all__ = ["knn_graph", "centre_graph", "knn_weights", "centre_weights"]


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
