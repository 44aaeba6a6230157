"""Benchmark of the geobias fast path (issue 3).

1. Same inputs, one process: the vectorised audit against the plain
   per-centre oracle of the test-suite (``tests/geobias_oracle.py``).
2. Absolute wall time of ``preset="geobs"`` on NABirds† (24,411 samples) and
   fMoW val (~53k samples) with the default parallelism, and peak memory.

Needs ``../shared/data/torchspatial/eval_results`` (skips what is missing).

Usage::

    .venv/bin/python benchmarks/geobias.py [--oracle-centres N] [--skip-fmow] [--n-jobs J]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "torchspatial" / "eval_results" / "classification"
# this file is called geobias.py: keep its folder off the path so that
# ``import geobias`` finds the package, not this script
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT / "tests"))

import geobias  # noqa: E402
from geobias.sphere import to_radians  # noqa: E402


def peak_mb() -> float:
    """Peak resident memory of this process and its finished children (MiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def oracle_ratio(csv: Path, n_centres: int) -> dict:
    from geobias_oracle import oracle_audit

    df = geobias.io.read_results(csv).dropna(subset=["lon", "lat"])
    rows = df.index[:n_centres]
    lat, lon = to_radians(df["lat"].to_numpy()), to_radians(df["lon"].to_numpy())
    marks = df["hit@1"].to_numpy(dtype=float)
    centres = np.arange(len(rows))
    res, t_fast = timed(lambda: geobias.audit(df, centres=list(rows), progress=False, n_jobs=1))
    ora, t_oracle = timed(lambda: oracle_audit(lat, lon, marks, 100 / 6371.0, centres=centres,
                                               max_neighbors=100))
    agree = np.isclose(res.per_centre["base"].to_numpy(), ora[:, 0], rtol=1e-9).mean()
    return dict(dataset=csv.name, centres=len(rows), oracle_s=t_oracle, fast_s=t_fast,
                ratio=t_oracle / t_fast, agree=agree)


def tie_floor(csv: Path) -> dict:
    """What exact ties cost on their own: the reference ball trees of the contested centres.

    Wraps ``geobias.ssi.resolve_contested`` to record, per centre with contested points, the
    points of ``U`` and the contested queries, then times only ``BallTree(U).query(contested)``:
    the work no implementation that reproduces the reference's tie order can skip.
    """
    from sklearn.neighbors import BallTree

    import geobias.ssi as ssi

    recorded = []
    original = ssi.resolve_contested

    def record(I, contested, batch, radius, density, k):
        for j in np.unique(contested.centre):
            P = np.column_stack([batch.lat[j], batch.lon[j]])
            _, pts = ssi.reference_tree(P, (batch.centre_lat[j], batch.centre_lon[j]), radius, density, k)
            recorded.append((pts, pts[contested.point[contested.centre == j]], k))
        return original(I, contested, batch, radius, density, k)

    ssi.resolve_contested = record
    try:
        geobias.audit(csv, preset="geobs", progress=False, n_jobs=1)
    finally:
        ssi.resolve_contested = original
    _, t = timed(lambda: [BallTree(u, leaf_size=30, metric="haversine").query(q, k=k + 1)
                          for u, q, k in recorded])
    return dict(contested_centres=len(recorded), tree_s=t)


def absolute(csv: Path, n_jobs) -> dict:
    res, t = timed(lambda: geobias.audit(csv, preset="geobs", progress=False, n_jobs=n_jobs))
    return dict(dataset=csv.name, samples=res.n_samples, seconds=t, base=res.base,
                relative=res.relative, contested=res.n_contested, peak_mb=peak_mb())


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--oracle-centres", type=int, default=2217,
                   help="centres of each BirdSnap† file for the oracle ratio (default: all 2,217)")
    p.add_argument("--skip-fmow", action="store_true")
    p.add_argument("--n-jobs", type=int, default=None, help="processes for the absolute runs")
    a = p.parse_args(argv)
    if not SHARED.exists():
        print(f"no data at {SHARED}; nothing to benchmark")
        return 0
    warnings.simplefilter("ignore", geobias.GeoBiasWarning)

    rows = []
    for name in ("eval_birdsnap_ebird_meta_test_Sphere2Vec-sphereC.csv",
                 "eval_birdsnap_orig_meta_test_Sphere2Vec-sphereC.csv"):
        row = oracle_ratio(SHARED / name, a.oracle_centres)
        floor = tie_floor(SHARED / name)
        row.update(floor, max_ratio=row["oracle_s"] / floor["tree_s"])
        rows.append(row)
    print("\n1. same inputs, one process, preset geobs (r = 100 km, k = 4, cap 100); tree_s: the "
          "reference ball trees of the contested centres alone; max_ratio = oracle_s / tree_s")
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.3f}"))

    targets = [("NABirds† (target < 60 s)", "eval_nabirds_ebird_meta_test_Sphere2Vec-sphereC.csv")]
    if not a.skip_fmow:
        targets.append(("fMoW val (target < 300 s)", "eval_fmow__val_Sphere2Vec-sphereC.csv"))
    out = []
    for label, name in targets:
        if (SHARED / name).exists():
            out.append(dict(target=label, **absolute(SHARED / name, a.n_jobs)))
    print(f"\n2. absolute, preset geobs, n_jobs={a.n_jobs or 'default'} "
          "(peak_mb: max RSS of this process or one worker; no dense N x N is ever built)")
    print(pd.DataFrame(out).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
