"""``geoencode bench locbench``: a LocBench dataset you downloaded, against the No Prior baseline."""

from __future__ import annotations

import argparse
from pathlib import Path

from ...bench.runner import run_locbench
from ..parsing import add_training_options, default_device

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``geoencode bench locbench``."""
    p = sub.add_parser("locbench", help="a LocBench dataset you downloaded, against the No Prior baseline",
                       description="Train on a LocBench dataset in the published layout and compare with the "
                                   "image-only No Prior baseline; writes the results table and per-sample CSVs.")
    p.add_argument("--data-dir", type=Path, required=True, help="LocBench root folder")
    p.add_argument("--dataset", required=True, help="e.g. birdsnap, nabirds, fmow, mosaiks_elevation")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--background", choices=["uniform", "torchspatial"], default="uniform",
                   help="background sampler (torchspatial = the reference's NE-quadrant bug, for reproduction)")
    p.add_argument("--no-balanced", action="store_true", help="no per-class cap on training examples")
    p.add_argument("--seed", type=int, default=0)
    add_training_options(p)
    return p


def run(args: argparse.Namespace) -> int:
    """Train, evaluate and print the results table."""
    result = run_locbench(args.data_dir, args.dataset, args.encoder, args.nn, params=dict(args.param),
                          epochs=args.epochs, lr=args.lr, batch_size=args.batch_size or 1024,
                          balanced=not args.no_balanced, background=args.background, seed=args.seed,
                          device=args.device or default_device(), progress=not args.quiet, out_dir=args.out,
                          overwrite=args.overwrite)
    print(result.table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print(f"\ntrained in {result.train_seconds:.1f} s; wrote " + ", ".join(str(f) for f in result.files))
    return 0
