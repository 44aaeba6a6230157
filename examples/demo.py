"""``make demo``: the main job on bundled data, end to end.

1. Encode real locations (Natural Earth countries) with nine encoders; table and channel figure.
2. Train two encoders on the land–ocean task (Rußwurm et al.'s protocol, data shipped with pyogrio)
   and a location-unaware baseline; evaluate them on the 100 km EASE grid.
3. Audit where each model fails with :mod:`geobias` (Geo-Bias Scores) on a near-isotropic subset of
   the test grid, find hot/cold spots of the best model's errors, and write an offline web map, a
   figure and a QGIS-styled GeoPackage.
4. From audit to remedy: train the best model a few epochs more, once plain (the control) and once
   with the geo-bias regulariser :class:`~geoencode.training.MarkedSSILoss` (errors marked), audit
   both on the same subset and map their relative SSI side by side. One seed shows what one run
   does; ``geoencode bench debias`` measures it over seeds (docs/debias.rst).

It composes both packages, which neither library module may do (see tests/test_layering.py), so it
lives here rather than in ``geoencode``. Run ``python examples/demo.py --out demo_output`` (``make demo``).
"""

from __future__ import annotations

import argparse
import copy
import time
import warnings
from pathlib import Path

import geobias
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from geobias.maps import plot_comparison, plot_map, save_figure, save_map
from geobias.maps.figures import CLIP_PERCENTILES, colour_range
from geobias.thinning import neighbour_counts, thin_by_distance
from matplotlib.figure import Figure

from geoencode.bench.debias import TRAIN_RADIUS_KM
from geoencode.bench.offline import _loss, evaluate, load_task, run_one
from geoencode.datasets import naturalearth_countries
from geoencode.positional import NeRF, RBF, SphereCPlus, SphericalHarmonics, Space2VecGrid, Space2VecTheory
from geoencode.registry import build, get_spec
from geoencode.training import MarkedSSILoss, Trainer, binary_summary, classification_frame, write_csv_atomic

DEMO_ENCODERS = ["wrap", "rbf", "Space2Vec-grid", "Space2Vec-theory", "NeRF", "Sphere2Vec-sphereC",
                 "Sphere2Vec-sphereC+", "Sphere2Vec-dfs", "spherical_harmonics"]


def country_points() -> tuple[np.ndarray, list[str]]:
    """A point inside each Natural Earth country: real locations on every continent."""
    countries = naturalearth_countries()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # representative_point on lon/lat is fine for a label point
        pts = countries.geometry.representative_point()
    return np.c_[pts.x, pts.y], countries["name"].tolist()


def encode_table(lonlat: np.ndarray, encoders: list[str], seed: int = 0) -> pd.DataFrame:
    """Encode ``lonlat`` with each encoder (PE and the untrained NN), timing the position encoding."""
    rows = []
    x = torch.as_tensor(lonlat, dtype=torch.float32)
    for name in encoders:
        torch.manual_seed(seed)
        enc = build(name, **({"random_state": seed} if name in ("rbf", "rff") else {})).eval()
        with torch.no_grad():
            enc.position_encoder(x)  # warm-up
            t0 = time.perf_counter()
            feats = enc.position_encoder(x)
            pe_s = time.perf_counter() - t0
            emb = enc.network(feats)
        rows.append({"encoder": name, "family": get_spec(name).family, "dims": get_spec(name).dims,
                     "pe_dim": feats.shape[-1], "nn": enc.config["nn"], "embedding_dim": emb.shape[-1],
                     "pe_ms": 1e3 * pe_s, "points_per_s": len(x) / max(pe_s, 1e-9)})
    return pd.DataFrame(rows)


def channel_figure(path: Path, lonlat_pts: np.ndarray, *, overwrite: bool = False) -> None:
    """A 2×3 panel of single encoding channels over the globe, with the demo's points."""
    lon = np.linspace(-180, 180, 361)
    lat = np.linspace(-90, 90, 181)
    grid = torch.tensor(np.stack(np.meshgrid(lon, lat), -1), dtype=torch.float32)
    panels = [
        ("Space2Vec-grid: sin(lon·f₁)", Space2VecGrid(8, 1.0, 360.0), 4 * 1 + 0),
        ("Space2Vec-theory: 2nd projection", Space2VecTheory(8, 1.0, 360.0), 6 * 5 + 2),
        ("sphereC+: cos φ_k sin λ_k", SphereCPlus(8, 0.05, 1.0), 6 * 5 + 5),
        ("NeRF: sin(π·2·z)", NeRF(4), 2 * 4 + 1),
        ("spherical harmonics Y₅³", SphericalHarmonics(6), 25 + 5 + 3),
        ("rbf around 4 anchors", RBF(anchors=[[2.35, 48.85], [-74.0, 40.7], [151.2, -33.9], [116.4, 39.9]],
                                    kernel_size=15.0), None),
    ]
    fig, axes = plt.subplots(2, 3, figsize=(15, 6.5), constrained_layout=True)
    for ax, (title, pe, channel) in zip(axes.ravel(), panels):
        with torch.no_grad():
            codes = pe(grid)
        img = codes.sum(-1) if channel is None else codes[..., channel]
        im = ax.imshow(img.numpy(), origin="lower", extent=(-180, 180, -90, 90), cmap="RdBu_r")
        ax.scatter(lonlat_pts[:, 0], lonlat_pts[:, 1], s=3, c="k")
        ax.set_title(title, fontsize=10)
        ax.set_xticks([-180, -90, 0, 90, 180])
        ax.set_yticks([-90, 0, 90])
        fig.colorbar(im, ax=ax, shrink=0.8)
    fig.suptitle("geoencode: one channel of several position encoders over the globe (dots: Natural Earth countries)")
    save_figure(fig, path, dpi=110, overwrite=overwrite)
    plt.close(fig)


DEMO_MODELS = [("spherical_harmonics", "siren"), ("Sphere2Vec-sphereC+", "ffn")]
OUTPUTS = ["encoders.csv", "encoding_channels.png", "results.csv", "geobias.csv", "audit_map.html",
           "audit_figure.png", "audit.gpkg", "geobias_comparison.png", "remedy.csv", "remedy_figure.png"]


def train_and_evaluate(out: Path, epochs: int, overwrite: bool
                       ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], dict[str, torch.nn.Module]]:
    """Train the demo's encoders on land–ocean; per-sample test frames and trained models keyed by model name."""
    task = load_task("landocean")
    rows, frames, models = [], {}, {}
    # The location-unaware baseline: the majority class (ocean) everywhere.
    majority = int(np.bincount(task.train[1]).argmax())
    baseline: dict[str, float] = {}
    for split, (lonlat, truth) in task.tests.items():
        baseline.update({f"{split}_{k}": v for k, v in binary_summary(np.full(len(truth), majority), truth).items()})
    grid, truth = task.tests["test"]
    scores = np.zeros((len(truth), 2))
    scores[:, majority] = 1.0
    frames["No Prior"] = classification_frame(grid, scores, truth)
    rows.append({"model": "No Prior", "nn": "-", **baseline, "train_seconds": 0.0})
    for encoder, nn_name in DEMO_MODELS:
        row = run_one("landocean", encoder, nn_name, seed=0, max_epochs=epochs, patience=15,
                      out_dir=out / "per_sample", overwrite=overwrite)
        models[encoder] = row.pop("model")
        frames[encoder] = pd.read_csv(out / "per_sample" / f"landocean_{encoder}_{nn_name}_seed0_test.csv", index_col=0)
        rows.append({"model": encoder, "nn": nn_name,
                     **{k: v for k, v in row.items() if k.startswith(("test_", "polar_"))},
                     "train_seconds": row["train_seconds"]})
    return pd.DataFrame(rows), frames, models


#: The audit's minimum spacing. The 100 km EASE test grid is isotropic only near ±30°; towards the
#: poles its cells narrow to ~8 km in longitude while its rows move ~700 km apart, so every 3rd row
#: and column left 55 points in a 600 km disk on the southernmost row against ~11 elsewhere. Thinned
#: in a seeded random order (a lattice-free Poisson-disk sample; it packs less densely than a grid,
#: hence less than 3 × 100 km), every 600 km disk holds 4–18 points (median 12; the mean of each 15°
#: latitude band 11.7–12.8) and about as many centres remain (5,439 against 5,684). Base SSI follows
#: the neighbourhood size closely, so that evenness is what keeps sampling bands out of its map
#: (row order, or 240 km where the grid's cell shapes interfere, left bands of 10–12.5 or worse).
THIN_KM = 230.0


def audit_subset(frame: pd.DataFrame, min_km: float, seed: int = 0) -> pd.DataFrame:
    """The test points thinned so that no two are closer than ``min_km`` (all of them for ``min_km <= 0``).

    The seeded order depends only on the number of points, so frames on the same grid keep the same rows.
    """
    return frame if min_km <= 0 else thin_by_distance(frame, min_km, random_state=seed)


def geobias_audit(out: Path, frames: dict[str, pd.DataFrame], min_km: float, radius_km: float, *,
                  overwrite: bool = False, seed: int = 0):
    """Geo-Bias Scores of every model on a near-isotropic subset of the test grid, and the best model's maps."""
    subset = {name: audit_subset(frame, min_km, seed) for name, frame in frames.items()}
    table = geobias.compare(subset, value="hit@1", radius_km=radius_km, k=4, preset="geobs", progress=False)
    best = max((n for n in frames if n != "No Prior"), key=lambda n: frames[n]["hit@1"].mean())
    result = geobias.audit(subset[best], value="hit@1", radius_km=radius_km, k=4, preset="geobs", progress=False)
    # The audit's own methods make the maps, so the demo shows the wiring a user would write.
    spots = result.hotspots("value", random_state=seed)
    save_map(result.explore(offline=True, hotspots=spots, name=f"{best}: land/ocean hits"), out / "audit_map.html",
             overwrite=overwrite)
    fig = result.figure(hotspots=spots)
    save_figure(fig, out / "audit_figure.png", dpi=110, overwrite=overwrite)
    plt.close(fig)
    ax = plot_comparison(table)
    save_figure(ax, out / "geobias_comparison.png", dpi=110, overwrite=overwrite)
    plt.close(ax.figure)
    result.to_gpkg(out / "audit.gpkg", spots, overwrite=overwrite)
    return table, best, result, spots


#: The remedy: extra epochs from the best model, the regulariser's weight, and its radius (about 20
#: of the 5,000 *training* points per disk; the audit's 600 km is on the denser test grid).
REMEDY_EPOCHS = 5
REMEDY_WEIGHT = 0.3
REMEDY_RADIUS_KM = TRAIN_RADIUS_KM["landocean"]


def _errors_marked(hits: np.ndarray) -> np.ndarray:
    """The audit's marks with the failures marked 1 (``geoencode bench debias``'s ``error_gbs``)."""
    return 1.0 - hits


def remedy(out: Path, name: str, model: torch.nn.Module, min_km: float, radius_km: float, *,
           epochs: int = REMEDY_EPOCHS, weight: float = REMEDY_WEIGHT, reg_radius_km: float = REMEDY_RADIUS_KM,
           overwrite: bool = False, seed: int = 0) -> tuple[pd.DataFrame, dict[str, dict]]:
    """Train ``model`` (a trained land–ocean classifier) ``epochs`` more, plain and regularised; audit both.

    Both arms start from copies of ``model`` with the same optimiser settings, seed and batches, so
    they differ only in :class:`~geoencode.training.MarkedSSILoss` (failures marked 1, radius
    ``reg_radius_km`` on the training points). Each is audited (``geobs`` preset, ``radius_km``) on
    the test points thinned to ``min_km`` with its hits marked (as in step 3) and with its errors
    marked. Writes ``remedy.csv`` and ``remedy_figure.png``; returns the table and, per arm, its
    ``frame`` (all test points), ``subset`` (the audited ones), ``hits`` and ``errors`` audits and
    the trainer's ``history``.
    """
    task = load_task("landocean")
    data = (torch.as_tensor(task.train[0], dtype=torch.float32), torch.as_tensor(task.train[1], dtype=torch.long))
    x, y = task.tests["test"]
    rows, arms = [], {}
    for arm in ("control", "regularised"):
        m = copy.deepcopy(model)
        reg = [MarkedSSILoss(radius_km=reg_radius_km, weight=weight, threshold=0.5, marks="errors",
                             anchors_per_step=16)] if arm == "regularised" else []
        trainer = Trainer(m, _loss(task.kind), lr=1e-3, max_epochs=epochs, batch_size=512, seed=seed,
                          progress=False, regularisers=reg).fit(data)
        _, frame = evaluate(task, m, x, y, torch.device("cpu"))
        subset = audit_subset(frame, min_km, seed)
        kw = dict(value="hit@1", radius_km=radius_km, k=4, preset="geobs", progress=False)
        hits, errors = geobias.audit(subset, **kw), geobias.audit(subset, marks=_errors_marked, **kw)
        arms[arm] = {"frame": frame, "subset": subset, "hits": hits, "errors": errors, "history": trainer.history_}
        rows.append({"model": f"{name} {arm}", "extra_epochs": epochs,
                     "regulariser": f"MarkedSSILoss(errors, {reg_radius_km:.0f} km, weight {weight:g})" if reg else "-",
                     "test_accuracy": 100 * frame["hit@1"].mean(), "audited_accuracy": 100 * subset["hit@1"].mean(),
                     "base_gbs": hits.base, "relative_gbs": hits.relative, "error_gbs": errors.relative,
                     "train_seconds": trainer.train_seconds_})
    table = pd.DataFrame(rows)
    write_csv_atomic(table, out / "remedy.csv", overwrite=overwrite)
    fig = remedy_figure({arm: (a["hits"].per_centre, a["errors"].per_centre) for arm, a in arms.items()},
                        title=f"{name}: {epochs} more epochs, plain (control) or with MarkedSSILoss "
                              f"(errors marked, {reg_radius_km:.0f} km, weight {weight:g}); "
                              f"relative SSI of the test points, {radius_km:.0f} km")
    save_figure(fig, out / "remedy_figure.png", dpi=110, overwrite=overwrite)
    return table, arms


def remedy_figure(per_centre: dict[str, tuple[pd.DataFrame, pd.DataFrame]], title: str = "") -> Figure:
    """Per-centre relative SSI of each arm (columns), hits marked and errors marked (rows).

    Each row shares one colour range, the 2nd–98th percentile of both arms' values together (the
    audit figure's robust clip), so the two maps of a row compare directly.
    """
    names = list(per_centre)
    fig = Figure(figsize=(6.0 * len(names), 7.0), layout="constrained")
    axes = fig.subplots(2, len(names), squeeze=False)
    for r, marks in enumerate(("hits", "errors")):
        vals = np.concatenate([per_centre[n][r]["relative"].to_numpy(dtype=float) for n in names])
        lo, hi, _, note = colour_range(vals, CLIP_PERCENTILES)
        # both bounds given, plot_map clips to them and extends each colour bar where its own values fall outside
        label = "relative SSI" + (f"\n(colour: 2nd–98th percentile of the row, {round(lo, 6) + 0.0:.3g}–"
                                  f"{round(hi, 6) + 0.0:.3g})" if note else "")
        for c, n in enumerate(names):
            ax = plot_map(per_centre[n][r], "relative", ax=axes[r, c], extent="world", cmap="YlOrRd", vmin=lo,
                          vmax=hi, markersize=3, title=f"{n}: relative SSI, {marks} marked")
            ax.figure.axes[-1].set_ylabel(label, fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def remedy_summary(table: pd.DataFrame) -> str:
    """What the remedy table shows, in words: each direction read off the printed (rounded) numbers."""
    control, reg = table.iloc[0], table.iloc[1]

    def move(col: str, what: str, digits: int, unit: str = "") -> str:
        a, b = round(float(control[col]), digits), round(float(reg[col]), digits)
        word = "lower" if b < a else "higher" if b > a else "the same"
        return f"{what} {word} ({a:.{digits}f}{unit} → {b:.{digits}f}{unit})"

    return (f"Against its control, the regularised model has its {move('error_gbs', 'error GBS', 3)}, "
            f"{move('relative_gbs', 'relative GBS', 3)} and {move('test_accuracy', 'test accuracy', 2, ' %')}; "
            f"the base GBS depends on the locations only ({reg['base_gbs']:.3f} for both). The relative GBS marks "
            f"the hits, so it also moves with accuracy; the error GBS marks the failures (0 for a perfect model). "
            f"One seed, one run: `geoencode bench debias` measures this over seeds with a control arm "
            f"(docs/debias.rst).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python examples/demo.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="demo_output", type=Path, help="output folder (created)")
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    parser.add_argument("--epochs", type=int, default=60, help="maximum training epochs per encoder")
    parser.add_argument("--thin-km", type=float, default=THIN_KM,
                        help="audit the test points thinned so that no two are closer than this "
                             "(0 = all 51,156 test points)")
    parser.add_argument("--radius-km", type=float, default=600.0, help="Geo-Bias neighbourhood radius")
    parser.add_argument("--remedy-epochs", type=int, default=REMEDY_EPOCHS,
                        help="extra epochs of the best model, plain (control) and regularised")
    parser.add_argument("--remedy-weight", type=float, default=REMEDY_WEIGHT, help="MarkedSSILoss weight")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    existing = [args.out / p for p in OUTPUTS if (args.out / p).exists()]
    if existing and not args.overwrite:
        parser.error(f"{', '.join(map(str, existing))} exist; pass --overwrite to replace them")
    table_path, fig_path = args.out / "encoders.csv", args.out / "encoding_channels.png"

    lonlat, names = country_points()
    torch.set_num_threads(min(2, torch.get_num_threads()))
    # Timing 177 points measures overhead; 100k random points measure throughput.
    rng = np.random.default_rng(0)
    many = np.c_[rng.uniform(-180, 180, 100_000), np.degrees(np.arcsin(rng.uniform(-1, 1, 100_000)))]
    table = encode_table(lonlat, DEMO_ENCODERS)
    speed = encode_table(many, DEMO_ENCODERS)
    table["points_per_s_100k"] = speed["points_per_s"].round(-3)
    write_csv_atomic(table, table_path, overwrite=args.overwrite)
    channel_figure(fig_path, lonlat, overwrite=args.overwrite)

    print(f"Encoded {len(lonlat)} country locations (Natural Earth 1:110m) with {len(DEMO_ENCODERS)} encoders:\n")
    show = table[["encoder", "dims", "pe_dim", "nn", "embedding_dim", "points_per_s_100k"]]
    print(show.to_string(index=False, formatters={"points_per_s_100k": "{:,.0f}".format}))

    print("\nTraining two encoders on land–ocean (Natural Earth 1:110m; 5,000 training points) …", flush=True)
    results, frames, models = train_and_evaluate(args.out, args.epochs, args.overwrite)
    write_csv_atomic(results, args.out / "results.csv", overwrite=args.overwrite)
    print(results.to_string(index=False, float_format=lambda v: f"{v:.2f}"))

    print(f"\nAuditing geographic bias (Geo-Bias Score, preset geobs, {args.radius_km:.0f} km, "
          f"on the test points thinned to ≥ {args.thin_km:.0f} km apart) …", flush=True)
    scores, best, result, spots = geobias_audit(args.out, frames, args.thin_km, args.radius_km,
                                                overwrite=args.overwrite)
    grid = frames["No Prior"]
    full, kept = neighbour_counts(grid, args.radius_km), result.per_centre["n_neighbours"].to_numpy()
    print(f"{len(kept):,} of {len(grid):,} test points; points within {args.radius_km:.0f} km of each: "
          f"median {np.median(kept):.0f}, max {kept.max()} (all test points: median {np.median(full):.0f}, "
          f"max {full.max()})")
    write_csv_atomic(scores.reset_index(), args.out / "geobias.csv", overwrite=args.overwrite)
    print(scores.to_string(float_format=lambda v: f"{v:.2f}"))
    counts = spots.frame["hotspot"].value_counts()
    counts = counts[counts > 0]
    print(f"\n{best}: {len(result.per_centre):,} centres; hot/cold spots of its hits: "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))

    print(f"\nFrom audit to remedy: {best}, {args.remedy_epochs} more epochs plain (control) and with "
          f"MarkedSSILoss (errors marked, {REMEDY_RADIUS_KM:.0f} km, weight {args.remedy_weight:g}) …", flush=True)
    remedy_table, _ = remedy(args.out, best, models[best], args.thin_km, args.radius_km, epochs=args.remedy_epochs,
                             weight=args.remedy_weight, overwrite=args.overwrite)
    fmt = {**dict.fromkeys(["test_accuracy", "audited_accuracy"], "{:.2f}".format),
           **dict.fromkeys(["base_gbs", "relative_gbs", "error_gbs"], "{:.3f}".format), "train_seconds": "{:.1f}".format}
    print(remedy_table[["model", *fmt]].to_string(index=False, formatters=fmt))
    print(remedy_summary(remedy_table))
    print(f"\nwrote to {args.out}/: " + ", ".join(OUTPUTS + ["per_sample/"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
