"""Evaluation metrics, per sample (for geo-bias audits) and aggregated."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ..errors import GeoEncodeError


def classification_per_sample(scores: torch.Tensor | np.ndarray, labels: torch.Tensor | np.ndarray) -> pd.DataFrame:
    """TorchSpatial's per-sample classification metrics from class scores ``(N, C)``.

    Returns a frame with ``true_class_prob`` (the score of the true class), ``reciprocal_rank``
    (1 / rank of the true class, ties counted pessimistically), ``hit@1`` and ``hit@3`` (0/1).

    Examples
    --------
    >>> classification_per_sample([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2]], [2, 0])
       true_class_prob  reciprocal_rank  hit@1  hit@3
    0              0.2              0.5      0      1
    1              0.5              1.0      1      1
    """
    s = torch.as_tensor(np.asarray(scores), dtype=torch.float64)
    y = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    if s.ndim != 2 or y.shape != (s.shape[0],):
        raise GeoEncodeError(f"scores must be (N, C) and labels (N,), got {tuple(s.shape)} and {tuple(y.shape)}.")
    if len(y) and (y.min() < 0 or y.max() >= s.shape[1]):
        raise GeoEncodeError(f"labels must lie in [0, {s.shape[1] - 1}], got range [{int(y.min())}, {int(y.max())}].")
    true = s.gather(1, y.view(-1, 1)).squeeze(1)
    rank = (s >= true.unsqueeze(1)).sum(1)  # ≥: a tie with another class counts against the model
    return pd.DataFrame({
        "true_class_prob": true.numpy(),
        "reciprocal_rank": (1.0 / rank.double()).numpy(),
        "hit@1": (rank <= 1).int().numpy(),
        "hit@3": (rank <= 3).int().numpy(),
    })


def classification_summary(per_sample: pd.DataFrame) -> dict[str, float]:
    """Top-1 / top-3 accuracy (%) and mean reciprocal rank from :func:`classification_per_sample`."""
    return {"top1": 100.0 * per_sample["hit@1"].mean(), "top3": 100.0 * per_sample["hit@3"].mean(),
            "mrr": float(per_sample["reciprocal_rank"].mean())}


def regression_summary(predictions: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """R², MAE and RMSE.

    Examples
    --------
    >>> regression_summary(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]))["mae"]
    0.3333333333333333
    """
    p, y = np.asarray(predictions, dtype=float), np.asarray(labels, dtype=float)
    resid = p - y
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float((resid**2).sum()) / ss_tot if ss_tot > 0 else float("nan")
    return {"r2": r2, "mae": float(np.abs(resid).mean()), "rmse": float(np.sqrt((resid**2).mean()))}


def binary_summary(predicted: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Accuracy (%) and intersection-over-union (%) of the positive class for 0/1 arrays.

    Examples
    --------
    >>> binary_summary(np.array([1, 1, 0, 0]), np.array([1, 0, 0, 0]))
    {'accuracy': 75.0, 'iou': 50.0}
    """
    p, t = np.asarray(predicted).astype(bool), np.asarray(truth).astype(bool)
    union = (p | t).sum()
    return {"accuracy": 100.0 * float((p == t).mean()),
            "iou": 100.0 * float((p & t).sum() / union) if union else float("nan")}
