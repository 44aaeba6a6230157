"""Seeded random draws for encoders with random tables (rbf anchors, rff directions)."""

from __future__ import annotations

import math

import torch


def generator(random_state: int | None) -> torch.Generator | None:
    """A CPU generator seeded with ``random_state``; ``None`` uses torch's global RNG."""
    if random_state is None:
        return None
    g = torch.Generator()
    g.manual_seed(int(random_state))
    return g


def uniform_sphere_lonlat(n: int, random_state: int | None = None) -> torch.Tensor:
    """``n`` points uniform by area on the sphere, lon/lat degrees ``(n, 2)`` float64.

    Examples
    --------
    >>> uniform_sphere_lonlat(3, random_state=0).shape
    torch.Size([3, 2])
    """
    g = generator(random_state)
    u = torch.rand(n, 2, generator=g, dtype=torch.float64)
    lon = u[:, 0] * 360.0 - 180.0
    lat = torch.rad2deg(torch.asin(2.0 * u[:, 1] - 1.0))
    return torch.stack([lon, lat], dim=-1)


TWO_PI = 2.0 * math.pi
