"""Shared fixtures: the optional ../shared reference data and a few special points."""

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
