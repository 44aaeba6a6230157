"""The debiasing benchmark: does a geo-bias regulariser lower the test Geo-Bias Score, at what cost?

Three arms over the same seeds (GeoBS's schedule, with the control it lacks):

* ``plain``: ``N`` epochs;
* ``control``: ``N + M`` plain epochs (the same training budget as ``debiased``);
* ``debiased``: ``N`` plain epochs, then ``M`` epochs with the regulariser.

Each arm reports test accuracy and the Geo-Bias Scores of its held-out test points
(:func:`~geoencode.training.geo_bias_score.geo_bias_scores`, the ``geobs`` preset at the task's
radius, written in every row), and its training seconds.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from ..errors import GeoEncodeError
from ..registry import get_spec
from ..training import MarkedSSILoss, SRILoss, SSILoss, Trainer, write_csv_atomic
from ..training.geo_bias_score import geo_bias_scores
from .offline import _loss, _model_for, _predict, load_task

__all__ = ["LOSSES", "RADIUS_KM", "make_regulariser", "run_debias"]

LOSSES = ("ssi", "marked_ssi", "sri")

#: Neighbourhood radius per task (about 20 test points per disk: 100 km grid, 10k lattice, 5k on land).
RADIUS_KM = {"landocean": 250.0, "checkerboard": 600.0, "country": 450.0}


def make_regulariser(loss: str, radius_km: float, weight: float, threshold: float = 0.5,
                     anchors_per_step: int = 32) -> torch.nn.Module:
    """The regulariser named ``loss`` at the task's scale (radius, and ``2 * radius`` for SRI).

    Examples
    --------
    >>> make_regulariser("marked_ssi", 250, 0.1)
    MarkedSSILoss(radius_km=250, weight=0.1, anchors_per_step=32)
    """
    if loss == "ssi":
        return SSILoss(radius_km, weight, threshold=threshold, anchors_per_step=anchors_per_step)
    if loss == "marked_ssi":
        return MarkedSSILoss(radius_km, weight, threshold=threshold, anchors_per_step=anchors_per_step)
    if loss == "sri":
        return SRILoss(2 * radius_km, weight, scale_km=2 * radius_km, lag_km=radius_km,
                       anchors_per_step=anchors_per_step, reduction="mean")
    raise GeoEncodeError(f"loss={loss!r} must be one of {', '.join(LOSSES)} (--loss on the command line).")


def _arm(task, encoder: str, nn_name: str | None, seed: int, epochs: int, regularise_from: int | None,
         reg: torch.nn.Module | None, lr: float, batch_size: int, device: torch.device,
         radius_km: float, progress: bool) -> dict[str, Any]:
    torch.manual_seed(seed)
    model = _model_for(task, encoder, nn_name, {})
    x_tr, y_tr = task.train
    data = (torch.as_tensor(x_tr, dtype=torch.float32), torch.as_tensor(y_tr, dtype=torch.long))
    trainer = Trainer(model, _loss(task.kind), lr=lr, max_epochs=epochs, batch_size=batch_size, seed=seed,
                      device=device, progress=progress, regularisers=[reg] if reg is not None else (),
                      regularise_from=regularise_from or 0)
    t0 = time.perf_counter()
    trainer.fit(data)
    seconds = time.perf_counter() - t0
    x_te, y_te = next(iter(task.tests.values()))
    raw = _predict(model, x_te, device)
    pred = (raw.reshape(-1) > 0).astype(int) if task.kind == "binary" else raw.argmax(-1)
    hits = (pred == y_te).astype(float)
    row: dict[str, Any] = {"test_accuracy": 100 * float(hits.mean()), "train_seconds": seconds}
    row.update(geo_bias_scores(x_te, hits, radius_km, device=device))
    hist = trainer.history_
    reg_epochs = [h for h in hist if "regulariser" in h]
    plain_epochs = [h["seconds"] for h in hist if "regulariser" not in h]
    row["plain_epoch_seconds"] = float(np.mean(plain_epochs)) if plain_epochs else np.nan
    row["regularised_epoch_seconds"] = float(np.mean([h["seconds"] for h in reg_epochs])) if reg_epochs else np.nan
    row["skipped_steps"] = int(sum(h["skipped_steps"] for h in reg_epochs))
    return row


def run_debias(task: str, encoder: str, nn_name: str | None = None, loss: str = "marked_ssi", seeds: int = 1, *,
               plain_epochs: int = 30, debias_epochs: int = 10, weight: float = 0.1, threshold: float = 0.5,
               radius_km: float | None = None, lr: float = 1e-3, batch_size: int = 512,
               anchors_per_step: int = 32, device: str | torch.device = "cpu", progress: bool = False,
               out_dir: str | os.PathLike | None = None, overwrite: bool = False) -> pd.DataFrame:
    """Train the three arms for each seed; return (and write ``out_dir/results.csv``) one row per (seed, arm).

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
    if loss not in LOSSES:
        raise GeoEncodeError(f"loss={loss!r} must be one of {', '.join(LOSSES)} (--loss on the command line).")
    if plain_epochs < 1 or debias_epochs < 1 or seeds < 1:
        raise GeoEncodeError("plain_epochs, debias_epochs and seeds must be >= 1.")
    spec = get_spec(encoder)
    nn_name = nn_name or spec.nn
    radius_km = float(radius_km or RADIUS_KM.get(task, 500.0))
    dev = torch.device(device)
    rows = []
    for seed in range(seeds):
        arms = [("plain", plain_epochs, None), ("control", plain_epochs + debias_epochs, None),
                ("debiased", plain_epochs + debias_epochs, plain_epochs)]
        for arm, epochs, start in arms:
            reg = make_regulariser(loss, radius_km, weight, threshold, anchors_per_step) if start else None
            row = {"task": task, "encoder": spec.name, "nn": nn_name, "loss": loss, "weight": weight,
                   "threshold": threshold, "seed": seed, "arm": arm, "epochs": epochs}
            row.update(_arm(t, spec.name, nn_name, seed, epochs, start, reg, lr, batch_size, dev, radius_km,
                            progress))
            rows.append(row)
    table = pd.DataFrame(rows)
    if out_dir is not None:
        write_csv_atomic(table, Path(out_dir) / "results.csv", overwrite=overwrite)
    return table
