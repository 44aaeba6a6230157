"""The null model of the Geo-Bias Score: moments of Moran's I numerator, probability, surprisal.

The moments depend only on the value classes of a neighbourhood and their counts, and ``k``
(spec §5); they hold for the binary reference weights and for the ``ties="split"`` weights
alike, since every row of both sums to ``k``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from scipy.special import ndtr

__all__ = ["SSI_EPS", "Probability", "null_moments", "probability", "surprisal", "value_classes"]

#: Added to the probability before the log, so the largest SSI is 589.46.
SSI_EPS = 1e-256

Probability = Literal["two_sided", "density"]

def null_moments(classes: np.ndarray, counts: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the unscaled Moran's I numerator under the null.

    The moments depend only on the value classes ``c_p`` and their counts
    ``n_p`` (spec §5). The background class ``b`` is the most frequent one
    (the first, in ascending class order, among equally frequent ones).

    Parameters
    ----------
    classes : numpy.ndarray
        ``(C, L)`` class values of ``C`` neighbourhoods, ascending within a
        row among the entries with a positive count.
    counts : numpy.ndarray
        ``(C, L)`` class counts; ``0`` marks padding.
    k : int
        Number of nearest neighbours of the weights.

    Returns
    -------
    mu : numpy.ndarray
        ``(C,)`` null means.
    var : numpy.ndarray
        ``(C,)`` null variances (may be slightly negative for exotic class
        counts with a fixed density; callers clamp at 0).

    Examples
    --------
    >>> mu, var = null_moments(np.array([[0.0, 1.0]]), np.array([[50, 10]]), 4)
    >>> round(float(mu[0]), 6), round(float(var[0]), 6)
    (-1.277778, 6.933333)
    """
    cs = np.asarray(classes, dtype=float)
    ns = np.asarray(counts, dtype=float)
    real = ns > 0
    N = ns.sum(axis=1, keepdims=True)
    xmean = (cs * ns).sum(axis=1, keepdims=True) / N
    a = cs - xmean
    b = np.argmax(ns, axis=1)
    rows = np.arange(cs.shape[0])
    a_b = a[rows, b][:, None]
    c_b = cs[rows, b][:, None]

    # diagonal (p == q) terms
    mu = np.where(real, a * a * ((ns - 1) * k * ns / N - 1), 0.0).sum(axis=1)
    not_b = real.copy()
    not_b[rows, b] = False
    diag_var = (cs - c_b) ** 4 * (2 * (ns - 1) * k * ns / N * (1 - k * (2 * ns - 1) / (3 * N)))
    var = np.where(not_b, diag_var, 0.0).sum(axis=1)

    # off-diagonal (p != q) terms, in blocks of classes so memory stays C * block * L; the
    # block depends on L only, so a neighbourhood's bits do not depend on its batch
    L = cs.shape[1]
    block = max(1, 65_536 // L)
    Nf = N[:, :, None]
    for start in range(0, L, block):
        sl = slice(start, min(L, start + block))
        ap, aq = a[:, sl, None], a[:, None, :]
        np_, nq = ns[:, sl, None], ns[:, None, :]
        mx = np.maximum(np_, nq)
        e = np.minimum(np_, nq) * k * mx / Nf
        off = real[:, sl, None] & real[:, None, :]
        off &= np.arange(start, sl.stop)[None, :, None] != np.arange(L)[None, None, :]
        mu = mu + np.where(off, ap * aq * e, 0.0).sum(axis=(1, 2))
        offv = off & not_b[:, sl, None] & not_b[:, None, :]
        coef = (ap * aq - 2 * ap * a_b[:, :, None] + a_b[:, :, None] ** 2) ** 2
        var = var + np.where(offv, coef * e * (1 - k * mx / Nf), 0.0).sum(axis=(1, 2))
    return mu, var


def probability(
    I: np.ndarray,
    mu: np.ndarray,
    var: np.ndarray,
    kind: Probability = "two_sided",
    std_offset: float = 1.0,
) -> np.ndarray:
    """Probability of the observed Moran numerator under the normal null.

    Parameters
    ----------
    I : numpy.ndarray
        Observed unscaled Moran's I numerators.
    mu, var : numpy.ndarray
        Null moments from :func:`null_moments`; negative variances are
        clamped at 0.
    kind : {"two_sided", "density"}, default "two_sided"
        ``"two_sided"``: ``2 * Phi((min(I, 2mu - I) - mu) / sigma')`` (PyGBS);
        ``"density"``: the normal density at ``I`` (TorchSpatial 2024).
    std_offset : float, default 1.0
        Added to ``sigma`` (PyGBS adds 1; the 2024 scripts add nothing).

    Returns
    -------
    numpy.ndarray
        Probabilities; ``nan`` where the density is undefined (``sigma' = 0``).

    Examples
    --------
    >>> float(probability(np.array([0.0]), np.array([0.0]), np.array([1.0]))[0])
    1.0
    """
    sd = np.sqrt(np.maximum(np.asarray(var, dtype=float), 0.0)) + std_offset
    I = np.asarray(I, dtype=float)
    mu = np.asarray(mu, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "two_sided":
            low = np.minimum(I, 2 * mu - I)
            z = (low - mu) / sd
            # sd == 0 and I == mu: the observation *is* the null mean
            z = np.where((sd == 0) & (low == mu), 0.0, z)
            return 2 * ndtr(z)
        if kind == "density":
            z = (I - mu) / sd
            p = np.exp(-0.5 * z * z) / (np.sqrt(2 * np.pi) * sd)
            return np.where(sd > 0, p, np.nan)
    raise ValueError(f"unknown probability kind {kind!r}")


def surprisal(p: np.ndarray) -> np.ndarray:
    """Self-information ``-ln(p + 1e-256)``.

    Parameters
    ----------
    p : numpy.ndarray
        Probabilities (or densities).

    Returns
    -------
    numpy.ndarray
        Surprisal in nats; at most ``589.46``.

    Examples
    --------
    >>> round(float(surprisal(np.array([0.0]))[0]), 2)
    589.46
    """
    return -np.log(np.asarray(p, dtype=float) + SSI_EPS)


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
