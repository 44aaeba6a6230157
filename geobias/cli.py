"""Command line: ``geobias audit`` and ``geobias compare``.

Outputs are written atomically (a temporary file in the destination folder,
then ``os.replace``), never onto an input, and never over an existing file
unless ``--overwrite`` is given. Exit status: 0 success, 1 a library error
(the message in flag words: ``--overwrite``, not ``overwrite=True``), 2 a
usage error, 130 Ctrl-C — the same as ``geoencode``'s.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import sys
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path

from geocommon.cli import run_cli

from ._io import atomic_path, check_target
from .audit import audit
from .compare import compare, format_table
from .errors import GeoBiasError, GeoBiasWarning
from .marks import SCALES

__all__ = ["main", "build_parser", "atomic_write", "check_target"]

_DRIVERS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".parquet": None, ".csv": None}


def atomic_write(out: str | os.PathLike, write: Callable[[str], object], inputs: Iterable = (),
                 overwrite: bool = False) -> None:
    """Write ``out`` through ``write(tmp_path)`` and an atomic rename (:func:`geobias._io.atomic_path`).

    Parameters
    ----------
    out : path-like
        Destination.
    write : callable
        Writes a file at the path it is given (the path does not exist yet).
    inputs : iterable of path-like, default ()
        Input files that must never be overwritten.
    overwrite : bool, default False
        Allow replacing an existing ``out``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write(d / "x.txt", lambda p: pathlib.Path(p).write_text("hi"))
    >>> (d / "x.txt").read_text()
    'hi'
    """
    with atomic_path(out, overwrite=overwrite, inputs=inputs, create=False) as tmp:
        write(str(tmp))


def _threshold(text: str) -> float | str:
    """``--threshold``: any number of km (``25``, ``2.5``, ``1e3``) or a scale name."""
    try:
        return float(text)
    except ValueError:
        if text.lower() in SCALES:
            return text.lower()
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither a number of km nor a scale level ({', '.join(SCALES)})") from None


def _write_per_centre(res, out: Path, inputs, overwrite: bool) -> None:
    suffix = out.suffix.lower()
    if suffix not in _DRIVERS:
        raise GeoBiasError(f"--out {str(out)!r}: use one of {sorted(_DRIVERS)}")
    gdf = res.per_centre.copy()
    gdf.index.name = "row"

    def write(tmp: str) -> None:
        if suffix == ".csv":
            res.to_frame().rename_axis("row").to_csv(tmp)
        elif suffix == ".parquet":
            gdf.reset_index().to_parquet(tmp)
        else:
            gdf.reset_index().to_file(tmp, driver=_DRIVERS[suffix], layer="per_centre" if suffix == ".gpkg" else None)

    atomic_write(out, write, inputs, overwrite)


def _write_maps(res, a) -> None:
    """The ``--map``, ``--figure`` and ``--gpkg`` outputs of ``geobias audit``, through the audit's methods."""
    if not (a.map or a.figure or a.gpkg):
        return
    # folium and matplotlib take a second to import; only runs that draw pay for them
    from .maps import save_figure, save_map

    hs = res.hotspots(random_state=a.seed)
    if a.map:
        save_map(res.explore(offline=a.offline, hotspots=hs), a.map, overwrite=a.overwrite)
        print(f"wrote the map to {a.map}")
    if a.figure:
        save_figure(res.figure(hotspots=hs), a.figure, overwrite=a.overwrite)
        print(f"wrote the figure to {a.figure}")
    if a.gpkg:
        res.to_gpkg(a.gpkg, hotspots=hs, overwrite=a.overwrite)
        print(f"wrote the GeoPackage to {a.gpkg}")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--value", default="hit@1", help="performance column (default hit@1)")
    p.add_argument("--lon", default=None, help="longitude column (default: lon, longitude, gt_longitude ...)")
    p.add_argument("--lat", default=None, help="latitude column (default: lat, latitude, gt_latitude ...)")
    p.add_argument("--radius-km", type=float, default=100.0, help="neighbourhood radius in km")
    p.add_argument("--k", type=int, default=4, help="nearest neighbours of the weights")
    p.add_argument("--preset", default="geobs", choices=["geobs", "torchspatial2024"])
    p.add_argument("--max-neighbors", type=int, default=None, help="override the preset's cap")
    p.add_argument("--ties", default="split", choices=["split", "reference"],
                   help="distance ties in the kNN weights: shared (default, the same on every machine) "
                        "or the reference's ball-tree order (bit-exact to PyGBS on the same machine)")
    p.add_argument("--threshold", type=_threshold, default=None,
                   help=f"threshold the value: km (e.g. 25 or 1e3) or a scale ({', '.join(SCALES)})")
    p.add_argument("--n-jobs", type=int, default=None, help="worker processes")
    p.add_argument("--overwrite", action="store_true", help="replace existing outputs (never an input)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _kwargs(a) -> dict:
    kw = dict(value=a.value, radius_km=a.radius_km, k=a.k, preset=a.preset, ties=a.ties,
              n_jobs=a.n_jobs, progress=not a.quiet)
    for name in ("max_neighbors", "threshold", "lon", "lat"):
        if getattr(a, name) is not None:
            kw[name] = getattr(a, name)
    return kw


def _version() -> str:
    try:
        return importlib.metadata.version("geoencode")  # the distribution geobias ships in
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The ``geobias`` argument parser (``audit`` and ``compare``).

    Examples
    --------
    >>> build_parser().parse_args(["audit", "r.csv", "--threshold", "1e3"]).threshold
    1000.0
    """
    parser = argparse.ArgumentParser(prog="geobias", description="Geo-Bias Scores of per-sample results")
    parser.add_argument("--version", action="version", version=f"geobias {_version()}")
    sub = parser.add_subparsers(dest="cmd", required=True)
    pa = sub.add_parser("audit", help="audit one results CSV")
    pa.add_argument("results", help="per-sample results CSV (TorchSpatial format)")
    pa.add_argument("--out", default=None, help="per-centre output (.gpkg, .geojson, .parquet, .csv)")
    pa.add_argument("--map", default=None, help="interactive map (HTML) of performance, SSI and hot spots")
    pa.add_argument("--offline", action="store_true", help="self-contained map: inline Leaflet, bundled basemap")
    pa.add_argument("--figure", default=None, help="static figure (.png, .svg or .pdf)")
    pa.add_argument("--gpkg", default=None, help="GeoPackage with per-centre and hot-spot layers, styled for QGIS")
    pa.add_argument("--seed", type=int, default=0, help="seed of the hot-spot permutations")
    _common(pa)
    pc = sub.add_parser("compare", help="compare several models on the same locations")
    pc.add_argument("results", nargs="+", help="results CSVs; the model name is the file stem")
    pc.add_argument("--baseline", default=None, help="the location-unaware model (default: *no_prior*)")
    pc.add_argument("--out", default=None, help="write the table as CSV")
    _common(pc)
    return parser


def _audit(a) -> None:
    for t in (a.out, a.map, a.figure, a.gpkg):  # fail before the work, not after
        if t:
            check_target(t, [a.results], a.overwrite)
    res = audit(a.results, **_kwargs(a))
    print(repr(res))
    if res.message:
        print(f"note: {res.message}", file=sys.stderr)
    if a.out:
        _write_per_centre(res, Path(a.out), [a.results], a.overwrite)
        print(f"wrote {len(res.per_centre)} centres to {a.out}")
    _write_maps(res, a)


def _compare(a) -> None:
    if a.out:
        check_target(a.out, a.results, a.overwrite)
    names = [Path(p).stem for p in a.results]
    if len(set(names)) != len(names):
        names = [str(p) for p in a.results]
    table = compare(dict(zip(names, a.results)), baseline=a.baseline, **_kwargs(a))
    print(format_table(table))
    if a.out:
        atomic_write(a.out, lambda t: table.to_csv(t), a.results, a.overwrite)


def _run(a) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GeoBiasWarning)  # the notes are printed once, as "note:" lines
        (_audit if a.cmd == "audit" else _compare)(a)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``geobias`` console script.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 success, 1 invalid input (a :class:`GeoBiasError`), 2 usage error, 130 Ctrl-C.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()) as out:
    ...     rc = main(["--version"])
    >>> rc, out.getvalue().startswith("geobias ")
    (0, True)
    """
    return run_cli(build_parser(), _run, argv, errors=(GeoBiasError,))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
