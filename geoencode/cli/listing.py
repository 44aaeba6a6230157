"""``geoencode list``: the registered encoders."""

from __future__ import annotations

import argparse

import pandas as pd

from ..registry import list_encoders

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``geoencode list``."""
    p = sub.add_parser("list", help="list the encoders by name", description="List the registered encoders.")
    p.add_argument("--json", action="store_true", help="print the full table as JSON")
    return p


def run(args: argparse.Namespace) -> int:
    """Print the encoder table (or all of it as JSON with ``--json``)."""
    table = list_encoders()
    if args.json:
        print(table.reset_index().to_json(orient="records", indent=1))
    else:
        with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_colwidth", 40):
            print(table[["family", "dims", "out_dim", "nn", "aliases"]].to_string())
    return 0
