"""Offline benchmark matrix: every encoder with its default network, plus SH and sphereC+ with
siren / linear / ffn, over several seeds, on a real task shipped with installed packages.

    python benchmarks/offline.py --task landocean --seeds 3

Writes the shared-setting section of ``benchmarks/results/offline_<task>.md`` (mean ± std over seeds,
mean wall time per run; the recipe section of ``offline_recipes.py`` is kept) and the raw rows to
``benchmarks/results/offline_<task>.csv``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd
import torch

import geoencode
from geoencode.bench.offline import TASKS, run_one, summarize

from _sections import DEFAULT, DEFAULT_TITLE, write_section, write_text

EXTRA_NETWORKS = {"spherical_harmonics": ["siren", "linear", "ffn"], "Sphere2Vec-sphereC+": ["siren", "linear", "ffn"]}


def combinations() -> list[tuple[str, str]]:
    combos = [(name, geoencode.get_spec(name).nn) for name in geoencode.ENCODERS]
    for name, nets in EXTRA_NETWORKS.items():
        combos += [(name, nn) for nn in nets if (name, nn) not in combos]
    return combos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", choices=TASKS, default="landocean")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--max-epochs", type=int, default=200)
    parser.add_argument("--patience", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    torch.set_num_threads(2)
    rows = []
    t_all = time.perf_counter()
    for encoder, nn_name in combinations():
        for seed in range(args.seeds):
            row = run_one(args.task, encoder, nn_name, seed, max_epochs=args.max_epochs, patience=args.patience)
            row.pop("model")
            rows.append(row)
            print(f"{encoder:22s} {nn_name:7s} seed {seed}: "
                  + ", ".join(f"{k}={v:.2f}" for k, v in row.items() if k.startswith(("test_", "polar_")))
                  + f" ({row['train_seconds']:.1f} s)", flush=True)
    results = pd.DataFrame(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    table = summarize(results)
    header = (f"{DEFAULT_TITLE}\n\n{len(results)} runs ({args.seeds} seeds), "
              f"max {args.max_epochs} epochs, early stopping patience {args.patience}, Adam lr 1e-3 with 0.98 "
              f"decay, batch 2000, CPU (2 threads); total wall time {time.perf_counter() - t_all:.0f} s.\n"
              + ("R² (fraction), MAE and RMSE in metres" if args.task == "elevation"
                 else "accuracy, IoU, top-1 and top-3 in %, MRR in [0, 1]")
              + ": mean ± std over seeds; train_seconds: mean wall time of one training run.\n\n")
    write_section(args.out / f"offline_{args.task}.md", args.task, DEFAULT, header + table.to_markdown(index=False))
    write_text(args.out / f"offline_{args.task}.csv", results.to_csv(index=False))
    print(table.to_markdown(index=False))


if __name__ == "__main__":
    main()
