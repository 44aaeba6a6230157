"""The three partitions of a neighbourhood for the Spatial Relative Information (SRI, spec §7).

A neighbourhood is cut by a lat/lon grid anchored at its centre (``scale-grid``; longitude
wrapped at the antimeridian), by rings of great-circle distance (``distance-lag``) or by bearing
sectors around the centre (``direction-sector``). ``geobias``'s SRI score and the SRI loss of
``geoencode.training`` both cut with this function.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from .sphere import to_pole, unit_vectors

__all__ = ["Partition", "PARTITIONS", "partition_ids"]

Partition = Literal["scale-grid", "distance-lag", "direction-sector"]
PARTITIONS = ("scale-grid", "distance-lag", "direction-sector")


def partition_ids(
    partition: Partition,
    lat: np.ndarray,
    lon: np.ndarray,
    c_lat: np.ndarray,
    c_lon: np.ndarray,
    dist: np.ndarray,
    radius: float,
    scale: float = 0.01,
    lag: float = 0.01,
    n_splits: int = 8,
) -> tuple[np.ndarray, int]:
    """Part of each (centre, member) pair; ``-1`` when outside every part.

    Parameters
    ----------
    partition : {"scale-grid", "distance-lag", "direction-sector"}
        The partition.
    lat, lon : numpy.ndarray
        Member coordinates (radians), one per pair.
    c_lat, c_lon : numpy.ndarray
        Their centre's coordinates (radians).
    dist : numpy.ndarray
        Great-circle distance member–centre (radians).
    radius : float
        Neighbourhood radius (radians).
    scale : float, default 0.01
        Grid cell side (radians), ``scale-grid``.
    lag : float, default 0.01
        Ring width (radians), ``distance-lag``.
    n_splits : int, default 8
        Number of sectors, ``direction-sector``.

    Returns
    -------
    ids : numpy.ndarray
        Part index per pair.
    n_parts : int
        Number of parts per centre.

    Examples
    --------
    >>> ids, n = partition_ids("distance-lag", np.zeros(2), np.zeros(2), np.zeros(2),
    ...                        np.zeros(2), np.array([0.0, 0.015]), 0.02)
    >>> ids.tolist(), n
    ([0, 1], 2)
    """
    if partition == "scale-grid":
        K = int(np.ceil(radius / scale))
        i = np.floor((lat - c_lat) / scale).astype(np.int64)
        # wrap the longitude difference so cells do not break at the antimeridian
        dlon = (lon - c_lon + np.pi) % (2 * np.pi) - np.pi
        j = np.floor(dlon / scale).astype(np.int64)
        ok = (i >= -K) & (i < K) & (j >= -K) & (j < K)
        return np.where(ok, (i + K) * (2 * K) + (j + K), -1), (2 * K) ** 2
    if partition == "distance-lag":
        n = int(np.ceil(radius / lag))
        ids = np.floor(dist / lag).astype(np.int64)
        return np.where(ids < n, ids, -1), n
    if partition == "direction-sector":
        p = to_pole(unit_vectors(lat, lon)[:, None, :], c_lat, c_lon)[:, 0, :]
        # bearing around the centre after rotating it to the pole; the centre
        # itself (and its duplicates) has atan2(0, 0) = 0
        theta = np.where(dist > 0, np.arctan2(p[:, 1], p[:, 0]), 0.0)
        ids = np.floor((theta + np.pi) / (2 * np.pi / n_splits)).astype(np.int64)
        return np.clip(ids, 0, n_splits - 1), n_splits
    raise ValueError(f"partition={partition!r} must be one of {PARTITIONS}")
