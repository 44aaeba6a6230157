"""The tie rule of the default kNN weights (``ties="split"``, spec §4b).

Which of several equidistant points enter a kNN list is not a property of the data: the
reference decides it by the last bit of floating-point distances and by its ball tree's leaf
order, so a shuffle, a 1e-10° jitter or another CPU changes the score. The split rule is a
function of the distances alone: all points tied with the k-th neighbour share the weight that
is left, so every row still sums to ``k`` and the null moments are unchanged.

Two distances tie when they differ by at most ``TIE_RTOL * d + TIE_ATOL`` (radians of great
circle). ``TIE_ATOL`` is 1e-9 rad (6 mm on the Earth): far above the rounding of any distance
computation (1e-16 relative) and of a 1e-10° coordinate jitter (about 4e-12 rad), far below the
precision of any real coordinate.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TIE_RTOL", "TIE_ATOL", "tie_tolerance", "split_weights"]

#: Relative part of the tie tolerance.
TIE_RTOL = 1e-9

#: Absolute part of the tie tolerance, radians (about 6 mm on the Earth).
TIE_ATOL = 1e-9


def tie_tolerance(d: np.ndarray) -> np.ndarray:
    """Half-width of the tie band around the distance ``d`` (radians).

    Parameters
    ----------
    d : numpy.ndarray
        Distances in radians.

    Returns
    -------
    numpy.ndarray
        ``TIE_RTOL * d + TIE_ATOL``.

    Examples
    --------
    >>> float(tie_tolerance(np.array([0.0]))[0])
    1e-09
    """
    return TIE_RTOL * np.asarray(d, dtype=float) + TIE_ATOL


def split_weights(d: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """kNN weights of each row of candidate distances, ties split.

    With ``d_k`` the k-th smallest distance of a row, the candidates clearly closer
    (``S``: below the tie band of ``d_k``) get weight 1 and those in the band (``T``) share the
    rest, ``(k - |S|) / |T|`` each; every row sums to ``k``.

    Parameters
    ----------
    d : numpy.ndarray
        ``(..., L)`` distances of each row's candidates (the row's own point excluded; ``inf``
        pads), ``L >= k``.
    k : int
        Number of neighbours.

    Returns
    -------
    w : numpy.ndarray
        ``(..., L)`` weights.
    cut : numpy.ndarray
        ``(...)`` whether the band holds more points than fit (a cut through a tie).

    Examples
    --------
    >>> w, cut = split_weights(np.array([[1.0, 2.0, 2.0, 2.0, 5.0]]), 2)
    >>> w.round(4).tolist(), cut.tolist()
    ([[1.0, 0.3333, 0.3333, 0.3333, 0.0]], [True])
    """
    d = np.asarray(d, dtype=float)
    dk = np.partition(d, k - 1, axis=-1)[..., k - 1 : k]
    tol = tie_tolerance(dk)
    closer = d < dk - tol
    band = ~closer & (d <= dk + tol)
    n_s = closer.sum(-1, keepdims=True)
    n_t = band.sum(-1, keepdims=True)
    return closer + band * ((k - n_s) / n_t), (n_s + n_t > k)[..., 0]
