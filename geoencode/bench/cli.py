"""``geoencode bench locbench …`` and ``geoencode bench offline …``."""

from __future__ import annotations

import argparse
from pathlib import Path

import torch


def _common(p: argparse.ArgumentParser) -> None:
    from ..cli import parse_param

    p.add_argument("--encoder", required=True, help="encoder name or alias (see `geoencode list`)")
    p.add_argument("--nn", default=None, help="network: ffn, fcnet, siren, linear (default: the paper's)")
    p.add_argument("--param", action="append", default=[], type=parse_param, metavar="NAME=VALUE",
                   help="encoder/network hyper-parameter, repeatable (e.g. frequency_num=32)")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--out", type=Path, required=True, help="output folder (created)")
    p.add_argument("--overwrite", action="store_true", help="replace existing result files")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def add_bench(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``geoencode bench`` and its two subcommands."""
    p = sub.add_parser("bench", help="train and evaluate encoders (LocBench, offline tasks)",
                       description="Train and evaluate location encoders.")
    tasks = p.add_subparsers(dest="bench_command", metavar="BENCH", required=True)
    lb = tasks.add_parser("locbench", help="a LocBench dataset you downloaded, against the No Prior baseline",
                          description="Train on a LocBench dataset in the published layout and compare with the "
                                      "image-only No Prior baseline; writes the results table and per-sample CSVs.")
    lb.add_argument("--data-dir", type=Path, required=True, help="LocBench root folder")
    lb.add_argument("--dataset", required=True, help="e.g. birdsnap, nabirds, fmow, mosaiks_elevation")
    lb.add_argument("--epochs", type=int, default=30)
    lb.add_argument("--background", choices=["uniform", "torchspatial"], default="uniform",
                    help="background sampler (torchspatial = the reference's NE-quadrant bug, for reproduction)")
    lb.add_argument("--no-balanced", action="store_true", help="no per-class cap on training examples")
    lb.add_argument("--seed", type=int, default=0)
    _common(lb)
    off = tasks.add_parser("offline", help="a real task shipped with installed packages (no download)",
                           description="Land-ocean, checkerboard, country or airport-elevation benchmark.")
    from .offline import TASKS

    off.add_argument("--task", choices=TASKS, required=True)
    off.add_argument("--seeds", type=int, default=3, help="number of seeds (0 … N-1)")
    off.add_argument("--max-epochs", type=int, default=200)
    off.add_argument("--patience", type=int, default=20)
    _common(off)
    return p


def run_bench(args: argparse.Namespace) -> int:
    """Run the chosen benchmark and print its table."""
    params = dict(args.param)
    if args.bench_command == "locbench":
        from .runner import run_locbench

        result = run_locbench(args.data_dir, args.dataset, args.encoder, args.nn, params=params,
                              epochs=args.epochs, lr=args.lr, batch_size=args.batch_size or 1024,
                              balanced=not args.no_balanced, background=args.background, seed=args.seed,
                              device=args.device, progress=not args.quiet, out_dir=args.out,
                              overwrite=args.overwrite)
        print(result.table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        print(f"\ntrained in {result.train_seconds:.1f} s; wrote " + ", ".join(str(f) for f in result.files))
        return 0
    from .offline import run_offline, summarize

    table = run_offline(args.task, [args.encoder], nns=[args.nn], seeds=args.seeds, out_dir=args.out,
                        overwrite=args.overwrite, params=params, lr=args.lr, max_epochs=args.max_epochs,
                        patience=args.patience, batch_size=args.batch_size or 2000, device=args.device,
                        progress=not args.quiet)
    print(summarize(table).to_string(index=False))
    print(f"\nwrote {args.out / 'results.csv'} and the per-sample CSVs beside it")
    return 0
