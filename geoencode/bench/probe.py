"""Probe benchmark: frozen embeddings as features, a linear probe and a small MLP on the offline tasks.

``geoencode bench probe`` answers "which encoder's features carry the most, as they are": each
encoder — pretrained (GeoCLIP, SatCLIP where its checkpoint is present) or an untrained position
encoding — is evaluated once on every point of a task, frozen; then scikit-learn probes are fitted
on the training split and scored on the test splits of :mod:`geoencode.bench.offline`'s tasks
(land–ocean, country, checkerboard, airport elevation).

* ``linear``: logistic regression (classification) or ridge regression (elevation) on standardised
  features;
* ``mlp``: one hidden layer of 256 ReLU units, Adam, a fixed small epoch budget.

Seed ``s`` draws the training subset (80 % of the training split), the MLP's initialisation and,
for random encoders (rff), their random directions; results are mean ± std over seeds. Wall time is
the encoder's (one pass over the task's points, shared by the seeds) plus the probe's fit.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from ..errors import GeoEncodeError
from ..registry import position_encoder
from ..training import write_csv_atomic
from .offline import GEO_BIAS_RADIUS_KM, TASKS, OfflineTask, geo_bias_scorer, load_task

PROBES = ("linear", "mlp")


@dataclass(frozen=True)
class ProbeEncoder:
    """An encoder of the probe benchmark: a label, a registry name and its parameters."""

    label: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)
    seeded: bool = False  # draws random parameters: rebuilt per seed with random_state=seed


#: The default comparison: GeoCLIP against untrained position encodings.
DEFAULT_ENCODERS: tuple[ProbeEncoder, ...] = (
    ProbeEncoder("geoclip", "geoclip"),
    ProbeEncoder("sphereC+", "sphereC+"),
    ProbeEncoder("sh L=10", "sh", {"legendre_poly_num": 10}),
    ProbeEncoder("sh L=20", "sh", {"legendre_poly_num": 20}),
    ProbeEncoder("rff", "rff", seeded=True),
)


def embed(encoder: ProbeEncoder, lonlat: np.ndarray, seed: int = 0, device: str | torch.device = "cpu",
          batch_size: int = 65536) -> np.ndarray:
    """Frozen features ``(N, d)`` float32 of ``lonlat`` (degrees, longitude first) from ``encoder``.

    Examples
    --------
    >>> embed(ProbeEncoder("sh L=2", "sh", {"legendre_poly_num": 2}), np.array([[0.0, 90.0]])).shape
    (1, 4)
    """
    params = dict(encoder.params, **({"random_state": seed} if encoder.seeded else {}))
    module = position_encoder(encoder.name, **params).to(device).eval()
    x = torch.as_tensor(np.asarray(lonlat, dtype=np.float64), device=device)
    with torch.inference_mode():
        out = [module(chunk).float().cpu() for chunk in x.split(batch_size)] if len(x) else []
    return torch.cat(out).numpy() if out else np.zeros((0, getattr(module, "out_dim", 0)), np.float32)


def _probe(kind: str, probe: str, seed: int):
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if probe == "linear":
        model = Ridge(alpha=1.0) if kind == "regression" else LogisticRegression(max_iter=200, C=1.0)
    elif probe == "mlp":
        cls = MLPRegressor if kind == "regression" else MLPClassifier
        model = cls(hidden_layer_sizes=(256,), max_iter=30, batch_size=256, learning_rate_init=1e-3,
                    random_state=seed)
    else:
        raise GeoEncodeError(f"unknown probe {probe!r}; choose from {', '.join(PROBES)}.")
    return make_pipeline(StandardScaler(), model)


def _score(task: OfflineTask, model, feats: np.ndarray, y: np.ndarray, scale: tuple[float, float],
           split: str) -> dict[str, float]:
    pred = model.predict(feats)
    if task.kind == "regression":
        pred = pred * scale[1] + scale[0]
        rmse = float(np.sqrt(np.mean((pred - y) ** 2)))
        return {"r2": float(1.0 - np.sum((pred - y) ** 2) / np.sum((y - y.mean()) ** 2)), "rmse": rmse}
    out = {"accuracy": float(np.mean(pred == y))}
    if split == next(iter(task.tests)) and task.name in GEO_BIAS_RADIUS_KM:
        gbs = geo_bias_scorer(task.name, split)((pred == y).astype(float))
        out.update(base_gbs=gbs["base_gbs"], relative_gbs=gbs["relative_gbs"])
    return out


def run_probe(tasks: Sequence[str] = TASKS, encoders: Sequence[ProbeEncoder] = DEFAULT_ENCODERS,
              probes: Sequence[str] = PROBES, seeds: int = 3, device: str | torch.device = "cpu",
              train_fraction: float = 0.8, progress: bool = True, threads: int | None = None) -> pd.DataFrame:
    """One row per (task, encoder, probe, seed): test metrics, encode and fit seconds.

    Classification tasks also get the base and relative Geo-Bias Scores of the main test split
    (``test_base_gbs``, ``test_relative_gbs``; radius :data:`~geoencode.bench.offline.GEO_BIAS_RADIUS_KM`).

    ``threads`` caps torch's and the BLAS/OpenMP pools for the run (on a shared machine one thread
    per process is often several times faster than two that wait on each other); ``None`` leaves them.

    Examples
    --------
    >>> enc = [ProbeEncoder("sh L=4", "sh", {"legendre_poly_num": 4})]
    >>> rows = run_probe(["checkerboard"], enc, ["linear"], seeds=1, progress=False)  # doctest: +SKIP
    >>> 0 <= rows.loc[0, "test_accuracy"] <= 1  # doctest: +SKIP
    True
    """
    from tqdm.auto import tqdm

    bad = [t for t in tasks if t not in TASKS]
    if bad:
        raise GeoEncodeError(f"unknown task(s) {bad}; choose from {', '.join(TASKS)}.")
    bad = [p for p in probes if p not in PROBES]
    if bad:
        raise GeoEncodeError(f"unknown probe(s) {bad}; choose from {', '.join(PROBES)}.")
    if seeds < 1 or not 0 < train_fraction <= 1:
        raise GeoEncodeError(f"seeds must be >= 1 and train_fraction in (0, 1], got {seeds} and {train_fraction}.")
    if threads is not None:
        from threadpoolctl import threadpool_limits

        before = torch.get_num_threads()
        torch.set_num_threads(threads)
        try:
            with threadpool_limits(limits=threads):
                return run_probe(tasks, encoders, probes, seeds, device, train_fraction, progress, None)
        finally:
            torch.set_num_threads(before)
    rows = []
    bar = tqdm(total=len(tasks) * len(encoders) * len(probes) * seeds, disable=not progress, desc="probe")
    for task_name in tasks:
        task = load_task(task_name)
        splits = {"train": task.train, **task.tests}
        for enc in encoders:
            cached: dict[int, tuple[dict[str, np.ndarray], float]] = {}
            for seed in range(seeds):
                key = seed if enc.seeded else 0
                if key not in cached:
                    t0 = time.perf_counter()
                    feats = {s: embed(enc, xy[0], seed=key, device=device) for s, xy in splits.items()}
                    cached[key] = (feats, time.perf_counter() - t0)
                feats, embed_seconds = cached[key]
                x_tr, y_tr = feats["train"], splits["train"][1]
                rng = np.random.default_rng(seed)
                keep = np.sort(rng.choice(len(x_tr), size=max(2, int(train_fraction * len(x_tr))), replace=False))
                scale = (float(y_tr.mean()), float(y_tr.std())) if task.kind == "regression" else (0.0, 1.0)
                target = (y_tr - scale[0]) / scale[1] if task.kind == "regression" else y_tr
                for probe in probes:
                    model = _probe(task.kind, probe, seed)
                    t0 = time.perf_counter()
                    with warnings.catch_warnings():
                        # The fixed small budgets are the point (a cheap, comparable probe).
                        warnings.simplefilter("ignore", category=UserWarning)
                        from sklearn.exceptions import ConvergenceWarning

                        warnings.simplefilter("ignore", category=ConvergenceWarning)
                        model.fit(x_tr[keep], target[keep])
                    row: dict[str, Any] = {"task": task.name, "encoder": enc.label, "probe": probe, "seed": seed,
                                           "dim": x_tr.shape[1], "embed_seconds": embed_seconds,
                                           "fit_seconds": time.perf_counter() - t0}
                    for split in task.tests:
                        for k, v in _score(task, model, feats[split], splits[split][1], scale, split).items():
                            row[f"{split}_{k}"] = v
                    rows.append(row)
                    bar.update(1)
    bar.close()
    return pd.DataFrame(rows)


def summarize_probe(results: pd.DataFrame) -> pd.DataFrame:
    """Mean ± std over seeds per (task, encoder, probe), with the mean wall seconds of one run."""
    metrics = [c for c in results.columns if c.split("_", 1)[0] in ("test", "polar")]
    grouped = results.groupby(["task", "encoder", "probe"], sort=False)

    def fmt(s: pd.Series) -> str:
        s = s.dropna()
        if s.empty:
            return ""
        digits = 1 if s.abs().max() >= 10 else 3
        return f"{s.mean():.{digits}f} ± {s.std(ddof=1) if len(s) > 1 else 0.0:.{digits}f}"

    out = grouped[metrics].agg(fmt)
    out["dim"] = grouped["dim"].first()
    out["seeds"] = grouped.size()
    out["seconds"] = (grouped["embed_seconds"].mean() + grouped["fit_seconds"].mean()).round(1)
    return out.reset_index()


def to_markdown(summary: pd.DataFrame) -> str:
    """One Markdown table per task (columns that task does not have are dropped)."""
    parts = []
    for task, frame in summary.groupby("task", sort=False):
        frame = frame.drop(columns="task").replace("", np.nan).dropna(axis=1, how="all").fillna("")
        cols = list(frame.columns)
        lines = [f"### {task}", "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


# --------------------------------------------------------------------------- command line


def _encoder_arg(text: str) -> ProbeEncoder:
    """``NAME`` or ``LABEL=NAME:key=value,key=value`` (e.g. ``sh20=sh:legendre_poly_num=20``)."""
    from ..cli.parsing import parse_param

    head, _, opts = text.partition(":")
    label, _, name = head.rpartition("=")
    params = dict(parse_param(p) for p in opts.split(",") if p)
    label = label or (f"{name} {opts}" if opts else name)
    return ProbeEncoder(label, name, params, seeded=name.lower() == "rff")


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``geoencode bench probe``."""
    p = sub.add_parser("probe", help="frozen embeddings + linear/MLP probes on the offline tasks",
                       description="Compare encoders' frozen features with a linear probe and a small MLP on "
                                   "the offline tasks (land-ocean, country, checkerboard, elevation).")
    p.add_argument("--tasks", nargs="+", choices=TASKS, default=list(TASKS))
    p.add_argument("--encoders", nargs="+", type=_encoder_arg, default=list(DEFAULT_ENCODERS),
                   metavar="ENCODER", help="registry or pretrained names, or LABEL=NAME:key=value,… "
                                           "(default: geoclip, sphereC+, sh L=10, sh L=20, rff)")
    p.add_argument("--probes", nargs="+", choices=PROBES, default=list(PROBES))
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=None, help="cap torch/BLAS threads (default: leave them)")
    p.add_argument("--out", type=Path, required=True, help="folder for results.csv and probe.md")
    p.add_argument("--overwrite", action="store_true", help="replace existing result files")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def run(args: argparse.Namespace) -> int:
    """Run the probes, write ``results.csv`` and ``probe.md`` under ``--out``, print the summary."""
    out = Path(args.out)
    for name in ("results.csv", "probe.md"):
        if (out / name).exists() and not args.overwrite:
            raise GeoEncodeError(f"{out / name} exists; pass --overwrite to replace it.")
    table = run_probe(args.tasks, args.encoders, args.probes, seeds=args.seeds, device=args.device,
                      progress=not args.quiet, threads=args.threads)
    summary = summarize_probe(table)
    out.mkdir(parents=True, exist_ok=True)
    write_csv_atomic(table, out / "results.csv", overwrite=args.overwrite)
    from .._io import atomic_write

    atomic_write(out / "probe.md", lambda tmp: Path(tmp).write_text(to_markdown(summary)), overwrite=args.overwrite)
    print(summary.to_string(index=False))
    print(f"\nwrote {out / 'results.csv'} and {out / 'probe.md'}")
    return 0
