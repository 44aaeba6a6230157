"""Throughput of geoencode's GeoCLIP location encoder against geoclip's own module (CPU, one run).

Both run the same weights on the same uniform random points in float32 under ``torch.inference_mode``;
geoclip's module is loaded from its file without the package init (no transformers). geoclip's
module has no batching, so it gets the same batch size as ours, fed from a loop here. The two are
interleaved (ours, theirs, ours, theirs …) and the median per-batch time of each is reported, so
machine noise hits both. Writes ``benchmarks/results/pretrained.md``.

    .venv/bin/python benchmarks/pretrained.py --points 1000000 --threads 2
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import statistics
import sys
import time
import types
from pathlib import Path

import torch

import geoencode


def geoclip_module():
    root = importlib.util.find_spec("geoclip").submodule_search_locations[0]
    pkg = types.ModuleType("_geoclip_bench")
    pkg.__path__ = [f"{root}/model"]
    sys.modules["_geoclip_bench"] = pkg
    spec = importlib.util.spec_from_file_location("_geoclip_bench.location_encoder", f"{root}/model/location_encoder.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod.LocationEncoder().eval()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=4096)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "pretrained.md"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dev = torch.device(args.device)
    g = torch.Generator().manual_seed(0)
    n = args.points
    lonlat = torch.stack([torch.rand(n, generator=g, dtype=torch.float64) * 360 - 180,
                          torch.rand(n, generator=g, dtype=torch.float64) * 180 - 90], 1).to(dev)
    latlon32 = lonlat.flip(-1).float().contiguous()
    ours = geoencode.pretrained("geoclip", device=dev, batch_size=args.batch, progress=False)
    theirs = geoclip_module().to(dev)
    times = {"geoencode": [], "geoclip": []}
    max_diff = 0.0
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    with torch.inference_mode():
        ours(lonlat[:8]), theirs(latlon32[:8])  # warm-up
        for i in range(0, n, args.batch):
            sync()
            t0 = time.perf_counter()
            a = ours(lonlat[i:i + args.batch])
            sync()
            t1 = time.perf_counter()
            b = theirs(latlon32[i:i + args.batch])
            sync()
            t2 = time.perf_counter()
            times["geoencode"].append(t1 - t0)
            times["geoclip"].append(t2 - t1)
            max_diff = max(max_diff, (a - b).abs().max().item())
    rows = []
    for name, ts in times.items():
        med = statistics.median(ts)
        rows.append((name, sum(ts), args.batch / med))
    ratio = rows[0][2] / rows[1][2]
    lines = [
        "# Pretrained encoders: GeoCLIP throughput", "",
        f"`benchmarks/pretrained.py --points {n} --batch {args.batch} --threads {args.threads} --device {args.device}`; "
        f"torch {torch.__version__}, {platform.processor() or platform.machine()}, {args.threads} threads. "
        "Same weights, same points, float32, batches interleaved; points/s from the median batch time.", "",
        "| module | total seconds | points/s (median batch) |", "|---|---:|---:|",
        *(f"| {name} | {total:.1f} | {rate:,.0f} |" for name, total, rate in rows), "",
        f"**geoencode / geoclip throughput: {ratio:.2f}×**; largest difference between the two outputs: "
        f"{max_diff:.2e} (geoclip's float32 phases, see docs/pretrained.rst).", "",
    ]
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
