"""Offline benchmark tasks on real data shipped inside installed packages (no download).

* ``landocean`` — Rußwurm et al. (ICLR 2024)'s protocol: land/ocean labels from Natural Earth 1:110m
  countries dissolved; 5,000 train (seed 0) and 5,000 validation (seed 1) points uniform on the
  sphere; test on the 100 km EPSG:6933 grid (51,156 points, lat −86…82.3) plus a polar test set
  (``|lat| > 80°``, 5,000 area-uniform points, seed 2) that the paper does not have. Accuracy and IoU.
* ``checkerboard`` — 16 classes on a 200-point Fibonacci lattice, labels of the nearest support
  point; 10,000 train / validation points (seeds 0 / 1), test on a 10,000-point Fibonacci lattice.
* ``country`` — which Natural Earth country a land point lies in (points uniform on the sphere,
  kept on land; 5,000 train / val / test, seeds 0 / 1 / 2). Top-1/top-3 accuracy, MRR.
* ``elevation`` — airport elevation (metres) from location, the ``airportsdata`` package's ~28k
  airports, a fixed 60/20/20 split. R², MAE, RMSE.
"""

from __future__ import annotations

import functools
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import shapely
import torch
from torch import nn

from ..datasets import naturalearth_countries
from ..errors import GeoEncodeError
from ..models import LocationClassifier, LocationRegressor
from ..registry import build, get_spec
from .recipes import Recipe, get_recipe
from ..training.geo_bias_score import GeoBiasScorer
from ..training import (
    Trainer, binary_summary, classification_frame, classification_summary, regression_frame,
    regression_summary, write_csv_atomic,
)

TASKS = ("landocean", "checkerboard", "country", "elevation")

#: Geo-Bias Score radius per classification task: about 20 test points per disk (the 100 km grid,
#: the 10k lattice, 5k points on land).
GEO_BIAS_RADIUS_KM = {"landocean": 250.0, "checkerboard": 600.0, "country": 450.0}
Kind = Literal["binary", "multiclass", "regression"]


@dataclass
class OfflineTask:
    """Arrays of one benchmark task: lon/lat ``(N, 2)`` float64 and targets per split."""

    name: str
    kind: Kind
    num_outputs: int
    train: tuple[np.ndarray, np.ndarray]
    val: tuple[np.ndarray, np.ndarray]
    tests: dict[str, tuple[np.ndarray, np.ndarray]]
    info: dict[str, Any] = field(default_factory=dict)


def sphere_normal_points(n: int, seed: int) -> np.ndarray:
    """Points uniform on the sphere drawn as the reference does: normalised 3-D Gaussians.

    ``RandomState(seed).normal(size=(3, n))`` → azimuth/elevation, so seeds give the paper's points.
    """
    x, y, z = np.random.RandomState(seed).normal(size=(3, n))
    lon = np.rad2deg(np.arctan2(y, x))
    lat = np.rad2deg(np.arctan2(z, np.hypot(x, y)))
    return np.c_[lon, lat]


def area_uniform_caps(n: int, min_abs_lat: float, seed: int) -> np.ndarray:
    """``n`` points uniform by area over both polar caps ``|lat| > min_abs_lat``."""
    rng = np.random.RandomState(seed)
    s = math.sin(math.radians(min_abs_lat))
    z = rng.uniform(s, 1.0, n) * rng.choice([-1.0, 1.0], n)
    return np.c_[rng.uniform(-180.0, 180.0, n), np.rad2deg(np.arcsin(z))]


def ease_grid_100km() -> np.ndarray:
    """The paper's test grid: 100 km spacing in EASE-Grid 2.0 (EPSG:6933), as lon/lat (51,156 points)."""
    from pyproj import Transformer

    x, y = np.meshgrid(np.arange(-17367530.45, 17367530.45, 1e5), np.arange(-7324184.56, 7324184.56, 1e5))
    lon, lat = Transformer.from_crs(6933, 4326, always_xy=True).transform(x.ravel(), y.ravel())
    return np.c_[lon, lat]


def fibonacci_lattice(n: int, n_classes: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """The Fibonacci lattice of González (2010) with labels ``i mod n_classes`` (``n`` even)."""
    half = n // 2
    golden = (1 + math.sqrt(5)) / 2
    i = np.arange(-half, half)
    lat = np.rad2deg(np.arcsin(2 * i / (2 * half + 1)))
    lon = np.mod(i, golden) * (360 / golden)
    lon = np.where(lon > 180, lon - 360, lon)
    return np.c_[lon, lat], np.mod(i, n_classes)


def _xyz(lonlat: np.ndarray) -> np.ndarray:
    lam, phi = np.deg2rad(lonlat[:, 0]), np.deg2rad(lonlat[:, 1])
    return np.c_[np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)]


def nearest_label(points: np.ndarray, support: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Label of the great-circle-nearest support point (largest dot product of unit vectors)."""
    return labels[np.argmax(_xyz(points) @ _xyz(support).T, axis=1)]


@functools.lru_cache(maxsize=1)
def _land() -> shapely.Geometry:
    land = shapely.union_all(naturalearth_countries().geometry.values)
    shapely.prepare(land)
    return land


def land_mask(lonlat: np.ndarray) -> np.ndarray:
    """True where a lon/lat point lies inside a Natural Earth 1:110m country."""
    return shapely.contains_xy(_land(), lonlat[:, 0], lonlat[:, 1])


def _landocean() -> OfflineTask:
    split = {s: sphere_normal_points(5000, s) for s in (0, 1)}
    grid, polar = ease_grid_100km(), area_uniform_caps(5000, 80.0, seed=2)
    lab = lambda p: land_mask(p).astype(np.int64)  # noqa: E731
    return OfflineTask("landocean", "binary", 1, (split[0], lab(split[0])), (split[1], lab(split[1])),
                       {"test": (grid, lab(grid)), "polar": (polar, lab(polar))},
                       {"labels": "Natural Earth 1:110m countries dissolved", "positive": "land"})


def _checkerboard() -> OfflineTask:
    support, labels = fibonacci_lattice(200, 16)
    pts = {s: sphere_normal_points(10_000, s) for s in (0, 1)}
    test, _ = fibonacci_lattice(10_000, 16)
    lab = lambda p: nearest_label(p, support, labels)  # noqa: E731
    return OfflineTask("checkerboard", "multiclass", 16, (pts[0], lab(pts[0])), (pts[1], lab(pts[1])),
                       {"test": (test, lab(test))}, {"support": support})


def _country() -> OfflineTask:
    countries = naturalearth_countries()
    geoms = countries.geometry.values
    tree = shapely.STRtree(geoms)

    def land_points(seed: int, n: int = 5000) -> tuple[np.ndarray, np.ndarray]:
        pts = sphere_normal_points(8 * n, seed)
        pt_geoms = shapely.points(pts)
        src, dst = tree.query(pt_geoms, predicate="within")
        first = pd.Series(dst, index=src).groupby(level=0).first()
        keep = first.index.to_numpy()[:n]
        return pts[keep], first.to_numpy()[:n].astype(np.int64)

    splits = [land_points(s) for s in (0, 1, 2)]
    return OfflineTask("country", "multiclass", len(countries), splits[0], splits[1], {"test": splits[2]},
                       {"class_names": countries["name"].tolist()})


def _elevation() -> OfflineTask:
    import airportsdata

    airports = pd.DataFrame(list(airportsdata.load().values()))
    lonlat = airports[["lon", "lat"]].to_numpy(float)
    metres = airports["elevation"].to_numpy(float) * 0.3048
    order = np.random.RandomState(0).permutation(len(airports))
    a, b = int(0.6 * len(order)), int(0.8 * len(order))
    pick = lambda idx: (lonlat[idx], metres[idx])  # noqa: E731
    return OfflineTask("elevation", "regression", 1, pick(order[:a]), pick(order[a:b]), {"test": pick(order[b:])},
                       {"unit": "m", "source": "airportsdata"})


_LOADERS = {"landocean": _landocean, "checkerboard": _checkerboard, "country": _country, "elevation": _elevation}


@functools.lru_cache(maxsize=None)
def load_task(name: str) -> OfflineTask:
    """Build (and cache) the arrays of offline task ``name``.

    Examples
    --------
    >>> task = load_task("checkerboard")
    >>> task.num_outputs, task.train[0].shape, task.tests["test"][0].shape
    (16, (10000, 2), (10000, 2))
    """
    if name not in _LOADERS:
        raise GeoEncodeError(f"unknown offline task {name!r}; choose one of {', '.join(TASKS)}.")
    return _LOADERS[name]()


def _model_for(task: OfflineTask, encoder: str, nn_name: str | None, params: dict[str, Any]) -> nn.Module:
    enc = build(encoder, nn=nn_name, **params)
    if task.kind == "regression":
        return LocationRegressor(enc)
    return LocationClassifier(enc, task.num_outputs)


def _loss(kind: Kind):
    if kind == "binary":
        return lambda m, b, g: nn.functional.binary_cross_entropy_with_logits(m(b[0]).squeeze(-1), b[1].float())
    if kind == "multiclass":
        return lambda m, b, g: nn.functional.cross_entropy(m(b[0]), b[1])
    return lambda m, b, g: nn.functional.mse_loss(m(b[0]), b[1])


def _predict(model: nn.Module, lonlat: np.ndarray, device: torch.device, batch: int = 8192) -> np.ndarray:
    model.eval()
    out = []
    with torch.no_grad():
        for chunk in torch.as_tensor(lonlat, dtype=getattr(model, "input_dtype", None) or torch.float32).split(batch):
            out.append(model(chunk.to(device)).float().cpu())
    return torch.cat(out).numpy()


def evaluate(task: OfflineTask, model: nn.Module, lonlat: np.ndarray, y: np.ndarray, device: torch.device,
             target_scale: tuple[float, float] = (0.0, 1.0)) -> tuple[dict[str, float], pd.DataFrame]:
    """Metrics and the per-sample frame (TorchSpatial's eval-CSV columns) of ``model`` on one split."""
    raw = _predict(model, lonlat, device)
    if task.kind == "regression":
        pred = raw * target_scale[1] + target_scale[0]
        return regression_summary(pred, y), regression_frame(lonlat, pred, y)
    if task.kind == "binary":
        p = 1.0 / (1.0 + np.exp(-raw.reshape(-1)))
        scores = np.c_[1.0 - p, p]
        return binary_summary(p > 0.5, y), classification_frame(lonlat, scores, y)
    scores = torch.softmax(torch.from_numpy(raw), -1).numpy()
    frame = classification_frame(lonlat, scores, y)
    return classification_summary(frame), frame


def run_one(task_name: str, encoder: str, nn_name: str | None = None, seed: int = 0, *, params: dict | None = None,
            lr: float = 1e-3, max_epochs: int = 200, patience: int = 20, batch_size: int = 2000,
            weight_decay: float = 0.0, device: str | torch.device = "cpu", progress: bool = False,
            out_dir: str | os.PathLike | None = None, overwrite: bool = False,
            recipe: str | os.PathLike | Recipe | None = None, lr_decay: float = 0.98) -> dict[str, Any]:
    """Train one encoder on one task with one seed; return a results row (and write per-sample CSVs).

    Without ``recipe``: the shared setting with the keyword arguments given (early stopping on the
    validation score — accuracy, or −RMSE for regression). With ``recipe`` (``"paper"``,
    ``"default"``, a file or a :class:`~geoencode.bench.recipes.Recipe`): that recipe, with ``params``
    merged into its hyper-parameters; the row then says which recipe ran and where it comes from.
    Per-sample CSVs go to ``out_dir/{task}_{encoder}_{nn}_seed{seed}_{split}.csv``.

    Examples
    --------
    >>> row = run_one("checkerboard", "xyz", seed=0, max_epochs=2, patience=2)  # doctest: +SKIP
    >>> row["test_top1"]  # doctest: +SKIP
    """
    task = load_task(task_name)
    spec = get_spec(encoder)
    nn_name = nn_name or spec.nn
    if recipe is not None:
        chosen = get_recipe(task.name, spec.name, nn_name, recipe)
        if params:
            chosen = chosen.with_overrides(params=dict(params))
        if not chosen.generic:
            return _run_recipe(task, chosen, seed, device, progress, out_dir, overwrite)
        row = run_one(task_name, spec.name, nn_name, seed, params=chosen.params, lr=chosen.lr,
                      max_epochs=chosen.max_epochs, patience=chosen.patience, batch_size=chosen.batch_size,
                      weight_decay=chosen.weight_decay, device=device, progress=progress, out_dir=out_dir,
                      overwrite=overwrite, lr_decay=chosen.lr_decay)
        row.update(recipe=chosen.name, source=chosen.source)
        return row
    torch.manual_seed(seed)
    model = _model_for(task, spec.name, nn_name, dict(params or {}))
    device = torch.device(device)
    x_tr, y_tr = task.train
    mean, std = (float(y_tr.mean()), float(y_tr.std())) if task.kind == "regression" else (0.0, 1.0)
    y_dtype = torch.float32 if task.kind == "regression" else torch.long
    data = (torch.as_tensor(x_tr, dtype=torch.float32), torch.as_tensor((y_tr - mean) / std, dtype=y_dtype))
    x_val = torch.as_tensor(task.val[0], dtype=torch.float32, device=device)
    y_val = task.val[1]

    def validate(m: nn.Module) -> float:
        raw = m(x_val).float().cpu().numpy()
        if task.kind == "regression":
            return -float(np.sqrt(((raw * std + mean - y_val) ** 2).mean()))
        pred = (raw.reshape(-1) > 0).astype(int) if task.kind == "binary" else raw.argmax(-1)
        return float((pred == y_val).mean())

    trainer = Trainer(model, _loss(task.kind), lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                      max_epochs=max_epochs, batch_size=batch_size, patience=patience, seed=seed, device=device,
                      progress=progress)
    t0 = time.perf_counter()
    trainer.fit(data, validate=validate)
    train_seconds = time.perf_counter() - t0
    row: dict[str, Any] = {"task": task.name, "encoder": spec.name, "nn": nn_name, "seed": seed,
                           "epochs": len(trainer.history_), "best_epoch": trainer.best_epoch_,
                           "val_score": trainer.best_score_, "train_seconds": train_seconds}
    return _test(task, row, model, device, (mean, std), out_dir, overwrite)


@functools.lru_cache(maxsize=8)
def geo_bias_scorer(task: str, split: str = "test", radius_km: float | None = None) -> GeoBiasScorer:
    """The Geo-Bias scorer of a task's split (``val`` or a test split), built once per process.

    Its neighbourhoods cost more than scoring a model, so benchmarks share it across runs.
    """
    t = load_task(task)
    x = t.val[0] if split == "val" else t.tests[split][0]
    return GeoBiasScorer(x, radius_km or GEO_BIAS_RADIUS_KM[task])


def _test(task: OfflineTask, row: dict[str, Any], model: nn.Module, device: torch.device | str,
          target_scale: tuple[float, float], out_dir: str | os.PathLike | None, overwrite: bool) -> dict[str, Any]:
    """Add every test split's metrics to ``row`` (and write the per-sample CSVs).

    Classification tasks also get the base and relative Geo-Bias Scores of their main test split
    (``test_base_gbs``, ``test_relative_gbs``; radius in ``gbs_radius_km``).
    """
    for i, (split, (x, y)) in enumerate(task.tests.items()):
        metrics, frame = evaluate(task, model, x, y, torch.device(device), target_scale)
        if i == 0 and task.name in GEO_BIAS_RADIUS_KM:
            gbs = geo_bias_scorer(task.name, split)(frame["hit@1"].to_numpy(dtype=float))
            metrics.update(base_gbs=gbs["base_gbs"], relative_gbs=gbs["relative_gbs"])
            row["gbs_radius_km"] = gbs["gbs_radius_km"]
        row.update({f"{split}_{k}": v for k, v in metrics.items()})
        if out_dir is not None:
            name = f"{task.name}_{row['encoder']}_{row['nn']}_seed{row['seed']}_{split}.csv"
            write_csv_atomic(frame, Path(out_dir) / name, index=task.kind != "regression", overwrite=overwrite)
    row["model"] = model
    return row


def _run_recipe(task: OfflineTask, recipe: Recipe, seed: int, device: str | torch.device, progress: bool,
                out_dir: str | os.PathLike | None, overwrite: bool) -> dict[str, Any]:
    from .recipes.fit import fit_recipe

    y_tr = task.train[1]
    scale = (float(y_tr.mean()), float(y_tr.std())) if task.kind == "regression" else (0.0, 1.0)
    model, info = fit_recipe(recipe, task.kind, task.num_outputs, task.train, task.val, seed=seed,
                             target_scale=scale, device=device, progress=progress)
    row: dict[str, Any] = {"task": task.name, "encoder": recipe.encoder, "nn": recipe.nn, "seed": seed,
                           "epochs": info["epochs"], "best_epoch": info["best_epoch"], "val_score": info["val_score"],
                           "train_seconds": info["train_seconds"], "cpu_seconds": info["cpu_seconds"],
                           "steps_per_second": info["steps_per_second"],
                           "recipe": recipe.name, "source": recipe.source}
    return _test(task, row, model, device, scale, out_dir, overwrite)


def run_offline(task: str, encoders: Sequence[str], nns: Sequence[str | None] = (None,), seeds: int = 3,
                out_dir: str | os.PathLike | None = None, overwrite: bool = False, **kwargs: Any) -> pd.DataFrame:
    """Run every (encoder, nn, seed) combination on ``task``; write ``out_dir/results.csv``.

    Returns the results table (one row per run; metric columns ``{split}_{metric}``).
    """
    rows = []
    for encoder in encoders:
        for nn_name in nns:
            for seed in range(seeds):
                row = run_one(task, encoder, nn_name, seed, out_dir=out_dir, overwrite=overwrite, **kwargs)
                row.pop("model")
                rows.append(row)
    table = pd.DataFrame(rows)
    if out_dir is not None:
        write_csv_atomic(table, Path(out_dir) / "results.csv", overwrite=overwrite)
    return table


def summarize(results: pd.DataFrame) -> pd.DataFrame:
    """Mean ± std over seeds per (task, encoder, nn), with mean train seconds (and steps/s) per run and the recipe."""
    metrics = [c for c in results.columns if c.split("_", 1)[0] in ("test", "polar")]
    grouped = results.groupby(["task", "encoder", "nn"], sort=False)
    out = grouped[metrics].agg(lambda s: f"{s.mean():.2f} ± {s.std(ddof=1) if len(s) > 1 else 0.0:.2f}")
    out["seeds"] = grouped.size()
    out["train_seconds"] = grouped["train_seconds"].mean().round(1)
    if "steps_per_second" in results:
        out["steps_per_second"] = grouped["steps_per_second"].mean().round(0)
    if "recipe" in results:
        out["recipe"] = grouped["recipe"].first()
    return out.reset_index()
