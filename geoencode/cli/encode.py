"""``geoencode encode INPUT OUTPUT``: add location-encoding columns to a GIS file."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..compat.torchspatial import load_checkpoint
from ..errors import CheckpointError, GeoEncodeError
from ..gis.files import encode_file
from ..serialization import load
from .parsing import parse_param

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``geoencode encode``."""
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


def load_model(path: str) -> Any:
    """A model file: :func:`geoencode.save`'s format first, else a TorchSpatial checkpoint.

    The error of the first format is the one reported when neither reads, since it names what a
    geoencode user most likely meant.
    """
    try:
        return load(path)
    except CheckpointError as first:
        try:
            return load_checkpoint(path)
        except Exception:
            raise first from None


def run(args: argparse.Namespace) -> int:
    """Encode ``args.input`` into ``args.output``."""
    params = dict(parse_param(t) for t in args.param)
    if args.checkpoint is not None:
        if params:
            raise GeoEncodeError("--param applies to --encoder names only; a checkpoint has its own parameters.")
        encoder: Any = load_model(args.checkpoint)
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
