"""Sphere2Vec encoders of Mai et al. (ISPRS J. 2023): multi-scale codes that respect the sphere.

All five share scaled angles ``λ_k = λ·f_k`` and ``φ_k = φ·f_k`` (λ, φ in radians) over a
geometric frequency ladder ``f_k = 1/r_k`` between ``1/min_radius`` and ``1/max_radius``; they
differ in which products of their sines and cosines they keep. Outputs are frequency-major.
"""

from __future__ import annotations

import math
from typing import Literal

import torch

from ..errors import GeoEncodeError
from .base import PositionEncoder, stack_last
from .frequencies import check_scales, geometric_frequencies, legacy_frequencies

FrequencyLadder = Literal["geometric", "legacy"]


class _Sphere2Vec(PositionEncoder):
    terms: int  # features per frequency
    periodic = False  # a scale is 2π-periodic in λ only when f_k is an integer

    def __init__(
        self,
        frequency_num: int = 64,
        min_radius: float = 1e-4,
        max_radius: float = 1.0,
        frequencies: FrequencyLadder = "geometric",
    ) -> None:
        super().__init__()
        check_scales(frequency_num, min_radius, max_radius)
        if frequencies == "geometric":
            freqs = geometric_frequencies(frequency_num, min_radius, max_radius)
        elif frequencies == "legacy":
            freqs = legacy_frequencies(frequency_num, max_radius)
        else:
            raise GeoEncodeError(f"frequencies must be 'geometric' or 'legacy', got {frequencies!r}.")
        self.register_buffer("freqs", freqs, persistent=False)
        self.frequency_num, self.min_radius, self.max_radius = frequency_num, min_radius, max_radius
        self.frequencies = frequencies
        self.out_dim = self._out_dim(frequency_num)

    def _out_dim(self, f: int) -> int:
        return self.terms * f

    def _scaled(self, lon: torch.Tensor, lat: torch.Tensor):
        """sin/cos of λ_k and φ_k, each ``(..., F)``, plus sin/cos of the unscaled λ, φ."""
        deg = torch.stack([lon, lat], dim=-1).unsqueeze(-1)  # (..., 2, 1), contiguous
        # Angles in turns (degrees · f/360), reduced to their fractional part before the sines:
        # the fine scales reach 10^4 rad, where sin/cos are several times slower than on
        # (−2π, 2π). The product is rounded once, as the radian product was; the reduction is exact.
        turns = (deg * (self.freqs / 360.0).to(lon.dtype)).frac_().mul_(2.0 * math.pi)
        s, c = torch.sin(turns), torch.cos(turns)
        rad = deg * (math.pi / 180.0)  # bit-identical to deg2rad
        return s[..., 0, :], c[..., 0, :], s[..., 1, :], c[..., 1, :], rad[..., 0, :], rad[..., 1, :]

    def extra_repr(self) -> str:
        return (
            f"frequency_num={self.frequency_num}, min_radius={self.min_radius}, "
            f"max_radius={self.max_radius}, out_dim={self.out_dim}"
        )


class SphereC(_Sphere2Vec):
    """Sphere2Vec *sphereC*: ``[sin φ_k, cos φ_k cos λ_k, cos φ_k sin λ_k]`` per scale (``3F``).

    At scale ``f = 1`` the triple is the point's unit vector (z, x, y), so distances between codes
    follow great-circle distances.

    Examples
    --------
    >>> SphereC(frequency_num=1, min_radius=0.5, max_radius=1.0)([[0.0, 90.0]]).round(decimals=6).tolist()
    [[1.0, 0.0, 0.0]]
    """

    terms = 3

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:
        sl, cl, sp, cp, _, _ = self._scaled(lon, lat)
        return stack_last([sp, cp * cl, cp * sl])


class SphereCPlus(_Sphere2Vec):
    """Sphere2Vec *sphereC+*: ``[sin φ_k, cos φ_k, sin λ_k, cos λ_k, cos φ_k cos λ_k, cos φ_k sin λ_k]`` (``6F``).

    Examples
    --------
    >>> SphereCPlus(frequency_num=4)([[10.0, 20.0]]).shape
    torch.Size([1, 24])
    """

    terms = 6

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:
        sl, cl, sp, cp, _, _ = self._scaled(lon, lat)
        return stack_last([sp, cp, sl, cl, cp * cl, cp * sl])


class SphereM(_Sphere2Vec):
    """Sphere2Vec *sphereM*: ``[sin φ_k, cos φ_k cos λ, cos φ cos λ_k, cos φ_k sin λ, cos φ sin λ_k]`` (``5F``).

    Mixes each scale with the unscaled angle so the code keeps the pole's singular structure.

    Examples
    --------
    >>> SphereM(frequency_num=4)([[10.0, 20.0]]).shape
    torch.Size([1, 20])
    """

    terms = 5

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:
        sl, cl, sp, cp, lam, phi = self._scaled(lon, lat)
        s1, c1, cphi1 = torch.sin(lam), torch.cos(lam), torch.cos(phi)
        return stack_last([sp, cp * c1, cphi1 * cl, cp * s1, cphi1 * sl])


class SphereMPlus(_Sphere2Vec):
    """Sphere2Vec *sphereM+*: sphereC+'s four single terms plus sphereM's four mixed terms (``8F``).

    ``[sin φ_k, cos φ_k, sin λ_k, cos λ_k, cos φ_k cos λ, cos φ cos λ_k, cos φ_k sin λ, cos φ sin λ_k]``.

    Notes
    -----
    The reference builds this encoder on a private frequency list ``r_max^(−k/(F−1))`` that ignores
    ``min_radius`` (bug B1): with the paper's ``r_max = 1`` every scale is 1 and the 8F outputs hold
    only 6 distinct values. The default here is the geometric ladder used by every other
    multi-scale encoder; ``frequencies="legacy"`` reproduces the reference.

    Examples
    --------
    >>> SphereMPlus(frequency_num=4)([[10.0, 20.0]]).shape
    torch.Size([1, 32])
    """

    terms = 8

    def __init__(
        self,
        frequency_num: int = 64,
        min_radius: float = 5e-4,
        max_radius: float = 1.0,
        frequencies: FrequencyLadder = "geometric",
    ) -> None:
        super().__init__(frequency_num, min_radius, max_radius, frequencies)

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:
        sl, cl, sp, cp, lam, phi = self._scaled(lon, lat)
        s1, c1, cphi1 = torch.sin(lam), torch.cos(lam), torch.cos(phi)
        return stack_last([sp, cp, sl, cl, cp * c1, cphi1 * cl, cp * s1, cphi1 * sl])


class DFS(_Sphere2Vec):
    """Sphere2Vec *dfs* (double Fourier sphere): all products of lon and lat sinusoids (``4F² + 4F``).

    With ``L = [sin λ_0…sin λ_{F−1}, cos λ_0…cos λ_{F−1}]`` and ``P`` likewise for φ, the output is
    ``vec(L ⊗ P)`` (row-major, lon index outer) followed by ``[sin φ_k, cos φ_k, sin λ_k, cos λ_k]``
    per scale.

    Notes
    -----
    As for :class:`SphereMPlus`, the reference ignores ``min_radius`` (bug B1);
    ``frequencies="legacy"`` reproduces it.

    Examples
    --------
    >>> DFS(frequency_num=2)([[10.0, 20.0]]).shape
    torch.Size([1, 24])
    """

    def __init__(
        self,
        frequency_num: int = 8,
        min_radius: float = 0.005,
        max_radius: float = 1.0,
        frequencies: FrequencyLadder = "geometric",
    ) -> None:
        super().__init__(frequency_num, min_radius, max_radius, frequencies)

    def _out_dim(self, f: int) -> int:
        return 4 * f * f + 4 * f

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:
        sl, cl, sp, cp, _, _ = self._scaled(lon, lat)
        L = torch.cat([sl, cl], dim=-1)
        P = torch.cat([sp, cp], dim=-1)
        outer = (L.unsqueeze(-1) * P.unsqueeze(-2)).flatten(-2)
        return torch.cat([outer, stack_last([sp, cp, sl, cl])], dim=-1)
