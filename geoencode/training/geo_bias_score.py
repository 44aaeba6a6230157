"""Geo-Bias Scores of a model's per-sample performance, for benchmark tables beside accuracy.

The base and relative Geo-Bias Scores (mean SSI over every sample as a centre, ``geobias``'s
default ``geobs`` preset: 100 nearest within the radius, ring background, two-sided probability
with ``sigma + 1``, raw 0/1 marks) and the three SRI scores (``geobias``'s definition: value
histograms of the parts against the neighbourhood's, ``KL(global || local)``, part-size
weighted, centres weighted by ``|neighbourhood| / N``). They are computed with the machinery of
the geo-bias losses (:mod:`.geo_bias_losses`), and equal ``geobias.audit`` / ``geobias.sri`` on
the same data (tests), so a benchmark needs no ``geobias`` import.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from geocommon.earth import EARTH_RADIUS_KM
from geocommon.moran_null import SSI_EPS
from geocommon.sri_partitions import PARTITIONS, partition_ids

from ..errors import GeoEncodeError
from .geo_bias_losses import MarkedSSILoss
from .geo_neighbourhoods import neighbourhood_lists, to_radians

__all__ = ["GeoBiasScorer", "geo_bias_scores"]


class GeoBiasScorer:
    """Geo-Bias Scores of many performance vectors on one point set (neighbourhoods built once).

    The base and relative Geo-Bias Scores (mean SSI over every point as a centre, the ``geobs``
    preset) and the three SRI scores of 0/1 ``hits``. Everything that depends on the coordinates
    alone — neighbourhoods, kNN weights, SRI parts, the base score — is computed on construction;
    a call costs one batched SSI and three histograms.

    Parameters
    ----------
    lonlat : numpy.ndarray
        ``(N, 2)`` lon/lat degrees of the evaluated (held-out) points.
    radius_km : float
        Neighbourhood radius of the SSI scores.
    max_neighbors : int, default 100
        The ``geobs`` preset's cap.
    sri_radius_km, sri_scale_km, sri_lag_km : float, optional
        SRI neighbourhood radius (default ``2 * radius_km``), grid cell (default the SRI radius: four
        quadrants) and lag (default half the SRI radius).
    sri_n_splits, sri_threshold : int
        Direction sectors and minimum part size of the SRI.
    k_part : int, default 400
        The SRI neighbourhood's cap.
    device : str or torch.device
        Where the SSI statistic runs.

    Examples
    --------
    >>> lon, lat = np.meshgrid(np.linspace(0, 9, 30), np.linspace(0, 9, 30))
    >>> scorer = GeoBiasScorer(np.c_[lon.ravel(), lat.ravel()], 200)
    >>> clustered, mixed = scorer((lon.ravel() > 4.5).astype(float)), scorer(np.arange(900) % 2.0)
    >>> clustered["relative_gbs"] > mixed["relative_gbs"]
    True
    """

    def __init__(self, lonlat: np.ndarray, radius_km: float, *, max_neighbors: int = 100,
                 sri_radius_km: float | None = None, sri_scale_km: float | None = None,
                 sri_lag_km: float | None = None, sri_n_splits: int = 4, sri_threshold: int = 10,
                 k_part: int = 400, device: str | torch.device = "cpu") -> None:
        xy = np.asarray(lonlat, dtype=np.float64)
        if xy.ndim != 2 or xy.shape[1] != 2 or not np.isfinite(xy).all():
            raise GeoEncodeError("GeoBiasScorer needs finite (N, 2) lon/lat degrees.")
        self.n, self.radius_km, self.device = len(xy), float(radius_km), torch.device(device)
        # the score's own eps (1e-256, largest SSI 589.46), not the losses' 1e-32 (largest 73.68)
        ssi = MarkedSSILoss(radius_km, 1.0, max_neighbors=max_neighbors, min_neighbors=1, max_anchors=None,
                            eps=SSI_EPS)
        ssi.dtype = torch.float64
        ssi.bind(torch.as_tensor(xy, device=self.device), torch.zeros(len(xy), dtype=torch.long, device=self.device))
        if ssi.n_anchors != len(xy):
            raise GeoEncodeError(f"{len(xy) - ssi.n_anchors} points have no kNN graph at radius_km={radius_km:g}.")
        self._ssi = ssi
        self.base_gbs = float(np.nanmean(ssi.scores(torch.ones(len(xy), dtype=torch.float64,
                                                                device=self.device)).cpu().numpy()))
        self.sri_radius_km = 2 * self.radius_km if sri_radius_km is None else float(sri_radius_km)
        self._sri = _sri_parts(xy, self.sri_radius_km, sri_scale_km or self.sri_radius_km,
                               sri_lag_km or self.sri_radius_km / 2, sri_n_splits, k_part, sri_threshold)

    def __call__(self, hits: np.ndarray) -> dict[str, Any]:
        """``base_gbs``, ``relative_gbs``, ``error_gbs``, the three ``sri_*`` scores and the radii, for 0/1 ``hits``.

        ``error_gbs`` is the relative score with the failures marked 1 instead of the successes: 0 for
        a perfect model, high where errors cluster. (With successes marked, as ``hit@1`` is, a
        perfect model's relative score equals the base score.)
        """
        h = np.asarray(hits, dtype=np.float64)
        if h.shape != (self.n,) or not np.isin(h, (0.0, 1.0)).all():
            raise GeoEncodeError(f"hits must be {self.n} values of 0 or 1 (the hit@1 column), one per point.")
        ht = torch.as_tensor(h, device=self.device)
        rel = self._ssi.scores(ht).cpu().numpy()
        err = self._ssi.scores(1 - ht).cpu().numpy()
        out = {"base_gbs": self.base_gbs, "relative_gbs": float(np.nanmean(rel)), "error_gbs": float(np.nanmean(err)),
               "gbs_radius_km": self.radius_km, "sri_radius_km": self.sri_radius_km}
        out.update(_sri_values(self._sri, h))
        return out


def _sri_parts(xy: np.ndarray, radius_km: float, scale_km: float, lag_km: float, n_splits: int, k_part: int,
               threshold: int) -> dict[str, Any]:
    lat, lon = to_radians(xy)
    r = radius_km / EARTH_RADIUS_KM
    indptr, indices, dist = neighbourhood_lists(lat, lon, r, k_part)
    n = lat.size
    sizes = np.diff(indptr)
    cpos = np.repeat(np.arange(n), sizes)
    parts = {}
    for partition in PARTITIONS:
        ids, P = partition_ids(partition, lat[indices], lon[indices], lat[cpos], lon[cpos], dist, r,
                               scale_km / EARTH_RADIUS_KM, lag_km / EARTH_RADIUS_KM, n_splits)
        ok = ids >= 0
        uk, inv = np.unique(cpos[ok] * P + ids[ok], return_inverse=True)
        size = np.bincount(inv, minlength=uk.size)
        keep = size[inv] >= threshold  # parts under the threshold are skipped, whatever the values
        parts[partition] = (cpos[ok][keep], indices[ok][keep], inv[keep], uk.size, P)
    return {"n": n, "sizes": sizes, "cpos": cpos, "indices": indices, "parts": parts}


def _sri_values(pre: dict[str, Any], hits: np.ndarray) -> dict[str, float]:
    n, sizes = pre["n"], pre["sizes"]
    hit = hits.astype(np.int64)
    glob = np.bincount(pre["cpos"] * 2 + hit[pre["indices"]], minlength=n * 2).reshape(n, 2).astype(float)
    out = {}
    for partition, (centre, member, part, n_parts, _) in pre["parts"].items():
        local = np.bincount(part * 2 + hit[member], minlength=n_parts * 2).reshape(n_parts, 2).astype(float)
        size = local.sum(1)
        used = size > 0
        owner = np.zeros(n_parts, dtype=np.int64)
        owner[part] = centre
        kc, local, size = owner[used], local[used], size[used]
        g = glob[kc] / glob[kc].sum(1, keepdims=True)
        loc = local / size[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            kl = np.where(g > 0, g * np.log(g / (loc + 1e-8)), 0.0).sum(1)
        num = np.bincount(kc, weights=kl * size, minlength=n)
        den = np.bincount(kc, weights=size, minlength=n)
        scored = den > 0
        value = float(np.sum(num[scored] / den[scored] * sizes[scored]) / n) if scored.any() else math.nan
        out[f"sri_{partition.replace('-', '_')}"] = value
    return out


def geo_bias_scores(lonlat: np.ndarray, hits: np.ndarray, radius_km: float, **kwargs: Any) -> dict[str, Any]:
    """Base, relative and error Geo-Bias Scores and the three SRI scores of per-sample ``hits`` (0/1).

    One-off form of :class:`GeoBiasScorer` (``kwargs`` are its options); build the scorer once to
    score many models on the same points.

    Examples
    --------
    >>> lon, lat = np.meshgrid(np.linspace(0, 9, 30), np.linspace(0, 9, 30))
    >>> xy = np.c_[lon.ravel(), lat.ravel()]
    >>> out = geo_bias_scores(xy, (xy[:, 0] > 4.5).astype(float), 200)
    >>> sorted(out)[:4]
    ['base_gbs', 'error_gbs', 'gbs_radius_km', 'relative_gbs']
    """
    return GeoBiasScorer(lonlat, radius_km, **kwargs)(hits)
