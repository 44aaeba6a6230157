"""The ``geoencode`` command line: ``geoencode list``, ``geoencode encode INPUT OUTPUT …``, ``geoencode bench …``.

Each subcommand is a module with ``add_parser(subparsers) -> ArgumentParser`` and
``run(args) -> int``, named in :data:`COMMANDS`; a new subcommand writes such a module and adds
one line there (``geoencode bench TASK`` has its own table, :data:`geoencode.cli.bench.COMMANDS`).
Modules are imported when the parser is built, so this package imports none of them itself and
a subcommand module may import from the rest of the library freely.

Examples
--------
.. code-block:: console

    $ geoencode list
    $ geoencode encode parcels.gpkg parcels_emb.gpkg --encoder sphereC --param frequency_num=32 \\
          --layer parcels --how aggregate --n-samples 32
    $ geoencode encode points.csv points_emb.parquet --checkpoint model.pt --lon x --lat y --assume-crs EPSG:2154
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

from geocommon.cli import cli_wording, run_cli

from .. import __version__
from ..errors import GeoEncodeError, GeoEncodeWarning
from .parsing import add_subcommands, parse_param

__all__ = ["main", "build_parser", "parse_param", "COMMANDS"]

#: ``geoencode NAME`` → the module that defines it (``add_parser`` and ``run``).
COMMANDS: dict[str, str] = {
    "encode": "geoencode.cli.encode",
    "list": "geoencode.cli.listing",
    "bench": "geoencode.cli.bench",
    "qgis": "geoencode.qgis_plugin.cli",
}


def build_parser() -> argparse.ArgumentParser:
    """The ``geoencode`` argument parser with one subparser per entry of :data:`COMMANDS`.

    Examples
    --------
    >>> sub = next(a for a in build_parser()._actions if a.dest == "command")
    >>> sorted(sub.choices)[:3]
    ['bench', 'encode', 'list']
    """
    parser = argparse.ArgumentParser(prog="geoencode", description="Location encoders for lon/lat and GIS data.")
    parser.add_argument("--version", action="version", version=f"geoencode {__version__}")
    add_subcommands(parser, COMMANDS, dest="command", metavar="COMMAND")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``geoencode`` console script; returns the exit status.

    0 on success; errors of the library (bad input, existing output …) print
    ``geoencode: error: …`` in the command line's words (``--errors coerce``, not
    ``errors='coerce'``) and return 1; usage errors return 2; Ctrl-C returns 130 (the same codes
    as ``geobias``: :func:`geocommon.cli.run_cli`).

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()) as out:
    ...     rc = main(["list"])
    >>> rc, "Sphere2Vec-sphereC" in out.getvalue()
    (0, True)
    """
    parser = build_parser()

    def run(args: argparse.Namespace) -> int:
        # The library's warnings (rows set to NaN with --errors coerce …) are printed like its
        # errors: one line, in flag words, without Python's file:line prefix.
        original = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if not issubclass(category, GeoEncodeWarning):
                return original(message, category, filename, lineno, file, line)
            print(f"{parser.prog}: warning: {cli_wording(str(message), parser)}", file=sys.stderr)

        warnings.showwarning = show
        try:
            return args._run(args)
        finally:
            warnings.showwarning = original

    return run_cli(parser, run, argv, errors=(GeoEncodeError, FileExistsError, FileNotFoundError))
