"""Background ("non-presence") points: concentric rings around a centre.

The reference draws, for every centre, rings of regularly spaced points
around the north pole and rotates them onto the centre (spec §3). Because the
ring pattern only depends on ``(radius, density)``, the fast path builds it
once in the polar frame, indexes it with a KD-tree, and instead rotates each
centre's *presence* points onto the pole: distances are rotation invariant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.spatial import cKDTree
from scipy.spatial.transform import Rotation

from geocommon.rings import auto_density, ring_grid

from .sphere import chord_to_angle, latlon_to_xyz
from geocommon.knn_ties import tie_tolerance

__all__ = [
    "auto_density",
    "ring_grid",
    "background_points",
    "RingPattern",
    "ring_pattern",
]


def background_points(centre, radius: float, density: float) -> np.ndarray:
    """Background points around one centre, as the reference generates them.

    Parameters
    ----------
    centre : tuple of float
        ``(lat, lon)`` of the centre in radians.
    radius : float
        Radius in radians (``< pi/2``).
    density : float
        Points per square radian (see :func:`auto_density`).

    Returns
    -------
    numpy.ndarray
        ``(M, 2)`` background ``(lat, lon)`` in radians.

    Examples
    --------
    >>> pts = background_points((0.5, 1.0), 0.1, 100)
    >>> pts.shape
    (7, 2)
    """
    grid = ring_grid(radius, density)
    if grid.shape[0] == 0:
        return grid
    xyz = latlon_to_xyz(grid[:, 0], grid[:, 1], sign_quirk=True)
    # scipy's rotation, called exactly as the reference calls it, so that the
    # coordinates (and hence exact distance ties) are bit-identical
    rot = Rotation.from_euler("yz", [0.5 * np.pi - centre[0], centre[1]], degrees=False)
    out = rot.apply(xyz)
    lat = np.arcsin(out[:, 2])
    lon = np.arctan2(out[:, 1], out[:, 0])
    return np.array([lat, lon]).T


@dataclass(frozen=True)
class RingPattern:
    """A ring grid in the polar frame with what the fast path needs.

    Attributes
    ----------
    xyz : numpy.ndarray
        ``(M, 3)`` unit vectors of the grid (reference ``sign(lat)`` quirk kept).
    tree : scipy.spatial.cKDTree
        KD-tree on ``xyz``.
    knn_chord : numpy.ndarray
        ``(M, k)`` chord distances from every grid point to its ``k`` nearest
        *other* grid points, ascending, ``inf``-padded when ``M - 1 < k``.
    reach : float
        Largest finite entry of ``knn_chord[:, -1]`` (``inf`` if padded):
        a presence point farther than this from a grid point can never be
        one of its ``k`` nearest neighbours.
    wide_angle : numpy.ndarray
        ``(M, W)`` great-circle distances (radians) from every grid point to its ``W >= k``
        nearest other grid points, ascending, ``inf``-padded: enough columns to hold the whole
        tie band (:mod:`geobias.ties`) around each point's k-th distance, which the
        ``ties="split"`` weights need.
    """

    xyz: np.ndarray
    tree: cKDTree
    knn_chord: np.ndarray
    reach: float
    wide_angle: np.ndarray

    @property
    def size(self) -> int:
        """Number of grid points ``M``."""
        return self.xyz.shape[0]


@lru_cache(maxsize=512)
def ring_pattern(radius: float, density: float, k: int) -> RingPattern:
    """Cached :class:`RingPattern` for ``(radius, density, k)``.

    Parameters
    ----------
    radius : float
        Radius in radians.
    density : float
        Points per square radian.
    k : int
        Number of nearest neighbours of the weights.

    Returns
    -------
    RingPattern
        The grid, its KD-tree and its within-grid kNN distances.

    Examples
    --------
    >>> ring_pattern(0.1, 100, 4).size
    7
    """
    grid = ring_grid(radius, density)
    xyz = latlon_to_xyz(grid[:, 0], grid[:, 1], sign_quirk=True)
    m = xyz.shape[0]
    tree = cKDTree(xyz)
    chord = _nearest_others(tree, xyz, k)
    knn = np.full((m, k), np.inf)
    knn[:, : min(k, chord.shape[1])] = chord[:, :k]
    reach = float(knn[:, -1].max()) if m else math.inf
    return RingPattern(xyz=xyz, tree=tree, knn_chord=knn, reach=reach, wide_angle=chord_to_angle(chord))


def _nearest_others(tree: cKDTree, xyz: np.ndarray, k: int) -> np.ndarray:
    """Chords from each grid point to its nearest other grid points, ascending, ``inf``-padded:
    at least ``k + 3`` columns, widened until the tie band at the k-th distance fits."""
    m = xyz.shape[0]
    width = k + 3
    while True:
        out = np.full((m, width), np.inf)
        q = min(width + 1, m)
        if q > 1:
            d, _ = tree.query(xyz, k=q)
            # grid points are distinct, so column 0 is the point itself
            out[:, : q - 1] = np.asarray(d).reshape(m, q)[:, 1:]
        kth = chord_to_angle(out[:, k - 1])
        if q >= m or not np.any(np.isfinite(kth) & (chord_to_angle(out[:, -1]) <= kth + tie_tolerance(kth))):
            return out
        width *= 2
