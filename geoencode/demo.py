"""``make demo``: encode real locations with several encoders, time them, and map a few channels.

Run ``python -m geoencode.demo --out demo_output``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from .datasets import naturalearth_countries
from .registry import build, get_spec

DEMO_ENCODERS = ["wrap", "rbf", "Space2Vec-grid", "Space2Vec-theory", "NeRF", "Sphere2Vec-sphereC",
                 "Sphere2Vec-sphereC+", "Sphere2Vec-dfs", "spherical_harmonics"]


def country_points() -> tuple[np.ndarray, list[str]]:
    """A point inside each Natural Earth country: real locations on every continent."""
    countries = naturalearth_countries()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # representative_point on lon/lat is fine for a label point
        pts = countries.geometry.representative_point()
    return np.c_[pts.x, pts.y], countries["name"].tolist()


def encode_table(lonlat: np.ndarray, encoders: list[str], seed: int = 0) -> pd.DataFrame:
    """Encode ``lonlat`` with each encoder (PE and the untrained NN), timing the position encoding."""
    rows = []
    x = torch.as_tensor(lonlat, dtype=torch.float32)
    for name in encoders:
        torch.manual_seed(seed)
        enc = build(name, **({"random_state": seed} if name in ("rbf", "rff") else {})).eval()
        with torch.no_grad():
            enc.position_encoder(x)  # warm-up
            t0 = time.perf_counter()
            feats = enc.position_encoder(x)
            pe_s = time.perf_counter() - t0
            emb = enc.network(feats)
        rows.append({"encoder": name, "family": get_spec(name).family, "dims": get_spec(name).dims,
                     "pe_dim": feats.shape[-1], "nn": enc.config["nn"], "embedding_dim": emb.shape[-1],
                     "pe_ms": 1e3 * pe_s, "points_per_s": len(x) / max(pe_s, 1e-9)})
    return pd.DataFrame(rows)


def channel_figure(path: Path, lonlat_pts: np.ndarray) -> None:
    """A 2×3 panel of single encoding channels over the globe, with the demo's points."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .positional import NeRF, RBF, SphereCPlus, SphericalHarmonics, Space2VecGrid, Space2VecTheory

    lon = np.linspace(-180, 180, 361)
    lat = np.linspace(-90, 90, 181)
    grid = torch.tensor(np.stack(np.meshgrid(lon, lat), -1), dtype=torch.float32)
    panels = [
        ("Space2Vec-grid: sin(lon·f₁)", Space2VecGrid(8, 1.0, 360.0), 4 * 1 + 0),
        ("Space2Vec-theory: 2nd projection", Space2VecTheory(8, 1.0, 360.0), 6 * 5 + 2),
        ("sphereC+: cos φ_k sin λ_k", SphereCPlus(8, 0.05, 1.0), 6 * 5 + 5),
        ("NeRF: sin(π·2·z)", NeRF(4), 2 * 4 + 1),
        ("spherical harmonics Y₅³", SphericalHarmonics(6), 25 + 5 + 3),
        ("rbf around 4 anchors", RBF(anchors=[[2.35, 48.85], [-74.0, 40.7], [151.2, -33.9], [116.4, 39.9]],
                                    kernel_size=15.0), None),
    ]
    fig, axes = plt.subplots(2, 3, figsize=(15, 6.5), constrained_layout=True)
    for ax, (title, pe, channel) in zip(axes.ravel(), panels):
        with torch.no_grad():
            codes = pe(grid)
        img = codes.sum(-1) if channel is None else codes[..., channel]
        im = ax.imshow(img.numpy(), origin="lower", extent=(-180, 180, -90, 90), cmap="RdBu_r")
        ax.scatter(lonlat_pts[:, 0], lonlat_pts[:, 1], s=3, c="k")
        ax.set_title(title, fontsize=10)
        ax.set_xticks([-180, -90, 0, 90, 180])
        ax.set_yticks([-90, 0, 90])
        fig.colorbar(im, ax=ax, shrink=0.8)
    fig.suptitle("geoencode: one channel of several position encoders over the globe (dots: Natural Earth countries)")
    _atomic_savefig(fig, path)
    plt.close(fig)


def _atomic_savefig(fig, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=110)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geoencode.demo", description=__doc__)
    parser.add_argument("--out", default="demo_output", type=Path, help="output folder (created)")
    parser.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    table_path, fig_path = args.out / "encoders.csv", args.out / "encoding_channels.png"
    existing = [p for p in (table_path, fig_path) if p.exists()]
    if existing and not args.overwrite:
        parser.error(f"{', '.join(map(str, existing))} exist; pass --overwrite to replace them")

    lonlat, names = country_points()
    torch.set_num_threads(min(2, torch.get_num_threads()))
    # Timing 177 points measures overhead; 100k random points measure throughput.
    rng = np.random.default_rng(0)
    many = np.c_[rng.uniform(-180, 180, 100_000), np.degrees(np.arcsin(rng.uniform(-1, 1, 100_000)))]
    table = encode_table(lonlat, DEMO_ENCODERS)
    speed = encode_table(many, DEMO_ENCODERS)
    table["points_per_s_100k"] = speed["points_per_s"].round(-3)
    fd, tmp = tempfile.mkstemp(dir=args.out, prefix=".encoders.", suffix=".csv")
    os.close(fd)
    table.to_csv(tmp, index=False)
    os.replace(tmp, table_path)
    channel_figure(fig_path, lonlat)

    print(f"Encoded {len(lonlat)} country locations (Natural Earth 1:110m) with {len(DEMO_ENCODERS)} encoders:\n")
    show = table[["encoder", "dims", "pe_dim", "nn", "embedding_dim", "points_per_s_100k"]]
    print(show.to_string(index=False, formatters={"points_per_s_100k": "{:,.0f}".format}))
    print(f"\nwrote {table_path} and {fig_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
