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
from geocommon.sri_partitions import PARTITIONS, partition_ids

from ..errors import GeoEncodeError
from .geo_bias_losses import MarkedSSILoss
from .geo_neighbourhoods import neighbourhood_lists, to_radians

__all__ = ["geo_bias_scores", "sri_scores"]


def sri_scores(lonlat: np.ndarray, marks: np.ndarray, radius_km: float, *, scale_km: float, lag_km: float,
               n_splits: int = 8, k_part: int = 400, threshold: int = 20) -> dict[str, float]:
    """Dataset SRI of binary ``marks`` for each partition (``nan`` where no part has ``threshold`` points).

    Examples
    --------
    >>> lon, lat = np.meshgrid(np.linspace(0, 3, 20), np.linspace(0, 3, 15))
    >>> xy = np.c_[lon.ravel(), lat.ravel()]
    >>> out = sri_scores(xy, (xy[:, 0] > 1.5).astype(float), 318.55, scale_km=63.71, lag_km=63.71)
    >>> sorted(out)
    ['sri_direction_sector', 'sri_distance_lag', 'sri_scale_grid']
    """
    lat, lon = to_radians(lonlat)
    r = radius_km / EARTH_RADIUS_KM
    indptr, indices, dist = neighbourhood_lists(lat, lon, r, k_part)
    n = lat.size
    sizes = np.diff(indptr)
    cpos = np.repeat(np.arange(n), sizes)
    classes, bins_of = np.unique(np.asarray(marks, dtype=float), return_inverse=True)
    if classes.size > 2:
        raise GeoEncodeError(f"sri_scores needs binary marks, got {classes.size} distinct values.")
    nb = 2
    glob = np.bincount(cpos * nb + bins_of[indices], minlength=n * nb).reshape(n, nb).astype(float)
    out = {}
    for partition in PARTITIONS:
        ids, P = partition_ids(partition, lat[indices], lon[indices], lat[cpos], lon[cpos], dist, r,
                               scale_km / EARTH_RADIUS_KM, lag_km / EARTH_RADIUS_KM, n_splits)
        ok = ids >= 0
        uk, inv = np.unique(cpos[ok] * P + ids[ok], return_inverse=True)
        local = np.zeros((uk.size, nb))
        np.add.at(local, (inv, bins_of[indices[ok]]), 1.0)
        size = local.sum(1)
        keep = size >= threshold
        kc = uk[keep] // P
        g = glob[kc] / glob[kc].sum(1, keepdims=True)
        loc = local[keep] / size[keep, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            kl = np.where(g > 0, g * np.log(g / (loc + 1e-8)), 0.0).sum(1)
        num = np.bincount(kc, weights=kl * size[keep], minlength=n)
        den = np.bincount(kc, weights=size[keep], minlength=n)
        scored = den > 0
        value = float(np.sum(num[scored] / den[scored] * sizes[scored]) / n) if scored.any() else math.nan
        out[f"sri_{partition.replace('-', '_')}"] = value
    return out


def geo_bias_scores(lonlat: np.ndarray, hits: np.ndarray, radius_km: float, *, max_neighbors: int = 100,
                    sri_radius_km: float | None = None, sri_scale_km: float | None = None,
                    sri_lag_km: float | None = None, sri_n_splits: int = 4, sri_threshold: int = 10,
                    device: str | torch.device = "cpu") -> dict[str, Any]:
    """Base and relative Geo-Bias Scores and the three SRI scores of per-sample ``hits`` (0/1).

    Parameters
    ----------
    lonlat : numpy.ndarray
        ``(N, 2)`` lon/lat degrees of the evaluated (held-out) points.
    hits : numpy.ndarray
        ``(N,)`` 1 where the model is right (the ``hit@1`` column), else 0.
    radius_km : float
        Neighbourhood radius of the SSI scores.
    max_neighbors : int, default 100
        The ``geobs`` preset's cap.
    sri_radius_km, sri_scale_km, sri_lag_km : float, optional
        SRI neighbourhood radius (default ``2 * radius_km``), grid cell (default the SRI radius: four
        quadrants) and lag (default half the SRI radius).
    sri_n_splits, sri_threshold : int
        Direction sectors and minimum part size of the SRI.
    device : str or torch.device
        Where the SSI statistic runs.

    Returns
    -------
    dict
        ``base_gbs``, ``relative_gbs`` (mean SSI over all centres), ``sri_scale_grid``,
        ``sri_distance_lag``, ``sri_direction_sector`` and the radii used (``gbs_radius_km``,
        ``sri_radius_km``).

    Examples
    --------
    >>> lon, lat = np.meshgrid(np.linspace(0, 9, 30), np.linspace(0, 9, 30))
    >>> xy = np.c_[lon.ravel(), lat.ravel()]
    >>> clustered = geo_bias_scores(xy, (xy[:, 0] > 4.5).astype(float), 200)
    >>> mixed = geo_bias_scores(xy, np.arange(900) % 2.0, 200)
    >>> clustered["relative_gbs"] > mixed["relative_gbs"]
    True
    """
    xy = np.asarray(lonlat, dtype=np.float64)
    h = np.asarray(hits, dtype=np.float64)
    if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) != len(h) or not np.isfinite(xy).all():
        raise GeoEncodeError("geo_bias_scores needs finite (N, 2) lon/lat and one hit per row.")
    if not np.isin(h, (0.0, 1.0)).all():
        raise GeoEncodeError("geo_bias_scores needs hits of 0 or 1 (the hit@1 column).")
    scorer = MarkedSSILoss(radius_km, 1.0, max_neighbors=max_neighbors, min_neighbors=1, max_anchors=None)
    scorer.dtype = torch.float64
    scorer.bind(torch.as_tensor(xy, device=device), torch.zeros(len(xy), dtype=torch.long, device=device))
    if scorer.n_anchors != len(xy):
        raise GeoEncodeError(f"{len(xy) - scorer.n_anchors} points have no kNN graph at radius_km={radius_km:g}.")
    ht = torch.as_tensor(h, device=device)
    base = scorer.scores(torch.ones_like(ht)).cpu().numpy()
    relative = scorer.scores(ht).cpu().numpy()
    sri_r = 2 * radius_km if sri_radius_km is None else sri_radius_km
    out = {"base_gbs": float(np.nanmean(base)), "relative_gbs": float(np.nanmean(relative)),
           "gbs_radius_km": float(radius_km), "sri_radius_km": float(sri_r)}
    out.update(sri_scores(xy, h, sri_r, scale_km=sri_scale_km or sri_r, lag_km=sri_lag_km or sri_r / 2,
                          n_splits=sri_n_splits, threshold=sri_threshold))
    return out
