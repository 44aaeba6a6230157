"""``geoencode bench tune``: search a pair's training recipe with Optuna on the validation split."""

from __future__ import annotations

import argparse
from pathlib import Path

from ...bench.offline import TASKS
from ..parsing import default_device

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``geoencode bench tune``."""
    p = sub.add_parser("tune", help="tune a pair's recipe on an offline task's validation split (Optuna)",
                       description="Search learning rate, weight decay, network and encoder scales on the "
                                   "validation split only; write the best recipe for `bench offline --recipe PATH`.")
    p.add_argument("--task", choices=TASKS, required=True)
    p.add_argument("--encoder", required=True, help="encoder name or alias (see `geoencode list`)")
    p.add_argument("--nn", default=None, help="network: ffn, fcnet, siren, linear (default: the paper's)")
    p.add_argument("--trials", type=int, default=20, help="Optuna trials (default 20)")
    p.add_argument("--max-epochs", type=int, default=None, help="epochs per trial (default: the recipe's)")
    p.add_argument("--timeout", type=float, default=None, help="stop starting trials after this many seconds")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default=None, help="torch device (default: cuda when available, else cpu)")
    p.add_argument("--out", type=Path, required=True, help="recipe file to write (JSON), trials CSV beside it")
    p.add_argument("--overwrite", action="store_true", help="replace existing files")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    return p


def run(args: argparse.Namespace) -> int:
    """Run the search, write the recipe and print it."""
    from ...bench.tune import tune

    recipe, study = tune(args.task, args.encoder, args.nn, args.trials, max_epochs=args.max_epochs, seed=args.seed,
                         timeout=args.timeout, device=args.device or default_device(), progress=not args.quiet,
                         out=args.out, overwrite=args.overwrite)
    print(f"best of {len(study.trials)} trials: validation loss {study.best_value:.5f}; "
          f"lr={recipe.lr:.3g}, weight_decay={recipe.weight_decay:.3g}, params={recipe.params}")
    print(f"wrote {args.out} (use: geoencode bench offline --task {args.task} --encoder {recipe.encoder} "
          f"--nn {recipe.nn} --recipe {args.out} …) and {args.out.with_suffix('.trials.csv')}")
    return 0
