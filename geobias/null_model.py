"""The null model of the Geo-Bias Score: value classes here; moments, probability, surprisal in geocommon.

The moments depend only on the value classes of a neighbourhood and their counts, and ``k``
(spec §5); they hold for the binary reference weights and for the ``ties="split"`` weights
alike, since every row of both sums to ``k``.
"""

from __future__ import annotations

import numpy as np

# One definition of the null model for numpy (here) and torch (geoencode's geo-bias losses).
from geocommon.moran_null import SSI_EPS, Probability, null_moments, probability, surprisal

__all__ = ["SSI_EPS", "Probability", "null_moments", "probability", "surprisal", "value_classes"]


def value_classes(marks: np.ndarray, n_background: int, width: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Classes and counts of ``marks`` (``(C, n)``) plus ``n_background`` zeros.

    Returns ``(C, L)`` arrays; a class appears once (ascending) with its count, the other
    slots have count 0 (padding). ``L`` is ``width`` (at least the largest number of classes
    of a row; pass the same for every batch so that results do not depend on the batch), or
    that largest number.

    Examples
    --------
    >>> cls, cnt = value_classes(np.array([[1.0, -1.0, 1.0]]), 10)
    >>> cls[cnt > 0].tolist(), cnt[cnt > 0].tolist()
    ([-1.0, 0.0, 1.0], [1.0, 10.0, 2.0])
    """
    C, n = marks.shape
    vals = np.concatenate([marks, np.zeros((C, 1))], axis=1)
    w = np.concatenate([np.ones((C, n)), np.full((C, 1), float(n_background))], axis=1)
    order = np.argsort(vals, axis=1, kind="stable")
    vals = np.take_along_axis(vals, order, axis=1)
    w = np.take_along_axis(w, order, axis=1)
    start = np.ones(vals.shape, dtype=bool)
    start[:, 1:] = vals[:, 1:] != vals[:, :-1]
    # one slot per class: its value and the summed weight of its run; the moments cost
    # O(classes^2), so the rows keep only as many slots as the row with most classes needs
    need = int(start.sum(axis=1).max())
    width = need if width is None else int(width)
    if width < need:
        raise ValueError(f"width={width} is less than the {need} classes of a row")
    run = np.cumsum(start, axis=1) - 1
    flat = (np.arange(C)[:, None] * width + run).ravel()
    counts = np.bincount(flat, weights=w.ravel(), minlength=C * width).reshape(C, width)
    cls = np.zeros((C, width))
    rr, cc = np.nonzero(start)
    cls[rr, run[rr, cc]] = vals[rr, cc]
    return cls, counts
