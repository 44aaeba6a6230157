"""Geo-bias regularisers that train: GeoBS's SSI, marked-SSI and SRI losses, differentiable.

GeoBS (seai-lab/GeoBS, ``baselines/gbsloss.py``) proposes three losses that penalise spatially
clustered performance. As released none of them trains (see ``docs/debias.rst``): its SSI loss
thresholds performance with ``clamp(p - t, 0) / (p - t)``, whose gradient is zero everywhere; its
marked-SSI loss raises ``IndexError`` when built; its trainer truncates coordinates with
``.long()``. These classes keep GeoBS's definitions and defaults and make them differentiable:

* the threshold is a straight-through indicator ``1[p > t] + p - stopgrad(p)`` (default; forward
  values as GeoBS's, gradient of ``p``) or a sigmoid ``sigmoid((p - t) / temperature)``;
* neighbourhoods and their kNN weights are built once over the training set (one haversine ball
  tree, :mod:`.geo_neighbourhoods`); each step draws ``anchors_per_step`` anchors and runs the
  model on their neighbours only;
* the statistic is :mod:`.ssi_torch`, which equals ``geobias``'s score.

A regulariser is bound to the training data by :meth:`GeoBiasRegulariser.bind` (the
:class:`~geoencode.training.Trainer` does it) and called as ``reg(model, generator)``; it returns
``weight * loss``, or 0 when the step has no valid anchor (counted in ``skipped_steps``).

Defaults and where they come from (GeoBS ``baselines/configs.json`` and ``trainer.py`` at
bdc3c3b): ``weight`` = ``debias_lambda`` 1e-4; SSI ``radius`` = ``ssi_radius`` 0.01 rad
(63.71 km); neighbourhood cap = ``partition_k`` 400; at least 10 neighbours
(``train_ssi_debias``); majority share window [0.6, 0.9] (``SSILoss.forward``); threshold
``BinaryPerformanceTransformer_thres`` 0.9; ``eps`` 1e-32 in the log; SRI ``radius`` =
``sri_radius`` 0.1 rad (637.1 km), ``sri_scale_grid`` 0.05 rad, ``sri_distance_lag`` 0.02 rad,
``sri_split_number`` 4, 4 soft bins (``SoftHistogramPerformanceTransformer_bins``) of sharpness
3, parts of at least 10 points (``get_*_idx(threshold=10)``); anchors per step = their batch
size 32. The marked loss follows ``gbsloss/loss.py`` (radius 0.01 rad, cap 100) with
``geobias``'s ring background.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
import torch
from torch import nn

from geocommon.earth import EARTH_RADIUS_KM

from ..errors import GeoEncodeError
from .geo_neighbourhoods import neighbourhood_lists, to_radians, weight_groups
from .ssi_torch import ssi, value_classes

__all__ = ["GeoBiasRegulariser", "SSILoss", "MarkedSSILoss", "true_class_probability", "indicate"]

Indicator = Literal["straight_through", "sigmoid", "hard"]
Performance = Callable[[nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]


def true_class_probability(model: nn.Module, lonlat: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The model's probability of the true class: sigmoid for one output, softmax otherwise.

    A model whose ``outputs_probabilities`` is true (a :class:`~geoencode.models.LocationPrior`:
    independent class presence probabilities) is read as it is.

    Examples
    --------
    >>> m = nn.Linear(2, 3)
    >>> p = true_class_probability(m, torch.zeros(4, 2), torch.tensor([0, 1, 2, 0]))
    >>> p.shape
    torch.Size([4])
    """
    if labels.is_floating_point():
        raise GeoEncodeError("the geo-bias losses need class labels, got a float (regression) target; pass "
                             "performance=callable(model, lonlat, y) -> values in [0, 1] for a regressor.")
    out = model(lonlat)
    if getattr(model, "outputs_probabilities", False):
        return out.gather(-1, labels[:, None].long())[:, 0]
    if out.shape[-1] == 1:
        p = torch.sigmoid(out[..., 0])
        return torch.where(labels.bool(), p, 1 - p)
    return torch.softmax(out, -1).gather(-1, labels[:, None].long())[:, 0]


def indicate(p: torch.Tensor, threshold: float, indicator: Indicator = "straight_through",
             temperature: float = 0.05) -> torch.Tensor:
    """Performance ``p`` turned into GeoBS's ``1[p > t]``, with a gradient.

    ``"straight_through"``: forward ``1[p > t]``, backward the gradient of ``p``; ``"sigmoid"``:
    ``sigmoid((p - t) / temperature)``; ``"hard"``: GeoBS's own (no gradient).

    Examples
    --------
    >>> p = torch.tensor([0.2, 0.95], requires_grad=True)
    >>> v = indicate(p, 0.9); v.sum().backward()
    >>> v.tolist(), p.grad.tolist()
    ([0.0, 1.0], [1.0, 1.0])
    """
    hard = (p > threshold).to(p.dtype)
    if indicator == "straight_through":
        return hard + p - p.detach()
    if indicator == "sigmoid":
        return torch.sigmoid((p - threshold) / temperature)
    if indicator == "hard":
        return hard
    raise GeoEncodeError(f"indicator={indicator!r} must be 'straight_through', 'sigmoid' or 'hard'.")


class GeoBiasRegulariser(nn.Module):
    """Shared machinery: neighbourhoods once, anchors per step, performance of the neighbours.

    Parameters
    ----------
    radius_km : float
        Neighbourhood radius (great circle, km).
    weight : float
        Multiplier of the loss (GeoBS's ``debias_lambda``).
    max_neighbors : int
        Neighbourhood cap (nearest first).
    min_neighbors : int
        Anchors with fewer neighbours (itself included) are never drawn.
    anchors_per_step : int
        Anchors drawn per step.
    max_anchors : int or None
        Anchors whose weights are precomputed (a random subset of the eligible ones, drawn once).
    performance : callable, optional
        ``performance(model, lonlat, y)`` → per-sample performance in [0, 1] (default
        :func:`true_class_probability`).
    """

    def __init__(self, radius_km: float, weight: float, max_neighbors: int, min_neighbors: int,
                 anchors_per_step: int = 32, max_anchors: int | None = 4096,
                 performance: Performance | None = None) -> None:
        super().__init__()
        for name, v in (("radius_km", radius_km), ("anchors_per_step", anchors_per_step),
                        ("max_neighbors", max_neighbors)):
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise GeoEncodeError(f"{name} must be a positive number, got {v!r}.")
        if not (isinstance(weight, (int, float)) and math.isfinite(weight) and weight >= 0):
            raise GeoEncodeError(f"weight must be a finite number >= 0, got {weight!r}.")
        self.radius_km, self.weight = float(radius_km), float(weight)
        self.max_neighbors, self.min_neighbors = int(max_neighbors), int(min_neighbors)
        self.anchors_per_step, self.max_anchors = int(anchors_per_step), max_anchors
        self.performance = performance or true_class_probability
        self.steps, self.skipped_steps = 0, 0
        self._bound = False
        #: dtype of the stored weights (float64 for scores compared with geobias)
        self.dtype = torch.float32

    @property
    def radius(self) -> float:
        """Radius in radians (km / 6371, as the reference)."""
        return self.radius_km / EARTH_RADIUS_KM

    def bind(self, lonlat: torch.Tensor, labels: torch.Tensor, seed: int = 0) -> "GeoBiasRegulariser":
        """Build the neighbourhoods of the training points ``lonlat`` (degrees) once."""
        xy = np.asarray(torch.as_tensor(lonlat).detach().cpu().double())
        if xy.ndim != 2 or xy.shape[1] != 2 or not np.isfinite(xy).all():
            raise GeoEncodeError("the geo-bias regulariser needs finite (N, 2) lon/lat training coordinates.")
        if labels.is_floating_point() and self.performance is true_class_probability:
            raise GeoEncodeError(f"{type(self).__name__} got a float (regression) target where class labels are "
                                 "expected; pass performance=callable(model, lonlat, y) for a regressor.")
        self._lonlat, self._labels = lonlat, labels
        lat, lon = to_radians(xy)
        indptr, indices, dist = neighbourhood_lists(lat, lon, self.radius, self.max_neighbors)
        sizes = np.diff(indptr)
        eligible = np.flatnonzero(sizes >= max(self.min_neighbors, 1))
        if eligible.size == 0:
            raise GeoEncodeError(
                f"{type(self).__name__}: no training point has {max(self.min_neighbors, 1)} neighbours within "
                f"radius_km={self.radius_km:g} (largest neighbourhood: {int(sizes.max())} points); raise radius_km "
                f"or lower min_neighbors.")
        rng = np.random.default_rng(seed)
        if self.max_anchors is not None and eligible.size > self.max_anchors:
            eligible = np.sort(rng.choice(eligible, self.max_anchors, replace=False))
        self.n_anchors = eligible.size
        self._prepare(lat, lon, indptr, indices, dist, eligible, lonlat.device)
        self._bound = True
        return self

    def forward(self, model: nn.Module, generator: torch.Generator | None = None) -> torch.Tensor:
        """``weight * loss`` on anchors drawn with ``generator``; 0 when none is valid."""
        if not self._bound:
            raise GeoEncodeError(f"{type(self).__name__} is not bound to training data; call .bind(lonlat, y) "
                                 "or pass it to Trainer(regularisers=[...]).")
        pick = torch.randint(self.n_anchors, (min(self.anchors_per_step, self.n_anchors),), generator=generator)
        loss = self._loss(model, np.unique(pick.numpy()))
        if loss is None:
            self.skipped_steps += 1
            return next(model.parameters()).new_zeros(())
        self.steps += 1
        return self.weight * loss

    def _performance(self, model: nn.Module, rows: np.ndarray) -> torch.Tensor:
        idx = torch.as_tensor(rows).to(self._lonlat.device)
        return self.performance(model, self._lonlat[idx], self._labels[idx])

    def _prepare(self, lat, lon, indptr, indices, dist, anchors, device) -> None:  # pragma: no cover
        raise NotImplementedError

    def _loss(self, model: nn.Module, picks: np.ndarray) -> torch.Tensor | None:  # pragma: no cover
        raise NotImplementedError

    def extra_repr(self) -> str:
        return f"radius_km={self.radius_km:g}, weight={self.weight:g}, anchors_per_step={self.anchors_per_step}"


class _SSIBase(GeoBiasRegulariser):
    background = False
    #: which points carry the value 1: the successes (GeoBS) or the failures
    marks = "hits"

    def __init__(self, radius_km: float, weight: float, max_neighbors: int, min_neighbors: int,
                 threshold: float, indicator: Indicator, temperature: float,
                 majority_window: tuple[float, float] | None, eps: float, k: int = 4, **kw) -> None:
        super().__init__(radius_km, weight, max_neighbors, min_neighbors, **kw)
        if majority_window is not None and not 0 <= majority_window[0] <= majority_window[1] <= 1:
            raise GeoEncodeError(f"majority_window must be (low, high) with 0 <= low <= high <= 1, got {majority_window!r}.")
        self.threshold, self.indicator, self.temperature = threshold, indicator, temperature
        self.majority_window, self.eps, self.k = majority_window, eps, k
        indicate(torch.zeros(1), threshold, indicator, temperature)  # validates the indicator now

    def _prepare(self, lat, lon, indptr, indices, dist, anchors, device) -> None:
        sub_ptr = np.r_[0, np.cumsum(np.diff(indptr)[anchors])]
        sub_idx = np.concatenate([indices[indptr[a]:indptr[a + 1]] for a in anchors])
        groups = weight_groups(lat, lon, sub_ptr, sub_idx, centres=anchors, radius=self.radius, k=self.k,
                               background=self.background)
        # one padded store for all anchors, whatever their neighbourhood size, so that a step is a
        # few batched tensor operations rather than a loop over sizes
        kept = np.sort(np.concatenate([g.centres for g in groups]))
        row = {int(c): i for i, c in enumerate(kept)}
        A, n_max = kept.size, max(g.n for g in groups)
        K = max(g.cols.shape[-1] for g in groups)
        members = np.full((A, n_max), -1, dtype=np.int64)
        cols = np.zeros((A, n_max, K), dtype=np.int64)
        w_pp, w_pb = np.zeros((A, n_max, K)), np.zeros((A, n_max))
        w_bb, m = np.zeros(A), np.zeros(A)
        for g in groups:
            r = np.array([row[int(c)] for c in g.centres])
            n, k_g = g.n, g.cols.shape[-1]
            members[r, :n], cols[r, :n, :k_g], w_pp[r, :n, :k_g] = g.members, g.cols, g.w_pp
            w_pb[r, :n], w_bb[r], m[r] = g.w_pb, g.w_bb, g.m
        t = lambda a: torch.as_tensor(a, dtype=self.dtype, device=device)  # noqa: E731
        self._members = torch.as_tensor(members, device=device)
        self._cols = torch.as_tensor(cols, device=device)
        self._w_pp, self._w_pb, self._w_bb, self._m = t(w_pp), t(w_pb), t(w_bb), t(m)
        # anchors without a kNN graph (too few points) leave the pool
        self.anchors, self.n_anchors = kept, A

    def scores(self, values: torch.Tensor, picks: np.ndarray | None = None,
               chunk: int = 4096) -> torch.Tensor:
        """SSI of each pool anchor (or of ``picks``) for per-point ``values`` ``(N,)``; ``nan``: skipped.

        ``values`` are the marks of every training point (e.g. indicated performance, or ones
        for the base score); anchors outside the majority window are ``nan``.
        """
        picks = torch.arange(self.n_anchors) if picks is None else torch.as_tensor(picks)
        out = []
        for part in picks.split(chunk):
            r = part.to(self._members.device)
            mem = self._members[r]
            mask = mem >= 0
            x = values[mem.clamp(min=0)] * mask
            dt = x.dtype
            res = ssi(x, (self._cols[r], self._w_pp[r].to(dt)), self._w_pb[r].to(dt), self._w_bb[r].to(dt),
                      self._m[r].to(dt), self.k, eps=self.eps, mask=mask)["ssi"]
            out.append(torch.where(self._in_window(x, mask), res, res.new_full((), math.nan)))
        return torch.cat(out)

    def _loss(self, model: nn.Module, picks: np.ndarray) -> torch.Tensor | None:
        mem = self._members[torch.as_tensor(picks, device=self._members.device)]
        rows = torch.unique(mem[mem >= 0])
        v = indicate(self._performance(model, rows), self.threshold, self.indicator, self.temperature)
        if self.marks == "errors":
            v = 1 - v
        values = v.new_zeros(self._lonlat.shape[0]).index_put((rows.to(v.device),), v)
        s = self.scores(values, picks)
        s = s[~torch.isnan(s)]
        return s.mean() if s.numel() else None

    def _in_window(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.majority_window is None:
            return torch.ones(x.shape[0], dtype=torch.bool, device=x.device)
        # GeoBS: the largest class of the neighbourhood's values over the neighbourhood's size
        _, counts = value_classes(x.detach(), 0, mask)
        share = counts.max(-1).values / mask.sum(-1)
        lo, hi = self.majority_window
        return (share >= lo) & (share <= hi)


class SSILoss(_SSIBase):
    """GeoBS's SSI loss: SSI of thresholded performance over each anchor's neighbourhood.

    As GeoBS's ``SSILoss``: kNN weights (k = 4) over the neighbourhood points only (no
    background), the two-sided probability with ``sigma + 1``, ``-ln(p + 1e-32)``, anchors whose
    majority share of values is outside ``majority_window`` skipped. Differentiable through
    ``indicator`` (see :func:`indicate`).

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> xy = torch.rand(400, 2, generator=g) * 4
    >>> y = (xy[:, 0] > 2).long()
    >>> model = nn.Linear(2, 1)
    >>> reg = SSILoss(radius_km=60, weight=1.0, majority_window=None).bind(xy, y)
    >>> bool(reg(model, g) >= 0)
    True
    """

    def __init__(self, radius_km: float = 0.01 * EARTH_RADIUS_KM, weight: float = 1e-4, *,
                 max_neighbors: int = 400, min_neighbors: int = 10, threshold: float = 0.9,
                 indicator: Indicator = "straight_through", temperature: float = 0.05,
                 majority_window: tuple[float, float] | None = (0.6, 0.9), eps: float = 1e-32,
                 anchors_per_step: int = 32, max_anchors: int | None = 4096,
                 performance: Performance | None = None) -> None:
        super().__init__(radius_km, weight, max_neighbors, min_neighbors, threshold, indicator, temperature,
                         majority_window, eps, anchors_per_step=anchors_per_step, max_anchors=max_anchors,
                         performance=performance)


class MarkedSSILoss(_SSIBase):
    """Marked SSI loss: ``geobias``'s relative Geo-Bias Score of thresholded performance.

    Over each anchor's neighbourhood plus ``geobias``'s ring background (value 0, about five
    points per neighbour), so the loss is the very score the audit reports, on the training set.
    GeoBS's own ``MarkedSSILoss`` (``gbsloss/loss.py``) intended the same: presence scores
    beside background points on a fixed kNN graph, but it raises ``IndexError`` when built.

    ``marks="hits"`` (default) marks the successes 1, as the audit's ``hit@1`` does; there an
    accurate model's score approaches the base score (a perfect one equals it), so lowering it
    below means spreading failures. ``marks="errors"`` marks the failures 1 instead: the score of
    where a model fails, 0 for a perfect model, so lowering it breaks up clusters of errors.

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> xy = torch.rand(400, 2, generator=g) * 4
    >>> reg = MarkedSSILoss(radius_km=60, weight=1.0).bind(xy, (xy[:, 0] > 2).long())
    >>> bool(reg(nn.Linear(2, 1), g) >= 0)
    True
    """

    background = True

    def __init__(self, radius_km: float = 0.01 * EARTH_RADIUS_KM, weight: float = 1e-4, *,
                 max_neighbors: int = 100, min_neighbors: int = 10, threshold: float = 0.9,
                 indicator: Indicator = "straight_through", temperature: float = 0.05,
                 majority_window: tuple[float, float] | None = None, eps: float = 1e-32,
                 anchors_per_step: int = 32, max_anchors: int | None = 4096,
                 performance: Performance | None = None, marks: Literal["hits", "errors"] = "hits") -> None:
        super().__init__(radius_km, weight, max_neighbors, min_neighbors, threshold, indicator, temperature,
                         majority_window, eps, anchors_per_step=anchors_per_step, max_anchors=max_anchors,
                         performance=performance)
        if marks not in ("hits", "errors"):
            raise GeoEncodeError(f"marks={marks!r} must be 'hits' or 'errors'.")
        self.marks = marks
