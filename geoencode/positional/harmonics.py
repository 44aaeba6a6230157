"""Real spherical harmonics up to degree L−1, by a numerically stable recurrence."""

from __future__ import annotations

import math
from typing import Literal

import torch

from ..errors import GeoEncodeError
from .base import PositionEncoder

Convention = Literal["standard", "torchspatial", "satclip"]
CONVENTIONS = ("standard", "torchspatial", "satclip")


def _recurrence_tables(L: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Coefficients of the orthonormal associated-Legendre recurrence (float64).

    ``P̄_l^m = A_lm · x · P̄_{l−1}^m − B_lm · P̄_{l−2}^m`` for ``m < l`` and
    ``P̄_l^l = D_l · s · P̄_{l−1}^{l−1}``, with ``P̄_0^0 = 1/√(4π)``. Normalised functions stay
    O(√l) for every (l, m), so nothing overflows or underflows harmfully even at L = 100 in float32
    (the textbook un-normalised P_l^m reaches 10^150 there).
    """
    l = torch.arange(L, dtype=torch.float64).unsqueeze(1)
    m = torch.arange(L, dtype=torch.float64).unsqueeze(0)
    valid = m < l
    denom = torch.where(valid, l * l - m * m, torch.ones_like(l * m))
    A = torch.where(valid, torch.sqrt((4 * l * l - 1) / denom), torch.zeros(()))
    B = torch.where(
        valid & (m < l - 1),
        torch.sqrt((2 * l + 1) * ((l - 1) ** 2 - m * m) / ((2 * l - 3).clamp_min(1) * denom)),
        torch.zeros(()),
    )
    ll = torch.arange(L, dtype=torch.float64)
    D = torch.sqrt((2 * ll + 1) / (2 * ll).clamp_min(1))
    return A, B, D


class SphericalHarmonics(PositionEncoder):
    """Real spherical harmonics ``Y_l^m`` for ``l = 0..L−1``, ``m = −l..l`` (``out_dim = L²``).

    Order: by degree, and within degree ``m = −l, …, l``. ``m > 0``: ``√2 N P_l^m(cos θ) cos(mϕ)``;
    ``m < 0``: ``√2 N P_l^|m|(cos θ) sin(|m|ϕ)``; ``m = 0``: ``N P_l(cos θ)`` — orthonormal on the
    sphere, no Condon–Shortley phase (the usual real-SH convention). Computed for all m at once by
    the normalised three-term recurrence, so any degree runs in float32 without NaN/Inf, and the
    gradient is finite at the poles (``sin θ`` is evaluated as ``cos(lat)``, never ``√(1 − x²)``).

    Parameters
    ----------
    legendre_poly_num : int
        ``L``, the number of degrees (the highest degree is ``L − 1``).
    convention : {"standard", "torchspatial", "satclip"}
        ``"standard"`` (default): θ = colatitude (90° − lat), ϕ = lon, orthonormal.
        ``"torchspatial"``: the reference's formulas (bug B4): θ = lat + 90°, ϕ = lon + 180°, the
        ``m = 0`` terms π times too large. ``"satclip"``: the same formulas, which SatCLIP's released
        weights (and torchgeo's port) were trained with.

    Examples
    --------
    >>> sh = SphericalHarmonics(legendre_poly_num=2)
    >>> round(sh([[0.0, 90.0]])[0, 0].item(), 4)  # Y_0^0 = 1/√(4π)
    0.2821
    """

    def __init__(self, legendre_poly_num: int = 10, convention: Convention = "standard") -> None:
        super().__init__()
        if not isinstance(legendre_poly_num, int) or isinstance(legendre_poly_num, bool) or legendre_poly_num < 1:
            raise GeoEncodeError(f"legendre_poly_num (L) must be an integer >= 1, got {legendre_poly_num!r}.")
        if convention not in CONVENTIONS:
            raise GeoEncodeError(f"convention must be one of {CONVENTIONS}, got {convention!r}.")
        self.legendre_poly_num, self.convention = legendre_poly_num, convention
        A, B, D = _recurrence_tables(legendre_poly_num)
        self.register_buffer("A", A, persistent=False)
        self.register_buffer("B", B, persistent=False)
        self.register_buffer("D", D, persistent=False)
        self.out_dim = legendre_poly_num**2

    # The degree recurrence costs a few small tensor ops per degree per block, so larger blocks
    # than the default pay off here.
    _block_elements = 1 << 20

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:
        x = torch.stack([lon, lat], dim=-1)
        return self._encode_block(x, self._constants(x.dtype, x.device))

    def _constants(self, dtype: torch.dtype, device: torch.device) -> tuple[torch.Tensor, ...]:
        L = self.legendre_poly_num
        # Output column j = l² + l + m reads P̄_l^|m| from the table of the blocks P̄_l^0..l
        # (row-major, block l starting at l(l+1)/2) and its azimuthal factor from the trig table
        # [m0_scale, √2 cos(ϕ)..√2 cos((L−1)ϕ), √2 sin(ϕ)..√2 sin((L−1)ϕ)].
        l = torch.repeat_interleave(torch.arange(L), 2 * torch.arange(L) + 1)
        m = torch.arange(L * L) - l * l - l
        p_index = (l * (l + 1) // 2 + m.abs()).to(device)
        t_index = torch.where(m > 0, m, torch.where(m < 0, L - 1 - m, 0)).to(device)
        return self.A.to(dtype), self.B.to(dtype), self.D.to(dtype), p_index, t_index

    def _encode_block(self, xy: torch.Tensor, consts: tuple[torch.Tensor, ...]) -> torch.Tensor:
        A, B, D, p_index, t_index = consts
        L, dt = self.legendre_poly_num, xy.dtype
        phi = xy[..., 1] * (math.pi / 180.0)  # bit-identical to torch.deg2rad
        sin_theta = torch.cos(phi)  # ≥ 0 on [−90°, 90°] for both θ conventions
        azimuth = xy[..., 0] * (math.pi / 180.0)
        if self.convention == "standard":
            cos_theta = torch.sin(phi)
            m0_scale = 1.0
        else:  # θ = lat + 90° ⇒ cos θ = −sin(lat); ϕ = lon + 180°
            cos_theta, azimuth = -torch.sin(phi), azimuth + math.pi
            m0_scale = math.pi
        m = torch.arange(1, L, dtype=dt, device=xy.device)
        mphi = azimuth.unsqueeze(-1) * m
        trig = torch.cat(
            [
                torch.full_like(azimuth.unsqueeze(-1), m0_scale),
                torch.cos(mphi) * math.sqrt(2.0),
                torch.sin(mphi) * math.sqrt(2.0),
            ],
            dim=-1,
        )
        x, s = cos_theta.unsqueeze(-1), sin_theta.unsqueeze(-1)
        # D_l · s for all l in one broadcast. (The diagonal is still built degree by degree, not by
        # torch.cumprod, which accumulates float32 in float64 and would change the last bits.)
        p00 = torch.full_like(x, 1.0 / math.sqrt(4.0 * math.pi))
        ds = D * s  # (..., L)

        prev, prev2 = p00, p00[..., :0]
        blocks = [prev]
        for l in range(1, L):
            # m = 0..l−1: A_lm x P̄_{l−1}^m, minus B_lm P̄_{l−2}^m for m ≤ l−2; then m = l.
            cur = A[l, :l] * x * prev
            if l >= 2:
                cur[..., : l - 1] -= B[l, : l - 1] * prev2
            cur = torch.cat([cur, ds[..., l : l + 1] * prev[..., l - 1 :]], dim=-1)  # P̄_l^m, m = 0..l
            blocks.append(cur)
            prev2, prev = prev, cur
        # Y_l^m = P̄_l^|m| × (m0_scale | √2 cos mϕ | √2 sin |m|ϕ), gathered into the output order.
        table = torch.cat(blocks, dim=-1)
        return table.index_select(-1, p_index) * trig.index_select(-1, t_index)

    def extra_repr(self) -> str:
        return f"L={self.legendre_poly_num}, convention={self.convention!r}, out_dim={self.out_dim}"
