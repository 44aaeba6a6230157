"""Debiasing benchmark: plain, control and regularised training, accuracy beside geo-bias.

    python benchmarks/debias.py tune --task landocean          # settings, chosen on validation only
    python benchmarks/debias.py final --task landocean --seeds 3
    python benchmarks/debias.py figure                        # docs/accuracy_vs_geobias.png

``tune`` trains SH + Siren (seed 0) with each loss and weight and appends the rows to
``results/debias_tuning_<task>.csv``. The chosen setting of a task is the one that lowers the
*validation* relative Geo-Bias Score most against ``control`` while losing at most 0.5 points of
validation accuracy. ``final`` runs that setting for every encoder and seed and appends the rows to
``results/debias_<task>.csv``; both rewrite ``results/debias.md`` from the two CSVs.
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from geoencode.bench.debias import RADIUS_KM, run_debias

RESULTS = Path(__file__).parent / "results"
ENCODERS = [("spherical_harmonics", "siren"), ("Sphere2Vec-sphereC+", None), ("wrap", None), ("rbf", None),
            ("NeRF", None), ("Space2Vec-theory", None)]
EPOCHS = {"landocean": (100, 30), "checkerboard": (60, 20), "country": (60, 20)}
WEIGHTS = (0.03, 0.1, 0.3, 1.0)
#: (loss, marks): GeoBS's three losses, and the marked loss with the failures marked
SETTINGS = [("ssi", "hits"), ("marked_ssi", "hits"), ("marked_ssi", "errors"), ("sri", "hits")]
#: What a setting is chosen to lower: the issue's relative score, and the score of the errors
TARGETS = ("relative_gbs", "error_gbs")
MAX_ACCURACY_LOSS = 0.5


def paired(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per (task, encoder, loss, weight, seed): debiased against control (and plain)."""
    rows = rows.assign(marks=rows["marks"].fillna(""))
    key = ["task", "encoder", "nn", "loss", "marks", "weight", "threshold", "seed"]
    arm = {a: g.set_index(key) for a, g in rows.groupby("arm")}
    out = pd.DataFrame({
        "plain_acc": arm["plain"]["test_accuracy"], "control_acc": arm["control"]["test_accuracy"],
        "debiased_acc": arm["debiased"]["test_accuracy"],
        "control_rel": arm["control"]["relative_gbs"], "debiased_rel": arm["debiased"]["relative_gbs"],
        "plain_rel": arm["plain"]["relative_gbs"],
        "val_control_acc": arm["control"]["val_accuracy"], "val_debiased_acc": arm["debiased"]["val_accuracy"],
        "val_control_rel": arm["control"]["val_relative_gbs"], "val_debiased_rel": arm["debiased"]["val_relative_gbs"],
        "control_epoch_s": arm["control"]["epoch_seconds"], "debiased_epoch_s": arm["debiased"]["epoch_seconds"],
        "control_err": arm["control"]["error_gbs"], "debiased_err": arm["debiased"]["error_gbs"],
        "val_control_err": arm["control"]["val_error_gbs"], "val_debiased_err": arm["debiased"]["val_error_gbs"],
        "perfect_rel": arm["control"]["base_gbs"],
        "control_sri_sg": arm["control"]["sri_scale_grid"], "debiased_sri_sg": arm["debiased"]["sri_scale_grid"],
        "radius_km": arm["control"]["gbs_radius_km"], "skipped": arm["debiased"]["skipped_steps"],
    }).reset_index()
    out["rel_change_%"] = 100 * (out["debiased_rel"] / out["control_rel"] - 1)
    out["acc_change"] = out["debiased_acc"] - out["control_acc"]
    out["val_rel_change_%"] = 100 * (out["val_debiased_rel"] / out["val_control_rel"] - 1)
    out["err_change_%"] = 100 * (out["debiased_err"] / out["control_err"] - 1)
    out["val_err_change_%"] = 100 * (out["val_debiased_err"] / out["val_control_err"] - 1)
    out["val_acc_change"] = out["val_debiased_acc"] - out["val_control_acc"]
    out["cost_ratio"] = out["debiased_epoch_s"] / out["control_epoch_s"]
    return out


def choose(tuning: pd.DataFrame, task: str, target: str = "relative_gbs") -> pd.Series | None:
    """The validation-chosen setting: largest drop of ``target`` with <= 0.5 points of accuracy lost."""
    p = paired(tuning[tuning["task"] == task])
    ok = p[p["val_acc_change"] >= -MAX_ACCURACY_LOSS]
    col = "val_rel_change_%" if target == "relative_gbs" else "val_err_change_%"
    return None if ok.empty else ok.sort_values(col).iloc[0]


def _fmt(s: pd.Series, digits: int = 2) -> str:
    s = s.dropna()
    return f"{s.mean():.{digits}f} ± {s.std(ddof=1) if len(s) > 1 else 0.0:.{digits}f}"


def write_markdown() -> None:
    tuning, final = _read("debias_tuning_*.csv"), _read("debias_[!t]*.csv")
    lines = ["# Debiasing: geo-bias regularisers against a control with the same epochs", "",
             f"Machine: {platform.machine()}, {torch.get_num_threads()} torch threads; torch {torch.__version__}. "
             "Scores on the held-out test points, `geobs` preset, radius per task "
             f"({', '.join(f'{k} {v:g} km' for k, v in RADIUS_KM.items())}). "
             "`control` = N + M plain epochs, `debiased` = N plain + M regularised, from the same start. "
             "Relative change = debiased / control − 1. Cost = mean seconds of a regularised epoch / of a "
             "plain one, same run.", ""]
    cost = RESULTS / "debias_cost.csv"
    if cost.exists():
        c = pd.read_csv(cost).fillna("")
        lines += ["## Cost of a regularised epoch (alone on the machine, 1 thread, SH + Siren, weight 0.1)", "",
                  "| task | loss | marks | plain epoch s | regularised epoch s | × |", "|" + "---|" * 6]
        lines += [f"| {r.task} | {r.loss} | {r.marks} | {r.control_epoch_s:.3f} | {r.debiased_epoch_s:.3f} | "
                  f"{r.cost_ratio:.2f} |" for r in c.itertuples()]
        lines.append("")
    if final is not None:
        p = paired(final)
        lines += ["## Every encoder, the validation-chosen setting", "",
                  "`perfect` = the relative score of a model right everywhere (= the base score): with "
                  "successes marked 1 an accurate model approaches it from below. `err GBS` marks the "
                  "failures 1 instead (0 for a perfect model).", "",
                  "| task | encoder | loss | marks | weight | seeds | acc control | acc debiased | Δacc | "
                  "rel GBS control | rel GBS debiased | rel Δ% | perfect | err GBS control | err GBS debiased | "
                  "err Δ% | cost × |", "|" + "---|" * 17]
        for (task, enc, nn, loss, marks, w), g in p.groupby(["task", "encoder", "nn", "loss", "marks", "weight"],
                                                             sort=False):
            lines.append(f"| {task} | {enc} + {nn} | {loss} | {marks} | {w:g} | {len(g)} | "
                         f"{_fmt(g['control_acc'])} | {_fmt(g['debiased_acc'])} | {g['acc_change'].mean():+.2f} | "
                         f"{_fmt(g['control_rel'], 3)} | {_fmt(g['debiased_rel'], 3)} | "
                         f"{g['rel_change_%'].mean():+.1f} | {g['perfect_rel'].mean():.3f} | "
                         f"{_fmt(g['control_err'], 3)} | {_fmt(g['debiased_err'], 3)} | "
                         f"{g['err_change_%'].mean():+.1f} | {g['cost_ratio'].mean():.2f} |")
        lines.append("")
    if tuning is not None:
        p = paired(tuning)
        lines += ["## Tuning (SH + Siren, seed 0; chosen on validation)", "",
                  "The land–ocean tuning rows' *test* scores were measured before the scorer's eps fix "
                  "(extreme neighbourhoods of the polar grid rows capped at 73.68); the validation scores "
                  "that choose the setting never reach the cap, and the final rows above were rerun.", "",
                  "| task | loss | marks | weight | val Δacc | val rel Δ% | val err Δ% | test Δacc | test rel Δ% | "
                  "test err Δ% | cost × | skipped steps |", "|" + "---|" * 12]
        for _, r in p.sort_values(["task", "loss", "marks", "weight"]).iterrows():
            lines.append(f"| {r['task']} | {r['loss']} | {r['marks']} | {r['weight']:g} | {r['val_acc_change']:+.2f} | "
                         f"{r['val_rel_change_%']:+.1f} | {r['val_err_change_%']:+.1f} | {r['acc_change']:+.2f} | "
                         f"{r['rel_change_%']:+.1f} | {r['err_change_%']:+.1f} | {r['cost_ratio']:.2f} | "
                         f"{int(r['skipped'])} |")
        lines.append("")
        for task in p["task"].unique():
            for target in TARGETS:
                c = choose(tuning, task, target)
                lines.append(f"- {task}, lowering {target}: " + (
                    "no setting keeps validation accuracy within 0.5 points" if c is None else
                    f"{c['loss']} ({c['marks']}) weight {c['weight']:g}: validation {c['val_rel_change_%']:+.1f} % "
                    f"relative, {c['val_err_change_%']:+.1f} % error score, {c['val_acc_change']:+.2f} accuracy"))
        lines.append("")
    (RESULTS / "debias.md").write_text("\n".join(lines), encoding="utf-8")


def write_figure(path: Path = Path(__file__).parents[1] / "docs" / "accuracy_vs_geobias.png") -> None:
    """Accuracy against the Geo-Bias Scores per encoder (control arms, mean over seeds), one panel per task."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    final = _read("debias_[!t]*.csv")
    if final is None:
        return
    ctrl = final[final["arm"].isin(["control", "debiased"])]
    tasks = list(dict.fromkeys(ctrl["task"]))
    fig, axes = plt.subplots(2, len(tasks), figsize=(4.2 * len(tasks), 7.2), squeeze=False)
    for j, task in enumerate(tasks):
        t = ctrl[ctrl["task"] == task].groupby(["encoder", "arm"])[
            ["test_accuracy", "relative_gbs", "error_gbs", "base_gbs"]].mean().reset_index()
        for i, (col, label) in enumerate((("relative_gbs", "relative Geo-Bias Score (hits marked)"),
                                          ("error_gbs", "Geo-Bias Score of the errors"))):
            ax = axes[i, j]
            for enc, g in t.groupby("encoder"):
                c = g[g["arm"] == "control"].iloc[0]
                d = g[g["arm"] == "debiased"].iloc[0]
                (line,) = ax.plot(c[col], c["test_accuracy"], "o", label=enc)
                ax.annotate("", (d[col], d["test_accuracy"]), (c[col], c["test_accuracy"]),
                            arrowprops={"arrowstyle": "->", "color": line.get_color(), "alpha": 0.7})
            if col == "relative_gbs":
                ax.axvline(t["base_gbs"].iloc[0], color="0.5", ls=":", lw=1)
                ax.text(t["base_gbs"].iloc[0], ax.get_ylim()[0], " perfect model", color="0.4", fontsize=7,
                        rotation=90, va="bottom")
            ax.set_xlabel(label)
            ax.set_ylabel("test accuracy %")
            ax.set_title(f"{task} (radius {t is not None and RADIUS_KM.get(task, 0):g} km)", fontsize=9)
    axes[0, -1].legend(fontsize=7, loc="lower right")
    fig.suptitle("Accuracy against geo-bias per encoder: control (dot) → regularised (arrow)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _read(pattern: str) -> pd.DataFrame | None:
    files = sorted(RESULTS.glob(pattern))
    return pd.concat([pd.read_csv(f) for f in files], ignore_index=True) if files else None


def _replace(rows: pd.DataFrame, name: str) -> None:
    tmp = (RESULTS / name).with_suffix(".tmp")
    rows.to_csv(tmp, index=False)
    tmp.replace(RESULTS / name)


def _append(rows: pd.DataFrame, name: str) -> None:
    path = RESULTS / name
    if path.exists():
        rows = pd.concat([pd.read_csv(path), rows], ignore_index=True)
    tmp = path.with_suffix(".tmp")
    rows.to_csv(tmp, index=False)
    tmp.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stage", choices=("tune", "final", "cost", "table", "figure"))
    parser.add_argument("--task", choices=sorted(EPOCHS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--target", choices=TARGETS, default="relative_gbs",
                        help="final: the score the validation choice lowers")
    parser.add_argument("--weights", type=float, nargs="+", default=list(WEIGHTS))
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.stage == "figure":
        write_figure()
        return
    if args.stage == "cost":
        # alone on the machine, one thread: M regularised epochs against M plain ones, same start
        rows = []
        for task in sorted(EPOCHS):
            for loss, marks in SETTINGS:
                r = run_debias(task, "spherical_harmonics", "siren", loss, 1, plain_epochs=2, debias_epochs=10,
                               weight=0.1, marks=marks)
                rows.append(paired(r)[["task", "loss", "marks", "control_epoch_s", "debiased_epoch_s", "cost_ratio"]])
        _replace(pd.concat(rows, ignore_index=True), "debias_cost.csv")
    elif args.stage != "table":
        n, m = EPOCHS[args.task]
        if args.stage == "tune":
            for loss, marks in SETTINGS:
                for w in args.weights:
                    rows = run_debias(args.task, "spherical_harmonics", "siren", loss, 1, plain_epochs=n,
                                      debias_epochs=m, weight=w, marks=marks)
                    _append(rows, f"debias_tuning_{args.task}.csv")
                    print(paired(rows)[["loss", "marks", "weight", "val_acc_change", "val_rel_change_%",
                                        "val_err_change_%", "cost_ratio"]], flush=True)
        else:
            c = choose(_read(f"debias_tuning_{args.task}.csv"), args.task, args.target)
            loss, marks, w = (c["loss"], c["marks"] or "hits", float(c["weight"])) if c is not None \
                else ("marked_ssi", "hits", 0.1)
            for enc, nn in ENCODERS:
                rows = run_debias(args.task, enc, nn, loss, args.seeds, plain_epochs=n, debias_epochs=m, weight=w,
                                  marks=marks)
                _append(rows, f"debias_{args.task}.csv")
                print(paired(rows)[["encoder", "seed", "acc_change", "rel_change_%", "err_change_%", "cost_ratio"]],
                      flush=True)
    write_markdown()


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
