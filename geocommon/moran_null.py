"""The null model of the Geo-Bias Score, written once for numpy and torch.

The Spatial Self-Information of a neighbourhood compares the unscaled Moran's I numerator of its
values with a normal null whose moments depend only on the value classes, their counts and the
number of neighbours ``k`` (spec §5). ``geobias`` evaluates it on numpy arrays; the geo-bias
losses of ``geoencode.training`` evaluate it on torch tensors and differentiate through it. Both
call these functions, so there is one definition of the moments, the probability and the
surprisal. The array library is found from the arguments (`array-api-compat
<https://data-apis.org/array-api-compat/>`_); nothing here imports torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

from array_api_compat import array_namespace

__all__ = ["SSI_EPS", "Probability", "null_moments", "two_sided_z", "probability", "surprisal"]

#: Added to the probability before the log, so the largest SSI is 589.46.
SSI_EPS = 1e-256

Probability = Literal["two_sided", "density"]


def null_moments(classes: Any, counts: Any, k: int) -> tuple[Any, Any]:
    """Mean and variance of the unscaled Moran's I numerator under the null.

    The moments depend only on the value classes ``c_p`` and their counts ``n_p`` (spec §5). The
    background class ``b`` is the most frequent one (the first, in slot order, among equally
    frequent ones). Works on numpy arrays and torch tensors alike (differentiable in ``classes``).

    Parameters
    ----------
    classes : array
        ``(C, L)`` class values of ``C`` neighbourhoods; a class occupies one slot.
    counts : array
        ``(C, L)`` class counts (same dtype as ``classes`` or castable); ``0`` marks padding.
    k : int
        Number of nearest neighbours of the weights (every row of the weights sums to ``k``).

    Returns
    -------
    mu, var : array
        ``(C,)`` null means and variances (a variance may be slightly negative for exotic class
        counts; :func:`probability` clamps it at 0).

    Examples
    --------
    >>> import numpy as np
    >>> mu, var = null_moments(np.array([[0.0, 1.0]]), np.array([[50.0, 10.0]]), 4)
    >>> round(float(mu[0]), 6), round(float(var[0]), 6)
    (-1.277778, 6.933333)
    """
    xp = array_namespace(classes, counts)
    cs = classes if xp.isdtype(classes.dtype, "real floating") else xp.astype(classes, xp.float64)
    ns = xp.astype(counts, cs.dtype)
    real = ns > 0
    N = xp.sum(ns, axis=1, keepdims=True)
    xmean = xp.sum(cs * ns, axis=1, keepdims=True) / N
    a = cs - xmean
    b = xp.argmax(ns, axis=1)
    rows = xp.arange(cs.shape[0])
    a_b = a[rows, b][:, None]
    c_b = cs[rows, b][:, None]
    L = cs.shape[1]
    slot = xp.arange(L)
    not_b = real & (slot[None, :] != b[:, None])

    # diagonal (p == q) terms
    mu = xp.sum(xp.where(real, a * a * ((ns - 1) * k * ns / N - 1), 0.0), axis=1)
    diag_var = (cs - c_b) ** 4 * (2 * (ns - 1) * k * ns / N * (1 - k * (2 * ns - 1) / (3 * N)))
    var = xp.sum(xp.where(not_b, diag_var, 0.0), axis=1)

    # off-diagonal (p != q) terms, in blocks of classes so memory stays C * block * L; the block
    # depends on L only, so a neighbourhood's bits do not depend on its batch
    block = max(1, 65_536 // L)
    Nf = N[:, :, None]
    for start in range(0, L, block):
        stop = min(L, start + block)
        ap, aq = a[:, start:stop, None], a[:, None, :]
        np_, nq = ns[:, start:stop, None], ns[:, None, :]
        mx = xp.maximum(np_, nq)
        e = xp.minimum(np_, nq) * k * mx / Nf
        off = real[:, start:stop, None] & real[:, None, :]
        off = off & (slot[start:stop][None, :, None] != slot[None, None, :])
        mu = mu + xp.sum(xp.where(off, ap * aq * e, 0.0), axis=(1, 2))
        offv = off & not_b[:, start:stop, None] & not_b[:, None, :]
        coef = (ap * aq - 2 * ap * a_b[:, :, None] + a_b[:, :, None] ** 2) ** 2
        var = var + xp.sum(xp.where(offv, coef * e * (1 - k * mx / Nf), 0.0), axis=(1, 2))
    return mu, var


def probability(I: Any, mu: Any, var: Any, kind: Probability = "two_sided", std_offset: float = 1.0,
                ndtr: Callable[[Any], Any] | None = None) -> Any:
    """Probability of the observed Moran numerator under the normal null.

    Parameters
    ----------
    I : array
        Observed unscaled Moran's I numerators.
    mu, var : array
        Null moments from :func:`null_moments`; negative variances are clamped at 0.
    kind : {"two_sided", "density"}, default "two_sided"
        ``"two_sided"``: ``2 * Phi((min(I, 2mu - I) - mu) / sigma')`` (PyGBS);
        ``"density"``: the normal density at ``I`` (TorchSpatial 2024).
    std_offset : float, default 1.0
        Added to ``sigma`` (PyGBS adds 1; the 2024 scripts add nothing).
    ndtr : callable, optional
        The standard normal CDF for the array library of ``I`` (default: ``scipy.special.ndtr``
        for numpy; pass ``torch.special.ndtr`` for tensors).

    Returns
    -------
    array
        Probabilities; ``nan`` where the density is undefined (``sigma' = 0``).

    Examples
    --------
    >>> import numpy as np
    >>> float(probability(np.array([0.0]), np.array([0.0]), np.array([1.0]))[0])
    1.0
    """
    xp = array_namespace(I, mu, var)
    if kind == "two_sided":
        if ndtr is None:
            from scipy.special import ndtr
        return 2 * ndtr(two_sided_z(I, mu, var, std_offset))
    sd = _sd(xp, var, std_offset)
    if kind == "density":
        safe = xp.where(sd > 0, sd, 1.0)
        z = (I - mu) / safe
        p = xp.exp(-0.5 * z * z) / (math.sqrt(2 * math.pi) * safe)
        return xp.where(sd > 0, p, p * math.nan)
    raise ValueError(f"unknown probability kind {kind!r}")


def _sd(xp: Any, var: Any, std_offset: float) -> Any:
    # sqrt of a variance <= 0 taken as 0 with a zero gradient (not sqrt'(0) = inf)
    pos = var > 0
    return xp.where(pos, xp.sqrt(xp.where(pos, var, 1.0)), 0.0) + std_offset


def two_sided_z(I: Any, mu: Any, var: Any, std_offset: float = 1.0) -> Any:
    """The standard score of the two-sided probability: ``(min(I, 2mu - I) - mu) / sigma'``.

    ``probability = 2 * Phi(z)``; a caller that needs the log (a loss) takes ``log_ndtr(z)`` instead,
    whose gradient stays finite where the probability underflows. ``sigma' = 0``: ``z = 0`` when
    ``I`` is the null mean, ``-inf`` otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> float(two_sided_z(np.array([3.0]), np.array([1.0]), np.array([4.0]), 0.0)[0])
    -1.0
    """
    xp = array_namespace(I, mu, var)
    sd = _sd(xp, var, std_offset)
    low = xp.minimum(I, 2 * mu - I)
    z = (low - mu) / xp.where(sd > 0, sd, 1.0)
    return xp.where(sd > 0, z, xp.where(low == mu, z * 0.0, z * 0.0 - math.inf))


def surprisal(p: Any, eps: float = SSI_EPS) -> Any:
    """Self-information ``-ln(p + eps)``.

    Parameters
    ----------
    p : array
        Probabilities (or densities).
    eps : float, default 1e-256
        Added before the log (the reference's value; at most ``589.46`` nats).

    Returns
    -------
    array
        Surprisal in nats.

    Examples
    --------
    >>> import numpy as np
    >>> round(float(surprisal(np.array([0.0]))[0]), 2)
    589.46
    """
    xp = array_namespace(p)
    return -xp.log(p + eps)
