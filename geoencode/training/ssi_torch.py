"""The Spatial Self-Information statistic in torch, differentiable in the values.

For each neighbourhood: the unscaled Moran's I numerator of its values over the precomputed kNN
weights (:class:`~geoencode.training.geo_neighbourhoods.WeightGroup`), the null moments of
:mod:`geocommon.moran_null` (the very functions ``geobias`` uses), the two-sided probability and
its surprisal. In float64 it equals ``geobias``'s per-centre score to 1e-9.

Value classes come from the values' forward numbers; each class's value is the mean of its
members' values, so a straight-through indicator (forward 0/1, gradient of the probability)
carries its gradient into the null moments as well as into ``I``.
"""

from __future__ import annotations

import math

import torch

from geocommon.moran_null import SSI_EPS, Probability, null_moments, probability, surprisal, two_sided_z

__all__ = ["moran_numerator", "value_classes", "ssi"]

Weights = torch.Tensor | tuple[torch.Tensor, torch.Tensor]


def moran_numerator(x: torch.Tensor, w_pp: Weights, w_pb: torch.Tensor, w_bb: torch.Tensor,
                    m: int | torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Unscaled Moran's I numerator of presence values ``x`` with ``m`` background zeros.

    Parameters
    ----------
    x : torch.Tensor
        ``(G, n)`` presence values.
    w_pp : torch.Tensor or (torch.Tensor, torch.Tensor)
        ``(G, n, n)`` weights among presence points, or their row lists ``(columns, weights)``,
        each ``(G, n, K)`` (:class:`~geoencode.training.geo_neighbourhoods.WeightGroup`).
    w_pb, w_bb : torch.Tensor
        ``(G, n)`` and ``(G,)`` weight pieces of the background (see :mod:`.geo_neighbourhoods`).
    m : int or torch.Tensor
        Background points (value 0), one number or one per row.
    mask : torch.Tensor, optional
        ``(G, n)``: which entries are presence points (rows of different sizes share one padded
        tensor; padded entries have zero weights).

    Returns
    -------
    torch.Tensor
        ``(G,)``: ``sum_ij w_ij (x_i - xbar)(x_j - xbar)`` over presence ∪ background.

    Examples
    --------
    >>> x = torch.tensor([[1.0, 0.0]])
    >>> w = torch.tensor([[[0.0, 1.0], [1.0, 0.0]]])
    >>> float(moran_numerator(x, w, torch.zeros(1, 2), torch.zeros(1), 0)[0])
    -0.5
    """
    if mask is None:
        xbar = x.sum(-1, keepdim=True) / (x.shape[-1] + m)
        z = x - xbar
    else:
        x = x * mask
        xbar = x.sum(-1, keepdim=True) / (mask.sum(-1, keepdim=True) + _column(m))
        z = (x - xbar) * mask
    if isinstance(w_pp, tuple):
        cols, w = w_pp
        zj = torch.gather(z.unsqueeze(1).expand(-1, z.shape[1], -1), 2, cols)
        quad = (z * (w * zj).sum(-1)).sum(-1)
    else:
        quad = (z.unsqueeze(-1) * w_pp * z.unsqueeze(-2)).sum((-2, -1))
    return quad - xbar[:, 0] * (w_pb * z).sum(-1) + xbar[:, 0] ** 2 * w_bb


def _column(m: int | torch.Tensor) -> int | torch.Tensor:
    return m[:, None] if torch.is_tensor(m) else m


def value_classes(x: torch.Tensor, m: int | torch.Tensor,
                  mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Classes (ascending) and counts of each row of ``x`` plus ``m`` zeros, padded with count 0.

    Class values are the mean of their members (differentiable); membership is by the forward
    value. Entries outside ``mask`` count for nothing.

    Examples
    --------
    >>> cls, cnt = value_classes(torch.tensor([[1.0, -1.0, 1.0]]), 10)
    >>> cls.tolist(), cnt.tolist()
    ([[-1.0, 0.0, 1.0]], [[1.0, 10.0, 2.0]])
    """
    G, n = x.shape
    zero = x.new_zeros(G, 1)
    present = torch.ones_like(x) if mask is None else mask.to(x.dtype)
    vals = torch.cat([x * present, zero], 1)
    weights = torch.cat([present, zero + _column(m)], 1)
    key = vals.detach()
    order = torch.argsort(key, dim=1, stable=True)
    sk = torch.gather(key, 1, order)
    start = torch.ones_like(sk, dtype=torch.bool)
    start[:, 1:] = sk[:, 1:] != sk[:, :-1]
    run = torch.cumsum(start.long(), 1) - 1
    slot = torch.empty_like(run).scatter_(1, order, run)
    width = int(run.max()) + 1
    counts = x.new_zeros(G, width).scatter_add(1, slot, weights)
    sums = x.new_zeros(G, width).scatter_add(1, slot, vals)
    classes = torch.where(counts > 0, sums / counts.clamp(min=1), torch.zeros_like(sums))
    return classes, counts


def ssi(x: torch.Tensor, w_pp: Weights, w_pb: torch.Tensor, w_bb: torch.Tensor, m: int | torch.Tensor, k: int = 4,
        kind: Probability = "two_sided", std_offset: float = 1.0, eps: float = SSI_EPS,
        mask: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    """SSI of each neighbourhood: ``-ln(p + eps)`` of Moran's numerator under the normal null.

    Parameters
    ----------
    x : torch.Tensor
        ``(G, n)`` presence values (the marks; all ones for the base score).
    w_pp, w_pb, w_bb, m, mask :
        The neighbourhoods' weight pieces, background size and presence mask
        (:func:`moran_numerator`).
    k : int, default 4
        Neighbours of the weights.
    kind, std_offset :
        As :func:`geocommon.moran_null.probability` (``geobs``: two-sided, +1).
    eps : float, default 1e-256
        Added to the probability before the log (``geobias``: 1e-256; GeoBS's loss: 1e-32).

    Returns
    -------
    dict of torch.Tensor
        ``ssi``, ``I``, ``mu``, ``var``, ``p``, each ``(G,)``.

    Examples
    --------
    >>> x = torch.tensor([[1.0, 1.0, 0.0, 0.0, 0.0, 1.0]], dtype=torch.float64)
    >>> w = torch.ones(1, 6, 6, dtype=torch.float64) * 0.8
    >>> w[0].fill_diagonal_(0.0)
    tensor(...)
    >>> out = ssi(x, w, torch.zeros(1, 6, dtype=torch.float64), torch.zeros(1, dtype=torch.float64), 0)
    >>> bool(out["ssi"][0] >= 0)
    True
    """
    I = moran_numerator(x, w_pp, w_pb, w_bb, m, mask)
    classes, counts = value_classes(x, m, mask)
    mu, var = null_moments(classes, counts, k)
    if kind == "two_sided":
        # -ln(2 Phi(z) + eps) through log Phi: the same value, and a gradient that stays finite where
        # Phi underflows beneath eps (there d/dz -ln(p + eps) would be phi(z) / eps, ~1e12 and more)
        log_p = math.log(2.0) + torch.special.log_ndtr(two_sided_z(I, mu, var, std_offset))
        # (at p = 1 the sum rounds like 1 + eps does: to a surprisal of 0, never -1e-32)
        ssi_ = (-torch.logaddexp(log_p, torch.full_like(log_p, math.log(eps)))).clamp(min=0.0)
        return {"ssi": ssi_, "I": I, "mu": mu, "var": var, "p": log_p.exp()}
    p = probability(I, mu, var, kind, std_offset, ndtr=torch.special.ndtr)
    return {"ssi": surprisal(p, eps), "I": I, "mu": mu, "var": var, "p": p}
