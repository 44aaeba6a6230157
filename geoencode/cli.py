"""The ``geoencode`` command line: ``geoencode list``, ``geoencode encode INPUT OUTPUT …``.

Each subcommand is a pair ``_add_<name>(subparsers)`` / ``_run_<name>(args) -> int`` registered in
:data:`COMMANDS`; a new one (``bench``) adds its pair there.

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
import ast
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .bench.cli import add_bench, run_bench
from .errors import GeoEncodeError

__all__ = ["main", "build_parser", "parse_param", "COMMANDS"]


def parse_param(text: str) -> tuple[str, Any]:
    """``"k=v"`` → ``(k, v)`` with ``v`` read as JSON / a Python literal when it is one, else a string.

    Examples
    --------
    >>> parse_param("frequency_num=32"), parse_param("min_radius=1e-4"), parse_param("activation=relu")
    (('frequency_num', 32), ('min_radius', 0.0001), ('activation', 'relu'))
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key.isidentifier():
        raise GeoEncodeError(f"--param takes NAME=VALUE (e.g. frequency_num=32), got {text!r}.")
    value = value.strip()
    for reader in (json.loads, ast.literal_eval):
        try:
            return key, reader(value)
        except (ValueError, SyntaxError, TypeError):
            continue
    return key, value


# --------------------------------------------------------------------------------------------
# geoencode list


def _add_list(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser("list", help="list the encoders by name", description="List the registered encoders.")
    p.add_argument("--json", action="store_true", help="print the full table as JSON")
    return p


def _run_list(args: argparse.Namespace) -> int:
    from .registry import list_encoders

    table = list_encoders()
    if args.json:
        print(table.reset_index().to_json(orient="records", indent=1))
    else:
        import pandas as pd

        with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_colwidth", 40):
            print(table[["family", "dims", "out_dim", "nn", "aliases"]].to_string())
    return 0


# --------------------------------------------------------------------------------------------
# geoencode encode


def _add_encode(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "encode", help="add location-encoding columns to a GIS file",
        description="Read a vector file (GeoPackage, Shapefile, GeoJSON, FlatGeobuf, GeoParquet, CSV with lon/lat) "
                    "in chunks, encode each feature and write its attributes, geometry (input CRS) and the "
                    "embedding columns to OUTPUT (.gpkg, .parquet or .csv). Never overwrites INPUT; writes to a "
                    "temporary file and renames it when done.",
    )
    p.add_argument("input", help="input vector file")
    p.add_argument("output", help="output file: .gpkg, .parquet (GeoParquet) or .csv")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--encoder", help="position encoder name (see `geoencode list`), e.g. sphereC")
    which.add_argument("--checkpoint", help="a model file: geoencode.save() or a TorchSpatial checkpoint")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="encoder hyper-parameter, repeatable (e.g. --param frequency_num=32)")
    p.add_argument("--layer", help="layer to encode (default: all spatial layers for a .gpkg output)")
    p.add_argument("--how", choices=["centroid", "representative", "aggregate"], default="centroid",
                   help="lines/polygons: geodesic centroid, a point inside, or pooled samples (default centroid)")
    p.add_argument("--n-samples", type=int, default=16, help="samples per geometry for --how aggregate (16)")
    p.add_argument("--pool", choices=["mean", "max"], default="mean", help="pooling for --how aggregate")
    p.add_argument("--random-state", type=int, default=0, help="seed for --how aggregate (0)")
    p.add_argument("--prefix", help="embedding column prefix (default: encoder name)")
    p.add_argument("--chunk-size", type=int, default=100_000, help="rows per chunk; bounds memory (100000)")
    p.add_argument("--batch-size", type=int, default=65_536, help="points per forward pass (65536)")
    p.add_argument("--device", help="torch device, e.g. cuda (default: cpu)")
    p.add_argument("--dtype", default="float32", choices=["float16", "float32", "float64"], help="output dtype")
    p.add_argument("--errors", choices=["raise", "coerce"], default="raise",
                   help="bad rows (missing/empty geometry, NaN, |lat|>90): fail, or write NaN (coerce)")
    p.add_argument("--assume-crs", help="CRS of data without one (CSV coordinates: default EPSG:4326)")
    p.add_argument("--lon", help="CSV longitude column (default: detected)")
    p.add_argument("--lat", help="CSV latitude column (default: detected)")
    p.add_argument("--overwrite", action="store_true", help="replace OUTPUT if it exists")
    prog = p.add_mutually_exclusive_group()
    prog.add_argument("--progress", dest="progress", action="store_true", default=None, help="always show progress")
    prog.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress")
    return p


def _load_model(path: str):
    from .errors import CheckpointError
    from .serialization import load

    try:
        return load(path)
    except CheckpointError as first:
        try:
            from .compat.torchspatial import load_checkpoint

            return load_checkpoint(path)
        except Exception:
            raise first from None


def _run_encode(args: argparse.Namespace) -> int:
    from .gis.files import encode_file

    params = dict(parse_param(t) for t in args.param)
    if args.checkpoint is not None:
        if params:
            raise GeoEncodeError("--param applies to --encoder names only; a checkpoint has its own parameters.")
        encoder: Any = _load_model(args.checkpoint)
    else:
        encoder = args.encoder
    out = encode_file(
        args.input, args.output, encoder, params=params, layer=args.layer, how=args.how, n_samples=args.n_samples,
        pool=args.pool, random_state=args.random_state, chunk_size=args.chunk_size, batch_size=args.batch_size,
        device=args.device, dtype=args.dtype, errors=args.errors, assume_crs=args.assume_crs, lon=args.lon,
        lat=args.lat, prefix=args.prefix, overwrite=args.overwrite, progress=args.progress,
    )
    print(f"wrote {out}", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------------------------

#: name → (add the subparser, run it); later commands (``bench``) add themselves here.
COMMANDS: dict[str, tuple[Callable[[argparse._SubParsersAction], argparse.ArgumentParser],
                          Callable[[argparse.Namespace], int]]] = {
    "encode": (_add_encode, _run_encode),
    "list": (_add_list, _run_list),
    "bench": (add_bench, run_bench),
}


def build_parser() -> argparse.ArgumentParser:
    """The ``geoencode`` argument parser with one subparser per entry of :data:`COMMANDS`."""
    from . import __version__

    parser = argparse.ArgumentParser(prog="geoencode", description="Location encoders for lon/lat and GIS data.")
    parser.add_argument("--version", action="version", version=f"geoencode {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (add, run) in COMMANDS.items():
        add(sub).set_defaults(_run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``geoencode`` console script; returns the exit status.

    Errors of the library (bad input, existing output …) print ``geoencode: error: …`` and
    return 1; usage errors return 2.

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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
