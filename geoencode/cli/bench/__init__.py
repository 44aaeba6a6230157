"""``geoencode bench TASK …``: train and evaluate encoders.

Each task is a module with ``add_parser(subparsers)`` and ``run(args) -> int``, named in
:data:`COMMANDS`; a new task (``probe``, ``tune``) adds one line there.
"""

from __future__ import annotations

import argparse

from ..parsing import add_subcommands

__all__ = ["add_parser", "run", "COMMANDS"]

#: ``geoencode bench NAME`` → the module that defines it (``add_parser`` and ``run``).
COMMANDS: dict[str, str] = {
    "debias": "geoencode.cli.bench.debias",
    "locbench": "geoencode.cli.bench.locbench",
    "offline": "geoencode.cli.bench.offline",
    "probe": "geoencode.bench.probe",
    "tune": "geoencode.cli.bench.tune",
}


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``geoencode bench`` and its tasks."""
    p = sub.add_parser("bench", help="train and evaluate encoders (LocBench, offline tasks)",
                       description="Train and evaluate location encoders.")
    add_subcommands(p, COMMANDS, dest="bench_command", metavar="BENCH")
    return p


def run(args: argparse.Namespace) -> int:
    """Never reached: each task's own ``run`` replaces it (``add_subcommands`` nests them)."""
    raise AssertionError(f"geoencode bench {args.bench_command} has no run function")  # pragma: no cover
