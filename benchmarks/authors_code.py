"""Run the spherical-harmonics authors' own training code on their land–ocean or checkerboard grid.

This gives the "authors' value" column of ``benchmarks/results/offline_<task>.md``: Rußwurm et al.'s
``train.py`` (MarcCoru/locationencoder, tested at commit 685892e) with their ``hparams.yaml``,
unchanged, one process per run. It needs a checkout of that repository and an environment with
``lightning`` (``pip install lightning sympy einops``) beside geopandas and torch:

    git clone https://github.com/MarcCoru/locationencoder /path/to/locationencoder
    /path/to/their-env/bin/python benchmarks/authors_code.py --repo /path/to/locationencoder --task landocean --seeds 0 1 2

(run it with that environment's Python: each run is a child process of the same interpreter).

A run's row (test accuracy and IoU as their trainer reports them, its training time, the thread
count) is appended to ``benchmarks/results/authors_<task>.csv``; runs already there are skipped, so
the command resumes. What the harness does around their code, and only that:

* ``spherical_harmonics_ylm.py`` (their analytic Y_lm, 7.7 MB, not always in a checkout) is
  generated with their own ``spherical_harmonics_generate_ylms.py`` up to degree 25 when missing;
* the modules only their iNat2018/ERA5 experiments import (torchvision, xarray, basemap) are
  replaced by empty stand-ins, since neither task calls them;
* scikit-learn ≥ 1.4 returns Python floats where their ``test_step`` calls ``.astype``: the two
  scores are wrapped to return NumPy floats.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

TASKS = {"landocean": "landoceandataset", "checkerboard": "checkerboard"}
PES = ["sphericalharmonics", "spherec", "spherecplus", "spherem", "spheremplus", "grid", "theory", "wrap",
       "cartesian3d"]
NNS = ["linear", "siren", "fcnet"]  # their train.py has no "mlp" network
FIELDS = ["task", "pe", "nn", "seed", "accuracy", "iou", "train_seconds", "wall_seconds", "threads"]

# Runs inside the child process, in the checkout's folder: argv = dataset pe nn seed results_dir.
CHILD = r'''
import importlib.machinery, json, sys, time, types
import numpy as np
import torch

def stand_in(name, **attrs):
    mod = types.ModuleType(name)
    mod.__spec__ = importlib.machinery.ModuleSpec(name, None)
    mod.__dict__.update(attrs)
    sys.modules[name] = mod

stand_in("mpl_toolkits.basemap", Basemap=None)
stand_in("data.inat2018_loader", Inat2018DataModule=None)
stand_in("data.era5dataset", ERA5DataModule=None)
stand_in("locationencoder.imageencoder", ImageEncoder=None)
stand_in("locationencoder.locationimageencoder", LocationImageEncoder=None)
sys.path.insert(0, ".")
dataset, pe, nn, seed, results = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
sys.argv = ["train.py", "--dataset", dataset, "--pe", pe, "--nn", nn, "--seed", str(seed),
            "--results-dir", results, "--accelerator", "cpu"]
import train
import locationencoder.locationencoder as le
for name in ("accuracy_score", "jaccard_score"):
    setattr(le, name, lambda *a, _f=getattr(le, name), **k: np.float64(_f(*a, **k)))
args = train.parse_args()
args.pe, args.nn = pe, nn
t0 = time.perf_counter()
train.fit(args)
wall = time.perf_counter() - t0
res = json.load(open(f"{results}/{dataset}/{pe:1.8}-{nn:1.6}.json"))
print("RESULT " + json.dumps(dict(accuracy=res["accuracy"], iou=res["iou"], train_seconds=res["train_duration"],
                                  wall_seconds=wall, threads=torch.get_num_threads())))
'''


def ensure_ylm(repo: Path, degrees: int = 26) -> None:
    """Generate their analytic spherical harmonics module with their own script if the checkout lacks it."""
    pe = repo / "locationencoder" / "pe"
    target = pe / "spherical_harmonics_ylm.py"
    if target.exists() and target.stat().st_size > 1000:
        return
    script = (pe / "spherical_harmonics_generate_ylms.py").read_text().replace("L = 101", f"L = {degrees}")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    tmp = target.with_suffix(".tmp")
    tmp.write_text(out)
    os.replace(tmp, target)


def done(path: Path) -> set[tuple[str, str, str, int]]:
    if not path.exists():
        return set()
    with path.open() as fh:
        return {(r["task"], r["pe"], r["nn"], int(r["seed"])) for r in csv.DictReader(fh)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, required=True, help="checkout of MarcCoru/locationencoder")
    parser.add_argument("--task", choices=sorted(TASKS), default="landocean")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--pe", nargs="+", default=PES)
    parser.add_argument("--nn", nargs="+", default=NNS)
    parser.add_argument("--threads", type=int, default=1, help="torch threads per run (OMP_NUM_THREADS)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    repo = args.repo.resolve()
    ensure_ylm(repo)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"authors_{args.task}.csv"
    have = done(path)
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "MKL_NUM_THREADS": str(args.threads)}
    for seed in args.seeds:
        for pe in args.pe:
            for nn in args.nn:
                if (args.task, pe, nn, seed) in have:
                    continue
                t0 = time.perf_counter()
                proc = subprocess.run([sys.executable, "-c", CHILD, TASKS[args.task], pe, nn, str(seed),
                                       str(repo / "results" / "geoencode" / f"seed{seed}")],
                                      cwd=repo, env=env, capture_output=True, text=True)
                line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
                if proc.returncode != 0 or not line:
                    print(f"{pe}-{nn} seed {seed} failed:\n{proc.stderr[-2000:]}", file=sys.stderr, flush=True)
                    continue
                row = {"task": args.task, "pe": pe, "nn": nn, "seed": seed, **json.loads(line[0][7:])}
                new = not path.exists()
                with path.open("a", newline="") as fh:  # one row per finished run: an interrupted grid resumes
                    writer = csv.DictWriter(fh, fieldnames=FIELDS)
                    if new:
                        writer.writeheader()
                    writer.writerow(row)
                print(f"{pe:20s} {nn:7s} seed {seed}: {100 * row['accuracy']:.2f} % "
                      f"({row['train_seconds']:.0f} s training, {time.perf_counter() - t0:.0f} s in all)", flush=True)


if __name__ == "__main__":
    main()
