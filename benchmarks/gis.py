"""GIS benchmark: N points from a GeoParquet file → an embeddings GeoParquet file.

Compares the chunked path (``geoencode encode`` / :func:`geoencode.gis.encode_file`, bounded
memory) with the whole-frame path (``gpd.read_parquet`` → ``gdf.geo.encode`` → ``to_parquet``).
Each mode runs in a fresh subprocess so its peak RSS is its own.

``--source mp16`` uses real points instead of uniform random ones: the 100,000 photo coordinates of
MP-16 (the GeoCLIP GPS gallery) that the ``geoclip`` wheel ships as
``geoclip/model/gps_gallery/coordinates_100K.csv`` (install it with ``pip install --no-deps
geoclip==1.3.0``); they are clustered where people take photos, unlike the random points.

Usage::

    .venv/bin/python benchmarks/gis.py                      # 1,000,000 points, sphereC paper defaults
    .venv/bin/python benchmarks/gis.py --n 200000 --param frequency_num=16 --json results.json
    .venv/bin/python benchmarks/gis.py --source mp16 --encoder geoclip --modes chunked --md benchmarks/results/gis.md
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = r"""
import json, sys, time, resource
mode, src, dst, encoder, params, chunk = sys.argv[1:7]
params = json.loads(params); chunk = int(chunk)
import torch
torch.set_num_threads({threads})
t0 = time.perf_counter()
import geopandas as gpd, pandas as pd
import geoencode.gis
from geoencode.gis import encode_file
t1 = time.perf_counter()
if mode == "chunked":
    encode_file(src, dst, encoder, params=params, chunk_size=chunk, progress=False)
else:
    gdf = gpd.read_parquet(src)
    emb = gdf.geo.encode(encoder, progress=False, **params)
    out = gpd.GeoDataFrame(pd.concat([pd.DataFrame(gdf), emb], axis=1), geometry="geometry", crs=gdf.crs)
    out.to_parquet(dst)
t2 = time.perf_counter()
print(json.dumps({{"import_s": t1 - t0, "run_s": t2 - t1,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


MP16_CSV = "geoclip/model/gps_gallery/coordinates_100K.csv"


def mp16_lonlat() -> "tuple":
    """The 100,000 MP-16 photo coordinates from the installed geoclip wheel (LAT, LON columns)."""
    import pandas as pd

    from geoencode.pretrained.weights import wheel_file

    path = wheel_file(MP16_CSV)
    if path is None:
        raise SystemExit(f"--source mp16 needs {MP16_CSV} from the geoclip wheel: pip install --no-deps geoclip==1.3.0")
    frame = pd.read_csv(path)
    return frame["LON"].to_numpy(float), frame["LAT"].to_numpy(float)


def make_input(path: Path, n: int, seed: int = 0, source: str = "random") -> int:
    """Write ``n`` points in Web Mercator with two attributes; returns the number written.

    ``source="random"``: uniform on the sphere (|lat| ≤ 85°); ``"mp16"``: the first ``n`` of the
    100,000 MP-16 coordinates (Web Mercator cannot hold the few beyond ±85.06°, so those are clipped).
    """
    import geopandas as gpd
    import numpy as np

    rng = np.random.default_rng(seed)
    if source == "mp16":
        lon, lat = mp16_lonlat()
        lon, lat = lon[:n], np.clip(lat[:n], -85.0, 85.0)
        n = len(lon)
    else:
        lon = rng.uniform(-180, 180, n)
        lat = np.degrees(np.arcsin(rng.uniform(np.sin(np.radians(-85)), np.sin(np.radians(85)), n)))
    gdf = gpd.GeoDataFrame({"id": np.arange(n), "value": rng.normal(size=n).astype("float32")},
                           geometry=gpd.points_from_xy(lon, lat), crs=4326).to_crs(3857)
    gdf.to_parquet(path, row_group_size=100_000)
    return n


def run_mode(mode: str, src: Path, dst: Path, encoder: str, params: dict, chunk: int, threads: int) -> dict:
    code = _CHILD.format(threads=threads)
    r = subprocess.run([sys.executable, "-c", code, mode, str(src), str(dst), encoder, json.dumps(params), str(chunk)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return {"mode": mode, "error": r.stderr.strip().splitlines()[-1] if r.stderr else f"exit {r.returncode}"}
    res = json.loads(r.stdout.strip().splitlines()[-1])
    res.update(mode=mode, output_mb=dst.stat().st_size / 2**20)
    return res


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1_000_000, help="number of points (1,000,000; at most 100,000 for mp16)")
    p.add_argument("--source", choices=("random", "mp16"), default="random",
                   help="uniform random points, or MP-16's real photo coordinates from the geoclip wheel")
    p.add_argument("--encoder", default="sphereC")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--chunk-size", type=int, default=100_000)
    p.add_argument("--modes", default="chunked,whole")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--workdir", help="where to write the files (default: a temporary folder, removed)")
    p.add_argument("--json", help="also write the results here")
    p.add_argument("--md", help="also write a Markdown table here")
    args = p.parse_args(argv)
    from geoencode.cli import parse_param

    params = dict(parse_param(t) for t in args.param)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        src = Path(tmp) / "points.parquet"
        t = time.perf_counter()
        args.n = make_input(src, args.n, source=args.source)
        print(f"input: {args.n:,} {args.source} points, {src.stat().st_size / 2**20:.1f} MB GeoParquet "
              f"(EPSG:3857), written in {time.perf_counter() - t:.1f} s", flush=True)
        results = []
        for mode in args.modes.split(","):
            dst = Path(tmp) / f"emb_{mode}.parquet"
            res = run_mode(mode, src, dst, args.encoder, params, args.chunk_size, args.threads)
            res.update(n=args.n, source=args.source, encoder=args.encoder, params=params, chunk_size=args.chunk_size, threads=args.threads)
            if "error" not in res:
                res["rows_per_s"] = args.n / res["run_s"]
                print(f"{mode:>8}: {res['run_s']:7.1f} s  {res['rows_per_s']:>10,.0f} rows/s  "
                      f"peak RSS {res['peak_rss_mb']:7.0f} MB  output {res['output_mb']:.0f} MB", flush=True)
            else:
                print(f"{mode:>8}: failed: {res['error']}", flush=True)
            results.append(res)
            dst.unlink(missing_ok=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    if args.md:
        lines = ["| source | points | encoder | mode | seconds | rows/s | peak RSS (MB) | output (MB) |",
                 "|---|---:|---|---|---:|---:|---:|---:|"]
        for r in results:
            if "error" in r:
                lines.append(f"| {r['source']} | {r['n']:,} | {r['encoder']} | {r['mode']} | failed: {r['error']} | | | |")
            else:
                lines.append(f"| {r['source']} | {r['n']:,} | {r['encoder']} | {r['mode']} | {r['run_s']:.1f} | "
                             f"{r['rows_per_s']:,.0f} | {r['peak_rss_mb']:.0f} | {r['output_mb']:.0f} |")
        from geoencode._io import atomic_write

        md = Path(args.md)
        # Appending keeps several runs (encoders, sources) in one file; written atomically.
        text = (md.read_text() + "\n" if md.exists() else "") + "\n".join(lines) + "\n"
        atomic_write(md, lambda tmp: Path(tmp).write_text(text), overwrite=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
