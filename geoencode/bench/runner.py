"""The LocBench runner: train a location encoder on a LocBench dataset and evaluate it against the
image-only "No Prior" baseline, writing TorchSpatial-format per-sample CSVs for :mod:`geobias`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..errors import GeoEncodeError
from ..models import ImageLocationRegressor, LocationPrior, geo_aware_scores
from ..models.heads import _mlp
from ..registry import build, get_spec
from ..training.geo_bias_score import GeoBiasScorer
from ..training import (
    Trainer, balanced_indices, classification_frame, classification_summary, presence_absence_loss,
    random_background, regression_frame, regression_summary, write_csv_atomic,
)
from ..training.sampling import Background
from .locbench import load_locbench


@dataclass
class LocBenchResult:
    """What :func:`run_locbench` produced.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per model (``No Prior``, the encoder, and for classification the prior alone) with the
        metrics (top1/top3/mrr in %, or r2/mae/rmse) and ``n``.
    per_sample : dict of str to pandas.DataFrame
        Per-sample frames in TorchSpatial's evaluation-CSV format, keyed by model.
    model : torch.nn.Module
        The trained model.
    train_seconds : float
        Wall time of training.
    files : list of pathlib.Path
        What was written (if ``out_dir`` was given).
    """

    table: pd.DataFrame
    per_sample: dict[str, pd.DataFrame]
    model: nn.Module
    train_seconds: float
    files: list[Path] = field(default_factory=list)


def _chunks(n: int, size: int = 8192):
    return (slice(i, min(i + size, n)) for i in range(0, n, size))


def _prior_probs(prior: LocationPrior, locs: np.ndarray, device: torch.device) -> np.ndarray:
    out = np.full((len(locs), prior.num_classes), np.nan, dtype=np.float32)
    ok = np.isfinite(locs).all(1)
    idx = np.flatnonzero(ok)
    prior.eval()
    with torch.no_grad():
        for sl in _chunks(len(idx)):
            rows = idx[sl]
            out[rows] = prior(torch.as_tensor(locs[rows], dtype=torch.float32, device=device)).cpu().numpy()
    return out


def _dense(a: Any) -> np.ndarray:
    return a.toarray() if hasattr(a, "toarray") else np.asarray(a)


def run_locbench(data_dir: str | os.PathLike, dataset: str, encoder: str, nn_name: str | None = None, *,
                 params: dict[str, Any] | None = None, epochs: int = 30, lr: float = 1e-3,
                 lr_decay: float = 0.98, batch_size: int = 1024, balanced: bool = True, max_per_class: int = 100,
                 background: Background = "uniform", seed: int = 0, device: str | torch.device = "cpu",
                 progress: bool = True, out_dir: str | os.PathLike | None = None,
                 overwrite: bool = False, gbs_radius_km: float | None = 100.0,
                 regularisers: Sequence[nn.Module] = (), regularise_from: int = 0) -> LocBenchResult:
    """Train ``encoder`` on LocBench ``dataset`` and evaluate it against the image-only baseline.

    Classification: a location prior ``P(y|x) = σ(W·Enc(x))`` trained on the train split's
    locations with the presence–absence loss (area-uniform background by default), evaluated as
    image probabilities ⊙ prior on the paper's evaluation split. Regression: image features and the
    location embedding concatenated into an MLP (MSE), against an image-only MLP.

    Parameters
    ----------
    data_dir : path-like
        The LocBench root in the published layout (see :func:`~geoencode.bench.locbench.load_locbench`).
    dataset, encoder : str
        Dataset and encoder names.
    nn_name : str, optional
        Network (default: the encoder's paper default).
    params : dict, optional
        Encoder/network hyper-parameters for :func:`geoencode.build`.
    epochs : int
        Training epochs (no early stopping: the evaluation split is the test set).
    lr, lr_decay : float
        Adam learning rate and its per-epoch exponential decay.
    batch_size : int
        Rows per step.
    balanced : bool
        Classification: at most ``max_per_class`` examples per class per epoch.
    max_per_class : int
        The per-class cap of the balanced sampler (TorchSpatial: 100).
    background : {"uniform", "torchspatial"}
        Background sampler; ``"torchspatial"`` reproduces the reference's quadrant bug (B5).
    seed : int
        Seeds weights, shuffling and background draws.
    device : str or torch.device
        Where to train and evaluate.
    progress : bool
        Show progress bars.
    out_dir : path-like, optional
        Where to write ``results_{dataset}_{encoder}.csv`` and per-sample CSVs
        ``eval_{dataset}_{split}_{model}.csv``.
    overwrite : bool
        Replace existing output files (otherwise an error).
    gbs_radius_km : float or None, default 100
        Classification: the radius of the base and relative Geo-Bias Scores (``geobs`` preset,
        ``hit@1``) added to every model's row, on the located evaluation rows; ``None`` skips them.
    regularisers, regularise_from :
        Classification: geo-bias losses (:class:`~geoencode.training.MarkedSSILoss` …) added to the
        prior's training from epoch ``regularise_from`` (see :class:`~geoencode.training.Trainer`).

    Notes
    -----
    Evaluation rows without a location keep the image model's scores (the geo-aware classifier
    falls back to the image); the reference counts them as wrong (its B16), so its accuracies can be
    lower by at most the share of such rows.

    Returns
    -------
    LocBenchResult
    """
    spec = get_spec(encoder)
    nn_name = nn_name or spec.nn
    device = torch.device(device)
    torch.manual_seed(seed)
    train = load_locbench(data_dir, dataset, "train", predictions=False)
    evaluation = load_locbench(data_dir, dataset)
    enc = build(spec.name, nn=nn_name, **dict(params or {}))
    gen_seed = seed
    t0 = time.perf_counter()
    if train.task == "classification":
        result = _classification(train, evaluation, enc, spec.name, epochs, lr, lr_decay, batch_size, balanced,
                                 max_per_class, background, gen_seed, device, progress, gbs_radius_km,
                                 regularisers, regularise_from)
    else:
        result = _regression(train, evaluation, enc, spec.name, epochs, lr, lr_decay, batch_size, gen_seed,
                             device, progress)
    result.train_seconds = time.perf_counter() - t0
    if out_dir is not None:
        out = Path(out_dir)
        table_path = out / f"results_{dataset}_{spec.name}.csv"
        result.files.append(write_csv_atomic(result.table, table_path, overwrite=overwrite))
        for model_name, frame in result.per_sample.items():
            path = out / f"eval_{dataset}_{evaluation.split}_{model_name}.csv"
            result.files.append(write_csv_atomic(frame, path, index=train.task == "classification",
                                                 overwrite=overwrite))
    return result


def _classification(train, evaluation, enc, name, epochs, lr, lr_decay, batch_size, balanced, max_per_class,
                    background, seed, device, progress, gbs_radius_km, regularisers=(),
                    regularise_from=0) -> LocBenchResult:
    if evaluation.image_preds is None:
        raise GeoEncodeError(f"{evaluation.dataset} {evaluation.split} has no image predictions to evaluate against.")
    ok = np.isfinite(train.locs).all(1)
    x = torch.as_tensor(train.locs[ok], dtype=torch.float32)
    y = torch.as_tensor(train.labels[ok], dtype=torch.long)
    prior = LocationPrior(enc, int(train.num_classes))

    def loss(model, batch, gen):
        bx, by = batch
        bg = random_background(len(bx), background, generator=gen, device=bx.device)
        return presence_absence_loss(model(bx), by, model(bg))

    indices = (lambda g: balanced_indices(y, max_per_class, generator=g)) if balanced else None
    Trainer(prior, loss, lr=lr, lr_decay=lr_decay, max_epochs=epochs, batch_size=batch_size, seed=seed,
            device=device, progress=progress, regularisers=regularisers,
            regularise_from=regularise_from).fit((x, y), epoch_indices=indices)

    image = _dense(evaluation.image_preds).astype(np.float32)
    probs = _prior_probs(prior, evaluation.locs, device)
    geo = geo_aware_scores(torch.from_numpy(image), torch.from_numpy(probs)).numpy()
    frames = {"no_prior": classification_frame(evaluation.locs, image, evaluation.labels),
              name: classification_frame(evaluation.locs, geo, evaluation.labels)}
    located = np.isfinite(probs).all(1)
    prior_only = classification_frame(evaluation.locs[located], probs[located], evaluation.labels[located])
    rows = [{"model": "No Prior", **classification_summary(frames["no_prior"])},
            {"model": name, **classification_summary(frames[name])},
            {"model": f"{name} (location only)", **classification_summary(prior_only)}]
    table = pd.DataFrame(rows)
    table["n"] = [len(image), len(image), int(located.sum())]
    if gbs_radius_km is not None:
        # geo-bias beside accuracy, on the located rows, each model with its own hits
        scorer = GeoBiasScorer(evaluation.locs[located], gbs_radius_km)
        hits = [frames["no_prior"]["hit@1"].to_numpy(float)[located], frames[name]["hit@1"].to_numpy(float)[located],
                prior_only["hit@1"].to_numpy(float)]
        scores = [scorer(h) for h in hits]
        table["base_gbs"] = [sc["base_gbs"] for sc in scores]
        table["relative_gbs"] = [sc["relative_gbs"] for sc in scores]
        table["gbs_radius_km"] = gbs_radius_km
    return LocBenchResult(table, frames, prior, 0.0)


def _regression(train, evaluation, enc, name, epochs, lr, lr_decay, batch_size, seed, device,
                progress) -> LocBenchResult:
    if train.image_feats is None or evaluation.image_feats is None:
        raise GeoEncodeError(f"{train.dataset} has no image features for regression.")
    # Rows missing a location, a label or a feature (SustainBench has NaN night-light means) can be
    # neither trained on nor scored.
    ok = np.isfinite(train.locs).all(1) & np.isfinite(train.labels) & np.isfinite(train.image_feats).all(1)
    f_mean, f_std = train.image_feats[ok].mean(0), train.image_feats[ok].std(0) + 1e-6
    y_mean, y_std = float(train.labels[ok].mean()), float(train.labels[ok].std() + 1e-12)
    feats = torch.as_tensor((train.image_feats[ok] - f_mean) / f_std, dtype=torch.float32)
    x = torch.as_tensor(train.locs[ok], dtype=torch.float32)
    y = torch.as_tensor((train.labels[ok] - y_mean) / y_std, dtype=torch.float32)
    geo_model = ImageLocationRegressor(enc, image_dim=feats.shape[1])
    image_model = _mlp(feats.shape[1], 256, 1, 2, 0.1)

    def fit(model, forward):
        loss = lambda m, b, g: nn.functional.mse_loss(forward(m, b), b[2])  # noqa: E731
        Trainer(model, loss, lr=lr, lr_decay=lr_decay, max_epochs=epochs, batch_size=batch_size, seed=seed,
                device=device, progress=progress).fit((feats, x, y))

    fit(geo_model, lambda m, b: m(b[0], b[1]))
    fit(image_model, lambda m, b: m(b[0]).squeeze(-1))

    test_ok = (np.isfinite(evaluation.locs).all(1) & np.isfinite(evaluation.labels)
               & np.isfinite(evaluation.image_feats).all(1))
    tf = torch.as_tensor((evaluation.image_feats[test_ok] - f_mean) / f_std, dtype=torch.float32, device=device)
    tx = torch.as_tensor(evaluation.locs[test_ok], dtype=torch.float32, device=device)
    with torch.no_grad():
        geo_pred = geo_model.eval()(tf, tx).cpu().numpy() * y_std + y_mean
        img_pred = image_model.eval()(tf).squeeze(-1).cpu().numpy() * y_std + y_mean
    locs, labels = evaluation.locs[test_ok], evaluation.labels[test_ok]
    frames = {"no_prior_regress": regression_frame(locs, img_pred, labels), name: regression_frame(locs, geo_pred, labels)}
    table = pd.DataFrame([{"model": "No Prior", **regression_summary(img_pred, labels)},
                          {"model": name, **regression_summary(geo_pred, labels)}])
    table["n"] = len(labels)
    table["n_dropped"] = int((~test_ok).sum())
    return LocBenchResult(table, frames, geo_model, 0.0)
