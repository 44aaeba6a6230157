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
from collections.abc import Sequence

from .. import __version__
from ..errors import GeoEncodeError
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
    ``geoencode: error: …`` and return 1; usage errors return 2; Ctrl-C returns 130.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()) as out:
    ...     rc = main(["list"])
    >>> rc, "Sphere2Vec-sphereC" in out.getvalue()
    (0, True)
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    try:
        return int(args._run(args))
    except (GeoEncodeError, FileExistsError, FileNotFoundError) as exc:
        print(f"geoencode: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("geoencode: interrupted; no output was written.", file=sys.stderr)
        return 130
