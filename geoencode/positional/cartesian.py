"""Encoders on the unit-sphere Cartesian coordinates: xyz and NeRF."""

from __future__ import annotations

import math

import torch

from ..errors import GeoEncodeError
from .base import PositionEncoder
from .frequencies import nerf_frequencies


def lonlat_to_xyz(lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:
    """Unit vectors ``[cos φ cos λ, cos φ sin λ, sin φ]`` for lon/lat degrees, shape ``(..., 3)``.

    Examples
    --------
    >>> lonlat_to_xyz(torch.tensor(90.0), torch.tensor(0.0)).round(decimals=6).tolist()
    [0.0, 1.0, 0.0]
    """
    lam, phi = torch.deg2rad(lon), torch.deg2rad(lat)
    cos_phi = torch.cos(phi)
    return torch.stack([cos_phi * torch.cos(lam), cos_phi * torch.sin(lam), torch.sin(phi)], dim=-1)


class XYZ(PositionEncoder):
    """3-D Cartesian coordinates of the point on the unit sphere (``out_dim = 3``).

    Examples
    --------
    >>> XYZ()([[0.0, 90.0]]).round(decimals=6).tolist()
    [[0.0, 0.0, 1.0]]
    """

    def __init__(self) -> None:
        super().__init__()
        self.out_dim = 3

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:
        return lonlat_to_xyz(lon, lat)


class NeRF(PositionEncoder):
    """NeRF positional encoding of the unit vector: ``sin``/``cos`` of ``xyz · π·2^k``, k < F.

    Output: the sine block then the cosine block, each axis-major then frequency —
    ``[sin(x f_0..f_{F−1}), sin(y f…), sin(z f…), cos(x f…), cos(y f…), cos(z f…)]``; ``out_dim = 6F``.

    Parameters
    ----------
    frequency_num : int
        Number of octaves ``F`` (1 to 40; beyond that ``π·2^k`` phases carry no information
        in float64, reference note B15).

    Notes
    -----
    The reference never forwards ``frequency_num`` to this encoder (bug B3): every published NeRF
    model uses F = 16, which is therefore our default; other values are honoured here.

    Examples
    --------
    >>> NeRF(frequency_num=2)([[0.0, 0.0]]).shape
    torch.Size([1, 12])
    """

    def __init__(self, frequency_num: int = 16) -> None:
        super().__init__()
        if not isinstance(frequency_num, int) or not 1 <= frequency_num <= 40:
            raise GeoEncodeError(f"frequency_num must be an integer in [1, 40], got {frequency_num!r}.")
        self.register_buffer("freqs", nerf_frequencies(frequency_num), persistent=False)
        self.frequency_num = frequency_num
        self.out_dim = 6 * frequency_num

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:
        p = lonlat_to_xyz(lon, lat)
        phase = p.unsqueeze(-1) * self.freqs.to(p.dtype)  # (..., 3, F)
        offset = torch.tensor([0.0, math.pi / 2], dtype=p.dtype, device=p.device)
        # (..., 2, 3, F): the sine block, then the cosine block (cos x = sin(x + π/2)).
        return torch.sin(phase.unsqueeze(-3) + offset.view(2, 1, 1)).flatten(-3)
