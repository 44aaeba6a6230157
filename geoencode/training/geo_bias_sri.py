"""GeoBS's SRI loss (spatial relative information), differentiable, and the partitions it uses.

Each anchor's neighbourhood (within ``radius`` among its ``max_neighbors`` nearest) is cut into
parts — a lat/lon grid anchored at the anchor (``scale-grid``), rings of distance
(``distance-lag``) or bearing sectors (``direction-sector``) — and the soft histogram of the
performance of every part of at least ``min_part`` points is compared with the neighbourhood's:
``KL(global || local)``, GeoBS's ``nn.KLDivLoss(reduction="batchmean")`` on a histogram, i.e. the
divergence divided by the number of bins. Parts are fixed by the coordinates, so they are built
once. Unlike GeoBS, the grid wraps longitude at the antimeridian and sectors are bearings around
the anchor (:mod:`geocommon.sri_partitions`, shared with ``geobias``; GeoBS subtracts the
anchor's longitude from a longitude of the rotated frame).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch
from torch import nn

from geocommon.earth import EARTH_RADIUS_KM
from geocommon.sri_partitions import PARTITIONS, Partition, partition_ids

from ..errors import GeoEncodeError
from .geo_bias_losses import GeoBiasRegulariser, Performance

__all__ = ["soft_histogram", "SRILoss"]

def soft_histogram(p: torch.Tensor, bins: int = 4, sharpness: float = 3.0) -> torch.Tensor:
    """GeoBS's soft bin memberships of ``p`` in [0, 1]: ``(len(p), bins)``, not normalised.

    Examples
    --------
    >>> soft_histogram(torch.tensor([0.1, 0.9]), bins=2, sharpness=100.0).round().tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    delta = 1.0 / bins
    centres = delta * (torch.arange(bins, dtype=p.dtype, device=p.device) + 0.5)
    d = p[:, None] - centres[None, :]
    return torch.sigmoid(sharpness * (d + delta / 2)) - torch.sigmoid(sharpness * (d - delta / 2))


class SRILoss(GeoBiasRegulariser):
    """GeoBS's SRI loss: the parts' performance histograms pulled towards their neighbourhood's.

    Parameters
    ----------
    radius_km : float, default 637.1 (0.1 rad, GeoBS ``sri_radius``)
    weight : float, default 1e-4 (GeoBS ``debias_lambda``)
    partition : {"scale-grid", "distance-lag", "direction-sector"}, default "scale-grid"
    scale_km, lag_km : float, defaults 318.55 and 127.42 (0.05 and 0.02 rad)
    n_splits : int, default 4
    bins : int, default 4; sharpness : float, default 3 (GeoBS's soft histogram)
    min_part : int, default 10 (parts with fewer points are skipped)
    min_neighbors : int, default 50 (GeoBS's ``train_sri_debias`` skips smaller neighbourhoods)
    reduction : {"sum", "mean"}, default "sum" (GeoBS sums over anchors and parts)

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> xy = torch.rand(2000, 2, generator=g) * 20
    >>> reg = SRILoss(weight=1.0).bind(xy, (xy[:, 0] > 10).long())
    >>> bool(reg(nn.Linear(2, 1), g) >= 0)
    True
    """

    def __init__(self, radius_km: float = 0.1 * EARTH_RADIUS_KM, weight: float = 1e-4, *,
                 partition: Partition = "scale-grid", scale_km: float = 0.05 * EARTH_RADIUS_KM,
                 lag_km: float = 0.02 * EARTH_RADIUS_KM, n_splits: int = 4, bins: int = 4, sharpness: float = 3.0,
                 min_part: int = 10, max_neighbors: int = 400, min_neighbors: int = 50,
                 reduction: Literal["sum", "mean"] = "sum", anchors_per_step: int = 32,
                 max_anchors: int | None = 4096, performance: Performance | None = None) -> None:
        super().__init__(radius_km, weight, max_neighbors, min_neighbors, anchors_per_step=anchors_per_step,
                         max_anchors=max_anchors, performance=performance)
        if partition not in PARTITIONS:
            raise GeoEncodeError(f"partition={partition!r} must be one of {', '.join(PARTITIONS)}.")
        if reduction not in ("sum", "mean"):
            raise GeoEncodeError(f"reduction={reduction!r} must be 'sum' or 'mean'.")
        self.partition, self.n_splits, self.bins, self.sharpness = partition, n_splits, bins, sharpness
        self.scale, self.lag = scale_km / EARTH_RADIUS_KM, lag_km / EARTH_RADIUS_KM
        self.min_part, self.reduction = min_part, reduction

    def _prepare(self, lat, lon, indptr, indices, dist, anchors, device) -> None:
        sizes = np.diff(indptr)[anchors]
        owner = np.repeat(np.arange(anchors.size), sizes)
        take = np.concatenate([np.arange(indptr[a], indptr[a + 1]) for a in anchors])
        members, d = indices[take], dist[take]
        c = anchors[owner]
        ids, n_parts = partition_ids(self.partition, lat[members], lon[members], lat[c], lon[c], d, self.radius,
                                     self.scale, self.lag, self.n_splits)
        part = np.where(ids >= 0, owner * n_parts + ids, -1)
        counts = np.bincount(part[part >= 0], minlength=anchors.size * n_parts)
        part = np.where((part >= 0) & (counts[np.maximum(part, 0)] >= self.min_part), part, -1)
        self._ptr = np.r_[0, np.cumsum(sizes)]
        self._members, self._part, self._n_parts = members, part, n_parts
        self.anchors = anchors

    def parts_of(self, picks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Members, their anchor (0..len(picks)-1) and their part id (``-1``: none) for ``picks``."""
        take = np.concatenate([np.arange(self._ptr[a], self._ptr[a + 1]) for a in picks])
        owner = np.repeat(np.arange(len(picks)), np.diff(self._ptr)[picks])
        return self._members[take], owner, self._part[take]

    def divergence(self, p: torch.Tensor, owner: np.ndarray, part: np.ndarray, n_anchors: int) -> torch.Tensor:
        """Per-part ``KL(global || local) / bins`` of performance ``p`` (one value per member)."""
        dev = p.device
        soft = soft_histogram(p, self.bins, self.sharpness)
        own = torch.as_tensor(owner, device=dev)
        glob = p.new_zeros(n_anchors, self.bins).index_add(0, own, soft)
        glob = glob / glob.sum(-1, keepdim=True).clamp(min=1e-300)
        inside = part >= 0
        _, local_id = np.unique(part[inside], return_inverse=True)
        lid = torch.as_tensor(local_id, device=dev)
        local = p.new_zeros(int(local_id.max()) + 1, self.bins).index_add(0, lid, soft[torch.as_tensor(inside, device=dev)])
        local = local / local.sum(-1, keepdim=True)
        part_owner = np.zeros(local.shape[0], dtype=np.int64)
        part_owner[local_id] = owner[inside]
        g = glob[torch.as_tensor(part_owner, device=dev)]
        return (g * (g.clamp(min=1e-300).log() - local.log())).sum(-1) / self.bins

    def _loss(self, model: nn.Module, picks: np.ndarray) -> torch.Tensor | None:
        members, owner, part = self.parts_of(picks)
        if not (part >= 0).any():
            return None
        rows, inverse = np.unique(members, return_inverse=True)
        p = self._performance(model, rows)[torch.as_tensor(inverse, device=self._lonlat.device)]
        kl = self.divergence(p, owner, part, len(picks))
        return kl.sum() if self.reduction == "sum" else kl.mean()
