"""Background ("non-presence") points of the Geo-Bias Score: the concentric ring grid (spec §3).

The reference draws, around the north pole, rings of regularly spaced points whose density gives
about five background points per presence point, and rotates them onto each centre. The pattern
depends only on the radius and the density, so ``geobias`` (numpy, every centre of an audit) and
the geo-bias losses of ``geoencode.training`` (torch, anchors of a batch) build it here, once.
"""

from __future__ import annotations

import numpy as np

__all__ = ["auto_density", "ring_grid"]


def auto_density(radius: float, n_presence: int, factor: float = 5.0) -> int:
    """Points per square radian giving about ``factor * n`` background points.

    Parameters
    ----------
    radius : float
        Neighbourhood radius in radians.
    n_presence : int
        Number of presence points in the neighbourhood.
    factor : float, default 5.0
        Background-to-presence ratio (5 in the reference).

    Returns
    -------
    int
        ``ceil(factor * n / (pi * radius**2))``.

    Examples
    --------
    >>> auto_density(100 / 6371, 10)
    64601
    """
    return int(np.ceil((factor * n_presence) / (np.pi * radius**2)))


def ring_grid(radius: float, density: float) -> np.ndarray:
    """The concentric ring grid around the north pole, ``(M, 2)`` (lat, lon).

    Ring ``i = 1..R`` (``R = ceil(radius * sqrt(density))``) lies at latitude
    ``pi/2 - i/sqrt(density)`` and holds ``ceil(2 pi i)`` equally spaced points
    starting at longitude ``-pi``.

    Parameters
    ----------
    radius : float
        Radius in radians.
    density : float
        Points per square radian.

    Returns
    -------
    numpy.ndarray
        Ring points in radians, ring by ring.

    Examples
    --------
    >>> ring_grid(0.1, 100).shape  # one ring of 7 points
    (7, 2)
    """
    dist = 1 / np.sqrt(density)
    n_lag = int(np.ceil(radius / dist))
    lats, lons = [], []
    for i in range(1, n_lag + 1):
        m = int(np.ceil(2 * np.pi * i))
        delta = 2 * np.pi / m
        j = np.arange(m)
        lats.append(np.full(m, np.pi / 2 - dist * i))
        lons.append(-np.pi + delta * j)
    if not lats:
        return np.empty((0, 2))
    return np.column_stack([np.concatenate(lats), np.concatenate(lons)])
