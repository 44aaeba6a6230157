"""Shared fixtures: the optional ../shared reference data, a few special points, a synthetic audit."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

# Equator/dateline/poles/near-pole/cities: where encoders tend to break.
SPECIAL_LONLAT = torch.tensor(
    [[0.0, 0.0], [180.0, 0.0], [-180.0, 0.0], [179.999, 45.0], [-179.999, 45.0], [0.0, 90.0],
     [0.0, -90.0], [45.0, 89.999], [-120.0, -89.999], [12.5, 41.9], [-74.0, 40.7], [151.2, -33.9]],
    dtype=torch.float64,
)


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when the reference data is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data {path} not available (../shared is not part of a fresh clone)")
    return path


def synthetic_per_centre(n: int, index=None, **extra):
    """Per-centre results over Europe (seeded): ``acc`` rises eastwards, random ``base``/``relative``
    scores and ``n_neighbours``, plus ``extra`` columns — what the map and layer tests draw."""
    import geopandas as gpd
    import numpy as np

    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(-10, 30, n), rng.uniform(35, 60, n)
    columns = {"acc": (lon / 40 + 0.25).clip(0, 1), "base": rng.random(n), "relative": rng.random(n),
               "n_neighbours": rng.integers(3, 20, n), **extra}
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(lon, lat), crs=4326, index=index)
