"""Spatial relative information (SRI), by the GeoBS definition (spec §7).

For each centre, its neighbourhood (samples within the radius among its
``k_part`` nearest) is partitioned — by a lat/lon grid, by distance lags or by
direction sectors — and the value histogram of every part is compared with
the whole neighbourhood's: ``KL(global || local)``. The centre's SRI is the
part-size-weighted mean KL; the dataset SRI weights centres by
``|neighbourhood| / N``.

This implements the *intended* definition. PyGBS HEAD's
``SRIPartitioner.get_neighborhood`` returns positions within the centre's kNN
list instead of sample ids (and kNN index rows instead of coordinates), so its
SRI values describe the wrong samples; there is no trustworthy reference
output to reproduce.
"""

from __future__ import annotations

import numbers
import os
import warnings
from typing import Any, get_args

import geopandas as gpd
import numpy as np
import pandas as pd

from geocommon.checks import check_scalar

from .errors import GeoBiasError, GeoBiasWarning
from .io import to_lonlat_frame
from .marks import make_marks, resolve_threshold
from .neighbourhoods import neighbourhood_lists
from geocommon.sri_partitions import Partition, partition_ids

from .sphere import EARTH_RADIUS_KM, to_radians

__all__ = ["partition_ids", "kl_divergence", "sri_per_centre", "sri", "SRIResult"]

#: What the results may be: points, a frame with lon/lat columns, or a CSV path.
Results = gpd.GeoDataFrame | pd.DataFrame | str | os.PathLike


def kl_divergence(glob: np.ndarray, local: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """``KL(global || local)`` of histograms along the last axis.

    Parameters
    ----------
    glob, local : numpy.ndarray
        Counts (normalised here); ``eps`` is added to the local probabilities.
    eps : float, default 1e-8
        Smoothing of the local distribution.

    Returns
    -------
    numpy.ndarray
        Divergences in nats.

    Examples
    --------
    >>> float(kl_divergence(np.array([1.0, 1.0]), np.array([1.0, 1.0]))) < 1e-7
    True
    """
    g = glob / glob.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        l = local / local.sum(axis=-1, keepdims=True)
        terms = np.where(g > 0, g * np.log(g / (l + eps)), 0.0)
    return terms.sum(axis=-1)


def sri_per_centre(
    lat, lon, bins_of, centres, indptr, indices, dist, radius, n_bins,
    partition: Partition = "scale-grid", scale=0.01, lag=0.01, n_splits=8, threshold=20,
) -> tuple[np.ndarray, np.ndarray]:
    """SRI and number of scored parts of each centre (vectorised).

    Parameters
    ----------
    lat, lon : numpy.ndarray
        Sample coordinates (radians).
    bins_of : numpy.ndarray
        Histogram bin of every sample's value.
    centres, indptr, indices, dist : numpy.ndarray
        Neighbourhood lists (see :func:`geobias.neighbourhoods.neighbourhood_lists`).
    radius : float
        Radius (radians).
    n_bins : int
        Number of value bins.
    partition : str, default "scale-grid"
        See :func:`partition_ids`.
    scale, lag, n_splits : float, float, int
        Partition parameters.
    threshold : int, default 20
        Parts with fewer samples are skipped.

    Returns
    -------
    sri : numpy.ndarray
        ``(C,)``; ``nan`` where no part reaches ``threshold``.
    n_parts : numpy.ndarray
        ``(C,)`` scored parts.
    """
    C = centres.size
    counts = np.diff(indptr)
    cpos = np.repeat(np.arange(C), counts)
    cidx = centres[cpos]
    ids, P = partition_ids(partition, lat[indices], lon[indices], lat[cidx], lon[cidx],
                           dist, radius, scale, lag, n_splits)
    vb = bins_of[indices]
    glob = np.bincount(cpos * n_bins + vb, minlength=C * n_bins).reshape(C, n_bins).astype(float)
    sri = np.full(C, np.nan)
    n_parts = np.zeros(C, dtype=np.int64)
    valid = ids >= 0
    # sparse (centre, part) keys keep memory at O(pairs), not O(C * P)
    key = cpos[valid] * P + ids[valid]
    uk, inv = np.unique(key, return_inverse=True)
    local = np.zeros((uk.size, n_bins))
    np.add.at(local, (inv, vb[valid]), 1.0)
    size = local.sum(axis=1)
    keep = size >= threshold
    if keep.any():
        kc = uk[keep] // P
        kl = kl_divergence(glob[kc], local[keep])
        num = np.bincount(kc, weights=kl * size[keep], minlength=C)
        den = np.bincount(kc, weights=size[keep], minlength=C)
        n_parts = np.bincount(kc, minlength=C)
        with np.errstate(invalid="ignore", divide="ignore"):
            sri = np.where(den > 0, num / den, np.nan)
    return sri, n_parts


class SRIResult:
    """SRI of one model's results, computed on construction (:func:`sri` is the same as a function).

    Parameters
    ----------
    data : GeoDataFrame, DataFrame, str or os.PathLike
        Per-sample results.
    value : str, default "hit@1"
        Performance column.
    radius_km : float, default 318.55
        Neighbourhood radius (default 0.05 rad, the GeoBS example).
    partition : {"scale-grid", "distance-lag", "direction-sector"}
        Partition of each neighbourhood.
    scale_km, lag_km : float, default 63.71
        Grid cell side / lag width (default 0.01 rad).
    n_splits : int, default 8
        Direction sectors.
    k_part : int, default 400
        Neighbourhood = within the radius among the ``k_part`` nearest.
    bins : int, optional
        Value bins (default 2 for binary values, else 10).
    threshold : int, default 20
        Minimum part size.
    value_threshold : float or str, optional
        Threshold the value (km or scale level) into ±1 first.
    lon, lat : str, optional
        Coordinate columns.
    radians : {"reference", "numpy"}, default "reference"
        Degree-to-radian convention.

    Attributes
    ----------
    value_sri : float
        Dataset SRI: ``sum_c SRI_c * |N_c| / N`` over centres with a score.
    per_centre : geopandas.GeoDataFrame
        ``sri``, ``n_neighbours``, ``n_parts`` per sample (row labels).
    n_unscored : int
        Centres without any part of ``threshold`` samples (``sri`` is NaN
        there and they are left out of ``value_sri``).

    Examples
    --------
    A model that fails on the western half of a grid:

    >>> lon, lat = np.meshgrid(np.linspace(0, 3, 20), np.linspace(0, 3, 15))
    >>> df = pd.DataFrame({"lon": lon.ravel(), "lat": lat.ravel(), "hit@1": (lon.ravel() > 1.5).astype(int)})
    >>> res = SRIResult(df, partition="distance-lag")
    >>> len(res.per_centre), res.n_unscored
    (300, 0)
    """

    def __init__(self, data: Results, value: str = "hit@1", radius_km: float = 0.05 * EARTH_RADIUS_KM,
                 partition: Partition = "scale-grid", scale_km: float = 0.01 * EARTH_RADIUS_KM,
                 lag_km: float = 0.01 * EARTH_RADIUS_KM, n_splits: int = 8, k_part: int = 400,
                 bins: int | None = None, threshold: int = 20, value_threshold: float | str | None = None,
                 lon: str | None = None, lat: str | None = None, radians: str = "reference") -> None:
        for name, v in (("radius_km", radius_km), ("scale_km", scale_km), ("lag_km", lag_km)):
            check_scalar(v, name, numbers.Real, min_val=0, include_boundaries="neither", finite=True,
                         error=GeoBiasError)
        for name, v in (("n_splits", n_splits), ("k_part", k_part), ("threshold", threshold)):
            check_scalar(v, name, numbers.Integral, min_val=1, error=GeoBiasError)
        check_scalar(bins, "bins", numbers.Integral, min_val=1, allow_none=True, error=GeoBiasError)
        if partition not in get_args(Partition):  # before the neighbourhood search, not after
            raise GeoBiasError(f"partition={partition!r} must be one of {list(get_args(Partition))}")
        frame = to_lonlat_frame(data, lon, lat)
        if value not in frame.columns:
            raise GeoBiasError(f"value column {value!r} not found; available columns: {list(frame.columns)}")
        vals = pd.to_numeric(frame[value], errors="coerce")
        keep = vals.notna() & frame["lon"].notna() & frame["lat"].notna()
        self.n_dropped = int((~keep).sum())
        if self.n_dropped:
            warnings.warn(f"dropped {self.n_dropped} rows without coordinates or {value!r}",
                          GeoBiasWarning, stacklevel=2)
        frame, vals = frame[keep], vals[keep].to_numpy(dtype=float)
        if len(frame) == 0:
            raise GeoBiasError("no rows left with both coordinates and a performance value")
        if (frame["lat"].abs() > 90).any():
            raise GeoBiasError("lat outside ±90: lon/lat may be swapped")
        t = resolve_threshold(value_threshold)
        marks = make_marks(vals, "raw", t)
        binary = np.isin(np.unique(marks), (0.0, 1.0, -1.0)).all() and np.unique(marks).size <= 2
        n_bins = int(bins) if bins is not None else (2 if binary else 10)
        edges = np.histogram_bin_edges(marks, bins=n_bins)
        bins_of = np.clip(np.searchsorted(edges, marks, side="right") - 1, 0, n_bins - 1)
        latr, lonr = to_radians(frame["lat"].to_numpy(), radians), to_radians(frame["lon"].to_numpy(), radians)
        r = radius_km / EARTH_RADIUS_KM
        centres = np.arange(len(frame))
        indptr, indices, dist = neighbourhood_lists(latr, lonr, r, k_part, centres)
        sri, n_parts = sri_per_centre(
            latr, lonr, bins_of, centres, indptr, indices, dist, r, n_bins, partition,
            scale_km / EARTH_RADIUS_KM, lag_km / EARTH_RADIUS_KM, n_splits, threshold)
        n_nb = np.diff(indptr)
        ok = ~np.isnan(sri)
        self.n_unscored = int((~ok).sum())
        self.value_sri = float(np.sum(sri[ok] * n_nb[ok]) / len(frame))
        self.partition, self.radius_km, self.n_bins = partition, radius_km, n_bins
        self.per_centre = gpd.GeoDataFrame(
            {"sri": sri, "n_neighbours": n_nb, "n_parts": n_parts},
            index=frame.index, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=4326)

    def __repr__(self) -> str:
        return (f"SRIResult(partition={self.partition!r}, radius_km={self.radius_km:g}, "
                f"bins={self.n_bins})\n  SRI: {self.value_sri:.4f} "
                f"({len(self.per_centre)} centres, {self.n_unscored} without a part of the minimum size)")


def sri(data: Results, value: str = "hit@1", partition: Partition = "scale-grid", **kwargs: Any) -> SRIResult:
    """Spatial relative information of one model's results: :class:`SRIResult` (its parameters).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"lon": rng.uniform(0, 3, 200), "lat": rng.uniform(0, 3, 200),
    ...                    "hit@1": rng.integers(0, 2, 200)})
    >>> r = sri(df, partition="direction-sector")
    >>> r.value_sri >= 0
    True
    """
    return SRIResult(data, value=value, partition=partition, **kwargs)
