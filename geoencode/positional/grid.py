"""Space2Vec encoders of Mai et al. (ICLR 2020): multi-scale sinusoids of planar lon/lat degrees."""

from __future__ import annotations

import math

import torch

from .base import PositionEncoder
from .frequencies import geometric_frequencies

_HALF_PI = math.pi / 2


def _offsets(frequency_num: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """``[0, π/2] * frequency_num``: the sine/cosine phase offsets of frequency-major pairs."""
    return torch.tensor([0.0, _HALF_PI], dtype=dtype, device=device).repeat(frequency_num)


class _LinearPhases(PositionEncoder):
    """Multi-scale encoders whose every output is ``sin(x · w_j + offset_j)``: phases linear in
    planar (lon, lat) degrees, ``terms`` outputs per scale.

    :meth:`_constants` returns the ``(2, out_dim)`` phase matrix (built in float64, then cast) and
    the offsets (0 for a sine, π/2 for a cosine); all phases are then one ``addmm`` — one pass
    over the output — followed by one in-place sine.
    """

    periodic = False
    spherical = False
    terms: int

    def __init__(self, frequency_num: int, min_radius: float, max_radius: float) -> None:
        super().__init__()
        self.register_buffer("freqs", geometric_frequencies(frequency_num, min_radius, max_radius), persistent=False)
        self.frequency_num, self.min_radius, self.max_radius = frequency_num, min_radius, max_radius
        self.out_dim = self.terms * frequency_num

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:
        x = torch.stack([lon, lat], dim=-1)
        return self._encode_block(x, self._constants(x.dtype, x.device))

    def _encode_block(self, x: torch.Tensor, consts: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        w, offsets = consts
        return torch.addmm(offsets, x.reshape(-1, 2), w).sin_().reshape(*x.shape[:-1], self.out_dim)

    def _encode_into(self, x: torch.Tensor, consts: tuple[torch.Tensor, torch.Tensor], out: torch.Tensor) -> None:
        w, offsets = consts
        torch.addmm(offsets, x, w, out=out).sin_()


class Space2VecGrid(_LinearPhases):
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

    terms = 4

    def __init__(self, frequency_num: int = 64, min_radius: float = 0.005, max_radius: float = 360.0) -> None:
        super().__init__(frequency_num, min_radius, max_radius)

    def _constants(self, dtype: torch.dtype, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        # column (c, k, s) = x_c·f_k + s·π/2: block-diagonal in the coordinate c
        F = self.frequency_num
        per_coord = self.freqs.repeat_interleave(2)  # (2F,): f_k for the sine and the cosine
        w = torch.block_diag(per_coord.unsqueeze(0), per_coord.unsqueeze(0))  # (2, 4F)
        return w.to(device=device, dtype=dtype), _offsets(2 * F, dtype, device)


class Space2VecTheory(_LinearPhases):
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

    terms = 6

    def __init__(self, frequency_num: int = 64, min_radius: float = 0.05, max_radius: float = 360.0) -> None:
        super().__init__(frequency_num, min_radius, max_radius)
        half_sqrt3 = math.sqrt(3.0) / 2.0
        self.register_buffer(
            "projection",
            torch.tensor([[1.0, -0.5, -0.5], [0.0, half_sqrt3, -half_sqrt3]], dtype=torch.float64),
            persistent=False,
        )

    def _constants(self, dtype: torch.dtype, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        # column (k, j, s) = f_k·a_j + s·π/2 with a_j = lon·P_0j + lat·P_1j
        w = self.freqs.view(1, -1, 1) * self.projection.unsqueeze(1)  # (2, F, 3)
        w = w.unsqueeze(-1).expand(2, self.frequency_num, 3, 2).reshape(2, self.out_dim)
        return w.to(device=device, dtype=dtype), _offsets(3 * self.frequency_num, dtype, device)
