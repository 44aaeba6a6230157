"""Command line: ``geobias audit`` and ``geobias compare``.

Outputs are written atomically (a temporary file in the destination folder,
then ``os.replace``), never onto an input, and never over an existing file
unless ``--overwrite`` is given.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

from ._io import atomic_path
from .errors import GeoBiasError, GeoBiasWarning

__all__ = ["main", "atomic_write"]

_DRIVERS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON", ".parquet": None, ".csv": None}


def atomic_write(out: Path, write, inputs=(), overwrite: bool = False) -> None:
    """Write ``out`` through ``write(tmp_path)`` and an atomic rename.

    Parameters
    ----------
    out : pathlib.Path
        Destination.
    write : callable
        Writes a file at the path it is given.
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
    out = Path(out)
    check_target(out, inputs, overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out, suffix=out.suffix) as tmp:
        tmp.unlink()  # some writers (GPKG) refuse an existing empty file
        write(str(tmp))


def check_target(out: Path, inputs=(), overwrite: bool = False) -> None:
    """Refuse to write over an input file, or over an existing output without ``overwrite``."""
    out = Path(out)
    for i in inputs:
        if Path(i).exists() and out.exists() and os.path.samefile(i, out):
            raise GeoBiasError(f"refusing to overwrite the input file {str(out)!r}; choose another --out")
        if Path(i).resolve() == out.resolve():
            raise GeoBiasError(f"refusing to overwrite the input file {str(out)!r}; choose another --out")
    if out.exists() and not overwrite:
        raise GeoBiasError(f"{str(out)!r} exists; pass --overwrite to replace it")


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


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--value", default="hit@1", help="performance column (default hit@1)")
    p.add_argument("--radius-km", type=float, default=100.0, help="neighbourhood radius in km")
    p.add_argument("--k", type=int, default=4, help="nearest neighbours of the weights")
    p.add_argument("--preset", default="geobs", choices=["geobs", "torchspatial2024"])
    p.add_argument("--max-neighbors", type=int, default=None, help="override the preset's cap")
    p.add_argument("--threshold", default=None,
                   help="threshold the value (km or street/city/region/country/continent)")
    p.add_argument("--n-jobs", type=int, default=None, help="worker processes")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _kwargs(a) -> dict:
    kw = dict(value=a.value, radius_km=a.radius_km, k=a.k, preset=a.preset,
              n_jobs=a.n_jobs, progress=not a.quiet)
    if a.max_neighbors is not None:
        kw["max_neighbors"] = a.max_neighbors
    if a.threshold is not None:
        t = a.threshold
        kw["threshold"] = float(t) if t.replace(".", "", 1).isdigit() else t
    return kw


def _write_maps(res, a) -> None:
    """The ``--map``, ``--figure`` and ``--gpkg`` outputs of ``geobias audit``."""
    if not (a.map or a.figure or a.gpkg):
        return
    from .maps import save_figure, save_map

    hs = res.hotspots(random_state=a.seed)
    if a.map:
        save_map(res.explore(offline=a.offline, hotspots=hs), a.map)
        print(f"wrote the map to {a.map}")
    if a.figure:
        save_figure(res.figure(hotspots=hs), a.figure)
        print(f"wrote the figure to {a.figure}")
    if a.gpkg:
        res.to_gpkg(a.gpkg, hotspots=hs, overwrite=True)
        print(f"wrote the GeoPackage to {a.gpkg}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``geobias`` console script.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 on success, 2 on invalid input.

    Examples
    --------
    >>> main(["--help"])  # doctest: +SKIP
    """
    parser = argparse.ArgumentParser(prog="geobias", description="Geo-Bias Scores of per-sample results")
    sub = parser.add_subparsers(dest="cmd", required=True)
    pa = sub.add_parser("audit", help="audit one results CSV")
    pa.add_argument("results", help="per-sample results CSV (TorchSpatial format)")
    pa.add_argument("--out", default=None, help="per-centre output (.gpkg, .geojson, .parquet, .csv)")
    pa.add_argument("--overwrite", action="store_true", help="replace existing outputs")
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
    pc.add_argument("--overwrite", action="store_true")
    _common(pc)
    a = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            # the notes are printed once below, as "note:" lines
            warnings.simplefilter("ignore", GeoBiasWarning)
            if a.cmd == "audit":
                from .audit import audit

                for t in (a.out, a.map, a.figure, a.gpkg):  # fail before the work, not after
                    if t:
                        check_target(Path(t), [a.results], a.overwrite)
                res = audit(a.results, **_kwargs(a))
                print(repr(res))
                if res.message:
                    print(f"note: {res.message}", file=sys.stderr)
                if a.out:
                    _write_per_centre(res, Path(a.out), [a.results], a.overwrite)
                    print(f"wrote {len(res.per_centre)} centres to {a.out}")
                _write_maps(res, a)
            else:
                from .compare import compare, format_table

                names = [Path(p).stem for p in a.results]
                if len(set(names)) != len(names):
                    names = [str(p) for p in a.results]
                table = compare(dict(zip(names, a.results)), baseline=a.baseline, **_kwargs(a))
                print(format_table(table))
                if a.out:
                    atomic_write(Path(a.out), lambda t: table.to_csv(t), a.results, a.overwrite)
        return 0
    except GeoBiasError as e:
        print(f"geobias: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
