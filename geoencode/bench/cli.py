"""Deprecated: the ``geoencode bench`` command moved to :mod:`geoencode.cli.bench`.

``add_bench`` / ``run_bench`` stay importable from here for one release.
"""

from __future__ import annotations

import argparse
import warnings

from ..cli.bench import add_parser as _add_parser

__all__ = ["add_bench", "run_bench"]

warnings.warn("geoencode.bench.cli is deprecated; use geoencode.cli.bench", DeprecationWarning, stacklevel=2)


def add_bench(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Deprecated alias of :func:`geoencode.cli.bench.add_parser`."""
    return _add_parser(sub)


def run_bench(args: argparse.Namespace) -> int:
    """Deprecated: run the ``geoencode bench`` task chosen in ``args`` (parsed by :func:`add_bench`)."""
    return int(args._run(args))
