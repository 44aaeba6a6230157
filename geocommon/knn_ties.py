"""The tie rule of the default kNN weights of the Geo-Bias Score (``ties="split"``, spec §4b).

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

from typing import Any

from array_api_compat import array_namespace, is_numpy_array

__all__ = ["TIE_RTOL", "TIE_ATOL", "tie_tolerance", "split_weights"]

#: Relative part of the tie tolerance.
TIE_RTOL = 1e-9

#: Absolute part of the tie tolerance, radians (about 6 mm on the Earth).
TIE_ATOL = 1e-9


def tie_tolerance(d: Any) -> Any:
    """Half-width of the tie band around the distance ``d`` (radians).

    Parameters
    ----------
    d : array
        Distances in radians (numpy array or torch tensor).

    Returns
    -------
    array
        ``TIE_RTOL * d + TIE_ATOL``.

    Examples
    --------
    >>> import numpy as np
    >>> float(tie_tolerance(np.array([0.0]))[0])
    1e-09
    """
    if isinstance(d, (int, float, list, tuple)):
        import numpy as np

        d = np.asarray(d, dtype=float)
    return TIE_RTOL * d + TIE_ATOL


def split_weights(d: Any, k: int) -> tuple[Any, Any]:
    """kNN weights of each row of candidate distances, ties split.

    With ``d_k`` the k-th smallest distance of a row, the candidates clearly closer
    (``S``: below the tie band of ``d_k``) get weight 1 and those in the band (``T``) share the
    rest, ``(k - |S|) / |T|`` each; every row sums to ``k``.

    Parameters
    ----------
    d : array
        ``(..., L)`` floating distances (numpy array or torch tensor) of each row's candidates (the row's own point excluded; ``inf``
        pads), ``L >= k``.
    k : int
        Number of neighbours.

    Returns
    -------
    w : array
        ``(..., L)`` weights.
    cut : array
        ``(...)`` whether the band holds more points than fit (a cut through a tie).

    Examples
    --------
    >>> import numpy as np
    >>> w, cut = split_weights(np.array([[1.0, 2.0, 2.0, 2.0, 5.0]]), 2)
    >>> w.round(4).tolist(), cut.tolist()
    ([[1.0, 0.3333, 0.3333, 0.3333, 0.0]], [True])
    """
    xp = array_namespace(d)
    if is_numpy_array(d):
        import numpy as np

        dk = np.partition(d, k - 1, axis=-1)[..., k - 1 : k]  # linear time where numpy has it
    else:
        dk = xp.sort(d, axis=-1)[..., k - 1 : k]
    tol = tie_tolerance(dk)
    closer = d < dk - tol
    band = ~closer & (d <= dk + tol)
    n_s = xp.sum(xp.astype(closer, d.dtype), axis=-1, keepdims=True)
    n_t = xp.sum(xp.astype(band, d.dtype), axis=-1, keepdims=True)
    w = xp.astype(closer, d.dtype) + xp.astype(band, d.dtype) * ((k - n_s) / n_t)
    return w, (n_s + n_t > k)[..., 0]
