"""The "wrap" features of Mac Aodha et al. (ICCV 2019)."""

from __future__ import annotations

import math

import torch

from .base import PositionEncoder


class Wrap(PositionEncoder):
    """``[sin(π·lon/180), sin(π·lat/90), cos(π·lon/180), cos(π·lat/90)]`` — 4 features.

    The same features feed both TorchSpatial's ``wrap`` (followed by the residual ``fcnet``) and
    ``wrap_ffn`` (followed by the generic ``ffn``). Unlike the reference (bug B9) the caller's
    array is never normalised in place.

    Examples
    --------
    >>> Wrap()([[90.0, 45.0]]).round(decimals=6).tolist()
    [[1.0, 1.0, 0.0, 0.0]]
    """

    def __init__(self) -> None:
        super().__init__()
        self.out_dim = 4

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:
        return self._encode_block(torch.stack([lon, lat], dim=-1), None)

    def _encode_block(self, x: torch.Tensor, consts: None) -> torch.Tensor:
        # [lon·π/180, lat·π/90]: one scalar multiply and an exact doubling of the latitude column
        # (π/90 = 2·π/180 in floating point too) are much cheaper than a broadcast over a size-2
        # axis, and give the same bits.
        angles = x * (math.pi / 180.0)
        angles[..., 1] *= 2.0
        return torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)
