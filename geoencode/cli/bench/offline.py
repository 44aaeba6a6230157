"""``geoencode bench offline``: a real task shipped with installed packages (no download)."""

from __future__ import annotations

import argparse

from ...bench.offline import TASKS, run_offline, summarize
from ...bench.recipes import get_recipe
from ..parsing import add_training_options, default_device

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``geoencode bench offline``."""
    p = sub.add_parser("offline", help="a real task shipped with installed packages (no download)",
                       description="Land-ocean, checkerboard, country or airport-elevation benchmark.")
    p.add_argument("--task", choices=TASKS, required=True)
    p.add_argument("--seeds", type=int, default=3, help="number of seeds (0 … N-1)")
    p.add_argument("--max-epochs", type=int, default=None, help="override the recipe's epoch budget")
    p.add_argument("--patience", type=int, default=None, help="override the recipe's early-stopping patience")
    p.add_argument("--recipe", default="paper",
                   help="paper (the authors' tuned setting where published, else default), default (the shared "
                        "setting: lr 1e-3, 200 epochs, patience 20, batch 2000) or a recipe file from `bench tune`")
    add_training_options(p)
    p.set_defaults(lr=None)  # None: the recipe's learning rate
    return p


def run(args: argparse.Namespace) -> int:
    """Train each seed, print the summary and say where the tables are."""
    recipe = get_recipe(args.task, args.encoder, args.nn, args.recipe).with_overrides(
        params=dict(args.param), lr=args.lr, max_epochs=args.max_epochs, patience=args.patience,
        batch_size=args.batch_size)
    print(f"recipe {recipe.name}: {recipe.source}" + (f" (differs: {recipe.notes})" if recipe.notes else ""))
    table = run_offline(args.task, [args.encoder], nns=[args.nn], seeds=args.seeds, out_dir=args.out,
                        overwrite=args.overwrite, recipe=recipe, device=args.device or default_device(),
                        progress=not args.quiet)
    print(summarize(table).to_string(index=False))
    print(f"\nwrote {args.out / 'results.csv'} and the per-sample CSVs beside it")
    return 0
