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
        angles = torch.stack([lon * (math.pi / 180.0), lat * (math.pi / 90.0)], dim=-1)
        return torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)
