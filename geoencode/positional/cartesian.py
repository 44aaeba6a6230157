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
    >>> lonlat_to_xyz(torch.tensor(90.0), torch.tensor(0.0)).abs().round(decimals=6).tolist()
    [0.0, 1.0, 0.0]
    """
    return _xyz(torch.stack([lon, lat], dim=-1))


def _xyz(x: torch.Tensor) -> torch.Tensor:
    """:func:`lonlat_to_xyz` of a ``(..., 2)`` lon/lat tensor, with one sin and one cos call."""
    angles = x * (math.pi / 180.0)  # bit-identical to torch.deg2rad
    s, c = torch.sin(angles), torch.cos(angles)
    cos_phi = c[..., 1:]
    return torch.cat([cos_phi * c[..., :1], cos_phi * s[..., :1], s[..., 1:]], dim=-1)


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

    def _encode_block(self, x: torch.Tensor, consts: None) -> torch.Tensor:
        return _xyz(x)


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

    The phase ``π·2^k·p`` is reduced exactly before the sine: ``2^(k−1)·p`` is exact in floating
    point and so is its fractional part, so the sine sees a phase in ``(−2π, 2π)``. Each octave is
    then as accurate as ``p`` itself (the reference rounds ``π·2^k·p``, an error of up to
    ``π·2^k`` ulp, 6e-3 at k = 15 in float32), and the sine runs at small-argument speed.

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
        x = torch.stack([lon, lat], dim=-1)
        return self._encode_block(x, self._constants(x.dtype, x.device))

    def _constants(self, dtype: torch.dtype, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        # Output column (s, a, k) — sine/cosine block s, axis a, octave k — is sin(2π·(t + s/4))
        # with t = 2^(k−1)·p_a: one product of xyz with a (3, 6F) block matrix of powers of two
        # (exact), whose fractional part is exact too; cos x = sin(x + π/2).
        F = self.frequency_num
        halves = (self.freqs / (2.0 * math.pi)).to(dtype)  # 2^(k−1), exactly
        eye = torch.eye(3, dtype=dtype, device=device)
        w = (eye.unsqueeze(-1) * halves).unsqueeze(1).expand(3, 2, 3, F).reshape(3, 6 * F)
        offset = torch.tensor([0.0, 0.25], dtype=dtype, device=device).repeat_interleave(3 * F)
        return w, offset

    @staticmethod
    def _sine_of_turns_(t: torch.Tensor, offset: torch.Tensor) -> torch.Tensor:
        """``sin(2π·(frac(t) + offset))`` in place."""
        return t.frac_().add_(offset).mul_(2.0 * math.pi).sin_()

    def _encode_block(self, x: torch.Tensor, consts: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        w, offset = consts
        p = _xyz(x)
        t = torch.mm(p.reshape(-1, 3), w)
        return self._sine_of_turns_(t, offset).reshape(*p.shape[:-1], self.out_dim)

    def _encode_into(self, x: torch.Tensor, consts: tuple[torch.Tensor, torch.Tensor], out: torch.Tensor) -> None:
        w, offset = consts
        self._sine_of_turns_(torch.mm(_xyz(x), w, out=out), offset)
