"""The debiasing benchmark: does a geo-bias regulariser lower the test Geo-Bias Score, at what cost?

Three arms over the same seeds (GeoBS's schedule, with the control it lacks):

* ``plain``: ``N`` epochs;
* ``control``: ``N + M`` plain epochs (the same training budget as ``debiased``);
* ``debiased``: ``N`` plain epochs, then ``M`` epochs with the regulariser.

Each arm reports accuracy and the Geo-Bias Scores of its validation and held-out test points
(:class:`~geoencode.training.geo_bias_score.GeoBiasScorer`, the ``geobs`` preset at the task's
radius, written in every row), its training seconds and the mean seconds of its own epochs (for
``debiased``, the regularised ones; for ``control``, the plain ones after the shared start).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..errors import GeoEncodeError
from ..registry import get_spec
from ..training import MarkedSSILoss, SRILoss, SSILoss, Trainer, write_csv_atomic
from .offline import GEO_BIAS_RADIUS_KM, _loss, _model_for, _predict, geo_bias_scorer, load_task

__all__ = ["LOSSES", "RADIUS_KM", "TRAIN_RADIUS_KM", "ANCHORS_PER_STEP", "make_regulariser", "run_debias"]

LOSSES = ("ssi", "marked_ssi", "sri")

#: Neighbourhood radius per task (about 20 test points per disk: 100 km grid, 10k lattice, 5k on land).
RADIUS_KM = GEO_BIAS_RADIUS_KM


#: Regulariser radius per task: about 20 *training* points per disk (land–ocean trains on 5,000
#: points, ten times sparser than its 100 km test grid).
TRAIN_RADIUS_KM = {"landocean": 800.0, "checkerboard": 600.0, "country": 450.0}

#: Anchors per step: their neighbours (about 20 per SSI anchor, 80 per SRI anchor at twice the
#: radius) are run through the model each step, so this keeps a regularised step near a plain one.
ANCHORS_PER_STEP = {"ssi": 16, "marked_ssi": 16, "sri": 4}


def make_regulariser(loss: str, radius_km: float, weight: float, threshold: float = 0.5,
                     anchors_per_step: int | None = None, marks: str = "hits") -> torch.nn.Module:
    """The regulariser named ``loss`` at the task's scale (radius, and ``2 * radius`` for SRI).

    Examples
    --------
    >>> make_regulariser("marked_ssi", 250, 0.1)
    MarkedSSILoss(radius_km=250, weight=0.1, anchors_per_step=16)
    """
    if loss not in LOSSES:
        raise GeoEncodeError(f"loss={loss!r} must be one of {', '.join(LOSSES)} (--loss on the command line).")
    anchors = anchors_per_step or ANCHORS_PER_STEP[loss]
    if loss == "ssi":
        return SSILoss(radius_km, weight, threshold=threshold, anchors_per_step=anchors)
    if loss == "marked_ssi":
        return MarkedSSILoss(radius_km, weight, threshold=threshold, anchors_per_step=anchors, marks=marks)
    return SRILoss(2 * radius_km, weight, scale_km=2 * radius_km, lag_km=radius_km, anchors_per_step=anchors,
                   reduction="mean")


def _hits(task, model: torch.nn.Module, x: np.ndarray, y: np.ndarray, device: torch.device) -> np.ndarray:
    raw = _predict(model, x, device)
    pred = (raw.reshape(-1) > 0).astype(int) if task.kind == "binary" else raw.argmax(-1)
    return (pred == y).astype(float)


def run_debias(task: str, encoder: str, nn_name: str | None = None, loss: str = "marked_ssi", seeds: int = 1, *,
               plain_epochs: int = 30, debias_epochs: int = 10, weight: float = 0.1, threshold: float = 0.5,
               radius_km: float | None = None, reg_radius_km: float | None = None, lr: float = 1e-3,
               batch_size: int = 512,
               anchors_per_step: int | None = None, marks: str = "hits", device: str | torch.device = "cpu",
               progress: bool = False, out_dir: str | os.PathLike | None = None,
               overwrite: bool = False) -> pd.DataFrame:
    """Train the three arms for each seed; return (and write ``out_dir/results.csv``) one row per (seed, arm).

    The arms share their first ``plain_epochs`` (the plain arm's checkpoint is resumed by the other
    two), so ``control`` and ``debiased`` differ only in the regulariser. Accuracy and geo-bias are
    measured on the validation points (``val_*``, for choosing a setting) and on the held-out test
    points (``test_accuracy``, ``base_gbs``, ``relative_gbs``, ``sri_*``).

    Examples
    --------
    >>> table = run_debias("checkerboard", "sphereC+", "siren", "ssi", plain_epochs=2,
    ...                    debias_epochs=1)  # doctest: +SKIP
    >>> table["arm"].tolist()  # doctest: +SKIP
    ['plain', 'control', 'debiased']
    """
    t = load_task(task)
    if t.kind == "regression":
        raise GeoEncodeError(f"task {task!r} is a regression; the geo-bias losses need a classification task "
                             f"(--task landocean, checkerboard or country).")
    make_regulariser(loss, 1.0, weight, threshold, anchors_per_step, marks)  # validates before any work
    if plain_epochs < 1 or debias_epochs < 1 or seeds < 1:
        raise GeoEncodeError("plain_epochs, debias_epochs and seeds must be >= 1 (--plain-epochs, "
                             "--debias-epochs, --seeds on the command line).")
    spec = get_spec(encoder)
    nn_name = nn_name or spec.nn
    radius_km = float(radius_km or RADIUS_KM.get(task, 500.0))
    reg_radius_km = float(reg_radius_km or TRAIN_RADIUS_KM.get(task, radius_km))
    dev = torch.device(device)
    x_te, y_te = next(iter(t.tests.values()))
    test_split = next(iter(t.tests))
    scorers = {"val": geo_bias_scorer(task, "val", radius_km), "test": geo_bias_scorer(task, test_split, radius_km)}
    data = (torch.as_tensor(t.train[0], dtype=torch.float32), torch.as_tensor(t.train[1], dtype=torch.long))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(seeds):
            start = Path(tmp) / f"start{seed}.pt"
            for arm, epochs in (("plain", plain_epochs), ("control", plain_epochs + debias_epochs),
                                ("debiased", plain_epochs + debias_epochs)):
                reg = make_regulariser(loss, reg_radius_km, weight, threshold, anchors_per_step, marks) \
                    if arm == "debiased" else None
                ckpt = Path(tmp) / f"{arm}{seed}.pt"
                if arm != "plain":
                    shutil.copyfile(start, ckpt)
                torch.manual_seed(seed)
                model = _model_for(t, spec.name, nn_name, {})
                trainer = Trainer(model, _loss(t.kind), lr=lr, max_epochs=epochs, batch_size=batch_size, seed=seed,
                                  device=dev, progress=progress, checkpoint=ckpt,
                                  regularisers=[reg] if reg is not None else (), regularise_from=plain_epochs)
                t0 = time.perf_counter()
                trainer.fit(data)
                wall = time.perf_counter() - t0
                if arm == "plain":
                    shutil.copyfile(ckpt, start)
                row = {"task": task, "encoder": spec.name, "nn": nn_name, "loss": loss, "weight": weight,
                       "threshold": threshold, "marks": marks if loss == "marked_ssi" else "",
                       "reg_radius_km": reg_radius_km,
                       "seed": seed, "arm": arm, "epochs": epochs}
                hits = _hits(t, model, x_te, y_te, dev)
                val_hits = _hits(t, model, t.val[0], t.val[1], dev)
                row["test_accuracy"] = 100 * float(hits.mean())
                row.update(scorers["test"](hits))
                val = scorers["val"](val_hits)
                row.update(val_accuracy=100 * float(val_hits.mean()), val_relative_gbs=val["relative_gbs"],
                           val_error_gbs=val["error_gbs"])
                new = trainer.history_[plain_epochs:] if arm != "plain" else trainer.history_
                row["train_seconds"] = trainer.train_seconds_
                row["epoch_seconds"] = float(np.mean([h["seconds"] for h in new]))
                row["setup_seconds"] = wall - sum(h["seconds"] for h in new)
                row["skipped_steps"] = int(sum(h.get("skipped_steps", 0) for h in new))
                rows.append(row)
    table = pd.DataFrame(rows)
    if out_dir is not None:
        write_csv_atomic(table, Path(out_dir) / "results.csv", overwrite=overwrite)
    return table
