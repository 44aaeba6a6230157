"""Space2Vec encoders of Mai et al. (ICLR 2020): multi-scale sinusoids of planar lon/lat degrees."""

from __future__ import annotations

import math

import torch

from .base import PositionEncoder
from .frequencies import geometric_frequencies

_HALF_PI = math.pi / 2


def _sin_cos(phase: torch.Tensor) -> torch.Tensor:
    """``[..., sin, cos]`` along a new last axis with a single ``sin`` call (cos x = sin(x + π/2))."""
    offset = torch.tensor([0.0, _HALF_PI], dtype=phase.dtype, device=phase.device)
    return torch.sin(phase.unsqueeze(-1) + offset)


def _interleaved(freqs: torch.Tensor, times: int) -> torch.Tensor:
    """``[f0]*times + [f1]*times + …``."""
    return freqs.repeat_interleave(times)


def _offsets(frequency_num: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """``[0, π/2] * frequency_num``: the sine/cosine phase offsets of frequency-major pairs."""
    return torch.tensor([0.0, _HALF_PI], dtype=dtype, device=device).repeat(frequency_num)


class Space2VecGrid(PositionEncoder):
    """Space2Vec *grid* encoder: ``sin``/``cos`` of each coordinate (degrees) at ``F`` geometric scales.

    Output order: longitude block then latitude block; within a block frequency-major, then
    ``(sin, cos)`` — ``[sin(lon f0), cos(lon f0), sin(lon f1), …, sin(lat f0), cos(lat f0), …]``.
    ``out_dim = 4F``.

    Parameters
    ----------
    frequency_num : int
        Number of scales ``F``.
    min_radius, max_radius : float
        Smallest and largest wavelength scale in degrees; ``f_k = 1 / (r_min · (r_max/r_min)^(k/(F−1)))``.

    Notes
    -----
    As in the reference, coordinates are raw degrees, so scales whose wavelength does not divide
    360° are not periodic across the antimeridian (reference note B13); :meth:`forward` wraps
    longitudes beyond ±180° so the same place always gets the same code.

    Examples
    --------
    >>> pe = Space2VecGrid(frequency_num=4, min_radius=1.0, max_radius=360.0)
    >>> pe([[10.0, 20.0]]).shape
    torch.Size([1, 16])
    """

    periodic = False
    spherical = False

    def __init__(self, frequency_num: int = 64, min_radius: float = 0.005, max_radius: float = 360.0) -> None:
        super().__init__()
        self.register_buffer("freqs", geometric_frequencies(frequency_num, min_radius, max_radius), persistent=False)
        self.frequency_num, self.min_radius, self.max_radius = frequency_num, min_radius, max_radius
        self.out_dim = 4 * frequency_num

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:
        x = torch.stack([lon, lat], dim=-1)
        return self._encode_block(x, self._constants(x.dtype, x.device))

    def _constants(self, dtype: torch.dtype, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        # Per output column within a coordinate block: f_k twice, and the phase offsets 0, π/2.
        return _interleaved(self.freqs.to(dtype), 2), _offsets(self.frequency_num, dtype, device)

    def _encode_block(self, x: torch.Tensor, consts: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        freqs2, offsets = consts
        # (..., 2, 2F): coordinate-major, then frequency, then (sin, cos). The phases are written
        # once with a contiguous inner axis, then offset (cos x = sin(x + π/2)) and sine are
        # applied in place: no further temporaries, and the same roundings as coord·f + offset.
        return (x.unsqueeze(-1) * freqs2).add_(offsets).sin_().flatten(-2)

    def _encode_into(self, x: torch.Tensor, consts: tuple[torch.Tensor, torch.Tensor], out: torch.Tensor) -> None:
        freqs2, offsets = consts
        phase = out.view(*out.shape[:-1], 2, -1)
        torch.mul(x.unsqueeze(-1), freqs2, out=phase)
        phase.add_(offsets).sin_()


class Space2VecTheory(PositionEncoder):
    """Space2Vec *theory* encoder: sinusoids of three projections 120° apart, at ``F`` scales.

    Projections (degrees): ``a1 = lon``, ``a2 = −lon/2 + (√3/2)·lat``, ``a3 = −lon/2 − (√3/2)·lat``.
    Output per frequency k: ``[sin(a1 f_k), cos(a1 f_k), sin(a2 f_k), cos(a2 f_k), sin(a3 f_k),
    cos(a3 f_k)]``; ``out_dim = 6F``.

    Parameters
    ----------
    frequency_num : int
        Number of scales ``F``.
    min_radius, max_radius : float
        Smallest and largest wavelength scale in degrees.

    Examples
    --------
    >>> Space2VecTheory(frequency_num=8)([[0.0, 0.0]]).shape
    torch.Size([1, 48])
    """

    periodic = False
    spherical = False

    def __init__(self, frequency_num: int = 64, min_radius: float = 0.05, max_radius: float = 360.0) -> None:
        super().__init__()
        self.register_buffer("freqs", geometric_frequencies(frequency_num, min_radius, max_radius), persistent=False)
        half_sqrt3 = math.sqrt(3.0) / 2.0
        self.register_buffer(
            "projection",
            torch.tensor([[1.0, -0.5, -0.5], [0.0, half_sqrt3, -half_sqrt3]], dtype=torch.float64),
            persistent=False,
        )
        self.frequency_num, self.min_radius, self.max_radius = frequency_num, min_radius, max_radius
        self.out_dim = 6 * frequency_num

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:
        p = self.projection.to(lon.dtype)
        a = lon.unsqueeze(-1) * p[0] + lat.unsqueeze(-1) * p[1]  # (..., 3)
        phase = self.freqs.to(lon.dtype).unsqueeze(-1) * a.unsqueeze(-2)  # (..., F, 3)
        return _sin_cos(phase).flatten(-3)
