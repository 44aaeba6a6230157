"""Per-sample results in TorchSpatial's evaluation-CSV format (what :func:`geobias.audit` reads)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .._io import atomic_write
from .metrics import classification_per_sample

CLASSIFICATION_COLUMNS = ["lon", "lat", "true_class_prob", "reciprocal_rank", "hit@1", "hit@3"]
REGRESSION_COLUMNS = ["lon", "lat", "predictions", "labels", "relative_error"]


def classification_frame(lonlat: np.ndarray, scores: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """``lon, lat, true_class_prob, reciprocal_rank, hit@1, hit@3`` per sample.

    Examples
    --------
    >>> classification_frame(np.array([[1.0, 2.0]]), np.array([[0.3, 0.7]]), np.array([1])).columns.tolist()
    ['lon', 'lat', 'true_class_prob', 'reciprocal_rank', 'hit@1', 'hit@3']
    """
    lonlat = np.asarray(lonlat, dtype=float)
    frame = classification_per_sample(scores, labels)
    frame.insert(0, "lat", lonlat[:, 1])
    frame.insert(0, "lon", lonlat[:, 0])
    return frame


def regression_frame(lonlat: np.ndarray, predictions: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """``lon, lat, predictions, labels, relative_error`` with ``relative_error = (pred − label) / label``.

    The error is signed, as in TorchSpatial's files; a zero label gives ±inf there, so rows with a
    zero label get NaN here instead.

    Examples
    --------
    >>> regression_frame(np.array([[0.0, 0.0]]), np.array([3.0]), np.array([2.0]))["relative_error"].tolist()
    [0.5]
    """
    lonlat = np.asarray(lonlat, dtype=float)
    p, y = np.asarray(predictions, dtype=float).reshape(-1), np.asarray(labels, dtype=float).reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(y != 0, (p - y) / np.where(y != 0, y, 1.0), np.nan)
    return pd.DataFrame({"lon": lonlat[:, 0], "lat": lonlat[:, 1], "predictions": p, "labels": y,
                         "relative_error": rel})


def write_csv_atomic(frame: pd.DataFrame, path: str | os.PathLike, *, index: bool = False,
                     overwrite: bool = False) -> Path:
    """Write ``frame`` to ``path`` through a temporary file and a rename; refuse to clobber."""
    return atomic_write(path, lambda tmp: frame.to_csv(tmp, index=index), overwrite=overwrite)
