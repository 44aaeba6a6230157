"""``geoencode bench debias``: plain, control and regularised training, accuracy beside geo-bias."""

from __future__ import annotations

import argparse

from ...bench.debias import LOSSES, run_debias
from ..parsing import add_training_options, default_device

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``geoencode bench debias``."""
    p = sub.add_parser("debias", help="does a geo-bias regulariser lower the test Geo-Bias Score?",
                       description="Three arms per seed: plain (N epochs), control (N + M plain epochs) and "
                                   "debiased (N plain, then M regularised); test accuracy, Geo-Bias Scores and "
                                   "SRI of each in OUT/results.csv.")
    p.add_argument("--task", choices=("landocean", "checkerboard", "country"), required=True)
    p.add_argument("--loss", choices=LOSSES, default="marked_ssi")
    p.add_argument("--seeds", type=int, default=1, help="number of seeds (0 … N-1)")
    p.add_argument("--plain-epochs", type=int, default=30, help="N: plain epochs before the regulariser")
    p.add_argument("--debias-epochs", type=int, default=10, help="M: regularised epochs")
    p.add_argument("--weight", type=float, default=0.1, help="the regulariser's weight (GeoBS: debias_lambda)")
    p.add_argument("--marks", choices=("hits", "errors"), default="hits",
                   help="marked_ssi: mark the successes (the audit's hit@1) or the failures 1")
    p.add_argument("--threshold", type=float, default=0.5, help="performance threshold of the SSI losses")
    p.add_argument("--radius-km", type=float, default=None,
                   help="radius of the test scores (default: per task, about 20 test points per disk)")
    p.add_argument("--reg-radius-km", type=float, default=None,
                   help="radius of the regulariser (default: per task, about 20 training points per disk; "
                        "SRI uses twice it)")
    p.add_argument("--anchors-per-step", type=int, default=None,
                   help="anchors drawn per step (default: 16 for the SSI losses, 4 for SRI)")
    add_training_options(p)
    return p


def run(args: argparse.Namespace) -> int:
    """Train the arms, print the table, say where it is."""
    table = run_debias(args.task, args.encoder, args.nn, args.loss, args.seeds, plain_epochs=args.plain_epochs,
                       debias_epochs=args.debias_epochs, weight=args.weight, threshold=args.threshold,
                       radius_km=args.radius_km, reg_radius_km=args.reg_radius_km,
                       anchors_per_step=args.anchors_per_step, marks=args.marks, lr=args.lr,
                       batch_size=args.batch_size or 512,
                       device=args.device or default_device(), progress=not args.quiet, out_dir=args.out,
                       overwrite=args.overwrite)
    cols = ["seed", "arm", "test_accuracy", "base_gbs", "relative_gbs", "error_gbs", "sri_scale_grid", "sri_distance_lag",
            "sri_direction_sector", "train_seconds", "epoch_seconds"]
    print(table[cols].round(3).to_string(index=False))
    print(f"\nradius {table['gbs_radius_km'].iloc[0]:g} km; wrote {args.out / 'results.csv'}")
    return 0
