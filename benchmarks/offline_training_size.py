"""Land–ocean test accuracy against the number of training points, for one recipe.

    python benchmarks/offline_training_size.py                       # the tuned SH + Siren recipe
    python benchmarks/offline_training_size.py --recipe paper --encoder sh --nn siren

The protocol trains on 5,000 points; this script keeps everything else (validation split, early
stopping, test grid) and draws 2,500 … 20,000 training points instead (uniform on the sphere, as the
protocol's, from other seeds), to show how far the protocol's training-set size bounds the accuracy.
Writes ``benchmarks/results/offline_landocean_training_size.md``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from geoencode import get_spec
from geoencode.bench.offline import land_mask, load_task, sphere_normal_points
from geoencode.bench.recipes import get_recipe
from geoencode.bench.recipes.fit import fit_recipe

from _sections import write_text

RESULTS = Path(__file__).parent / "results"


def accuracy(model: torch.nn.Module, split: tuple[np.ndarray, np.ndarray]) -> float:
    with torch.no_grad():
        pred = (model(torch.as_tensor(split[0])) > 0).long().numpy()
    return 100 * float((pred == split[1]).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", default="spherical_harmonics")
    parser.add_argument("--nn", default="siren")
    parser.add_argument("--recipe", default=str(RESULTS / "offline_landocean_sh_siren_tuned.json"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[2500, 5000, 10000, 20000])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    task = load_task("landocean")
    spec = get_spec(args.encoder)
    recipe = get_recipe("landocean", spec.name, args.nn, args.recipe)
    rows = []
    for n in args.sizes:
        for seed in range(args.seeds):
            # n = 5,000 is the protocol's own training split; other sizes draw fresh points (seeds 100+).
            x = task.train[0] if n == len(task.train[0]) else sphere_normal_points(n, 100 + seed)
            model, info = fit_recipe(recipe, "binary", 1, (x, land_mask(x).astype(np.int64)), task.val, seed=seed)
            rows.append({"training points": n, "seed": seed, "val": 100 * info["val_score"],
                         "test": accuracy(model, task.tests["test"]), "polar": accuracy(model, task.tests["polar"]),
                         "epochs": info["epochs"]})
            print(rows[-1], flush=True)
    frame = pd.DataFrame(rows)
    summary = frame.groupby("training points").agg(
        **{f"{k} acc. %": (k, lambda s: f"{s.mean():.2f} ± {s.std(ddof=1):.2f}") for k in ("val", "test", "polar")},
        epochs=("epochs", lambda s: round(s.mean()))).reset_index()
    text = (f"# Land–ocean accuracy against the training-set size\n\n"
            f"{recipe.encoder} + {recipe.nn}, recipe `{recipe.name}` ({recipe.source}); {args.seeds} seeds per "
            "size; validation split, early stopping and test sets as in the protocol, only the training "
            "points change (5,000 = the protocol's own split). Written by "
            f"`benchmarks/offline_training_size.py` on {os.cpu_count()} cores, {args.threads} thread(s).\n\n"
            + summary.to_markdown(index=False) + "\n")
    args.out.mkdir(parents=True, exist_ok=True)
    write_text(args.out / "offline_landocean_training_size.md", text)
    print(text)


if __name__ == "__main__":
    main()
