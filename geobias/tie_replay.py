"""Exact replay of the reference's tie order (``ties="reference"``).

Where distances tie exactly (duplicate coordinates, the regular ring grid), the reference's kNN
graph is decided by scikit-learn's ``BallTree`` over ``U``: by the last bit of each haversine
value and by the tree's leaf order. The fast path flags the points whose cut falls in such a tie
(:class:`Contested`); this module rebuilds the reference's very tree for their centres and takes
their neighbours from it. Bit-exact to the reference *on the same machine*; machine-dependent by
nature (spec §4b).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial.transform import Rotation
from sklearn.neighbors import BallTree

from .background import ring_pattern

__all__ = ["Contested", "exact_moran_numerators", "reference_tree", "resolve_contested"]


@dataclass
class Contested:
    """Points of ``U`` whose kNN cut falls in a tie between different values.

    Attributes
    ----------
    centre : numpy.ndarray
        Batch position of the centre of each contested point.
    point : numpy.ndarray
        Its index in ``U`` (presence ``0..n-1``, then the ring points).
    contribution : numpy.ndarray
        ``(V, m)`` its term ``z_i * sum_j w_ij z_j`` as the fast path counted it.
    """

    centre: np.ndarray
    point: np.ndarray
    contribution: np.ndarray



def exact_moran_numerators(
    presence: np.ndarray,
    values: np.ndarray,
    centre: tuple[float, float],
    radius: float,
    density: float,
    k: int,
) -> np.ndarray:
    """Moran numerators of one centre through the reference's own pipeline.

    Background points rotated with scipy, a haversine ``BallTree`` on
    ``U`` queried for ``k + 1`` neighbours, self dropped: the exact
    computation the reference performs, used where distance ties make the
    result depend on the ball tree's tie order.

    Parameters
    ----------
    presence : numpy.ndarray
        ``(n, 2)`` presence ``(lat, lon)`` in radians, neighbourhood order.
    values : numpy.ndarray
        ``(V, n)`` value vectors.
    centre : tuple of float
        ``(lat, lon)`` in radians.
    radius : float
        Radius in radians.
    density : float
        Ring density.
    k : int
        Number of neighbours.

    Returns
    -------
    numpy.ndarray
        ``(V,)`` Moran numerators.

    Examples
    --------
    >>> P = np.array([[0.0, 0.0], [0.001, 0.0]])
    >>> exact_moran_numerators(P, np.array([[1.0, 1.0]]), (0.0, 0.0), 0.01, 30000, 4).round(4).tolist()
    [1.0]
    """
    tree, pts = reference_tree(np.asarray(presence, dtype=float).reshape(-1, 2), centre, radius, density, k)
    nbrs = tree.query(pts, k=k + 1, return_distance=False)
    n = len(pts) - len(presence)
    heads = np.repeat(np.arange(len(pts)), k + 1)
    tails = nbrs.ravel()
    keep = heads != tails
    heads, tails = heads[keep], tails[keep]
    V = values.shape[0]
    x = np.concatenate([values, np.zeros((V, n))], axis=1)
    z = x - x.mean(axis=1, keepdims=True)
    return (z[:, heads] * z[:, tails]).sum(axis=1)


def reference_tree(presence: np.ndarray, centre, radius: float, density: float, k: int = 4):
    """The reference's ball tree over ``U`` = presence ∪ rings of one centre.

    Parameters
    ----------
    presence : numpy.ndarray
        ``(n, 2)`` presence ``(lat, lon)`` radians, neighbourhood order.
    centre : tuple of float
        ``(lat, lon)`` radians.
    radius, density : float
        Ring parameters.
    k : int, default 4
        Only used to look up the cached ring pattern.

    Returns
    -------
    tree : sklearn.neighbors.BallTree
        Built exactly as the reference builds it (``leaf_size=30``).
    points : numpy.ndarray
        ``(n + M, 2)`` the points of ``U``.

    Examples
    --------
    >>> tree, pts = reference_tree(np.array([[0.0, 0.0]]), (0.0, 0.0), 0.01, 30000)
    >>> pts.shape
    (21, 2)
    """
    xyz = ring_pattern(float(radius), density, int(k)).xyz
    if xyz.shape[0]:
        # the reference's rotation and back-conversion, bit for bit
        rot = Rotation.from_euler("yz", [0.5 * np.pi - centre[0], centre[1]], degrees=False)
        out = rot.apply(xyz)
        bg = np.array([np.arcsin(out[:, 2]), np.arctan2(out[:, 1], out[:, 0])]).T
    else:
        bg = np.empty((0, 2))
    pts = np.concatenate([presence, bg])
    return BallTree(pts, leaf_size=30, metric="haversine"), pts


def resolve_contested(I, contested, batch, radius, density, k) -> np.ndarray:
    """Replace the fast path's terms of contested points by the reference's.

    For every centre with contested points, the reference's ball tree over
    ``U`` is built and only the contested points are queried; their kNN lists
    are then exactly the reference's, tie order included.

    Parameters
    ----------
    I : numpy.ndarray
        ``(V, C)`` numerators from :func:`moran_numerators` (modified in place).
    contested : Contested
        As returned with ``I``.
    batch : PresenceBatch
        The batch ``I`` was computed for.
    radius, density : float
        Ring parameters.
    k : int
        Number of neighbours.

    Returns
    -------
    numpy.ndarray
        ``I`` corrected.

    Examples
    --------
    >>> from geobias.background import ring_pattern
    >>> from geobias.moran import PresenceBatch, moran_numerators
    >>> b = PresenceBatch(lat=np.zeros((1, 7)), lon=np.zeros((1, 7)),
    ...                   values=np.array([[[1.0, 0, 1, 0, 1, 0, 1]]]),
    ...                   centre_lat=np.zeros(1), centre_lon=np.zeros(1))
    >>> I, contested = moran_numerators(b, ring_pattern(0.01, 110000.0, 4), 4)
    >>> contested.point.size > 0  # seven identical points with mixed values
    True
    >>> resolve_contested(I, contested, b, 0.01, 110000.0, 4).shape
    (1, 1)
    """
    if contested.centre.size == 0:
        return I
    V, C, n = batch.values.shape
    order = np.argsort(contested.centre, kind="stable")
    cc = contested.centre[order]
    uu = contested.point[order]
    xx = contested.contribution[:, order]
    bounds = np.flatnonzero(np.diff(cc)) + 1
    for sl in np.split(np.arange(cc.size), bounds):
        j = cc[sl[0]]
        P = np.column_stack([batch.lat[j], batch.lon[j]])
        tree, pts = reference_tree(P, (batch.centre_lat[j], batch.centre_lon[j]), radius, density, k)
        pts_u = uu[sl]
        nbrs = tree.query(pts[pts_u], k=k + 1, return_distance=False)
        xv = np.concatenate([batch.values[:, j], np.zeros((V, len(pts) - n))], axis=1)
        z = xv - xv.sum(axis=1, keepdims=True) / len(pts)
        not_self = nbrs != pts_u[:, None]  # the reference drops only the point itself
        zsum = (z[:, nbrs] * not_self[None]).sum(axis=2)
        I[:, j] += (z[:, pts_u] * zsum).sum(axis=1) - xx[:, sl].sum(axis=1)
    return I
