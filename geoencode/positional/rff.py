"""Random Fourier features (Rahimi & Recht 2007) of min–max normalised lon/lat."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from ..errors import GeoEncodeError
from ._random import TWO_PI, generator
from .base import PositionEncoder


class RFF(PositionEncoder):
    """``PE = √(2/F) · cos([x′, y′] · W + b)`` with ``x′, y′`` scaled to [−1, 1] over ``extent``.

    Approximates a Gaussian kernel of bandwidth ``kernel_size`` (in the normalised units) on the
    lon/lat plane: ``W ~ N(0, σ⁻² I)`` of shape ``(2, F)``, ``b ~ U(0, 2π)``.

    Parameters
    ----------
    frequency_num : int
        Number of features ``F``.
    kernel_size : float
        Kernel bandwidth ``σ`` in normalised coordinates (the extent spans 2 units per axis).
    extent : sequence of 4 floats
        ``(x_min, x_max, y_min, y_max)`` in degrees; default the whole globe.
    random_state : int, optional
        Seed for ``W`` and ``b``.
    dirvec, shift : array-like, optional
        Give ``W`` (2, F) and ``b`` (F) explicitly (e.g. from a released checkpoint).

    Notes
    -----
    The reference draws ``W ~ N(0, k·I)`` with ``k = rbf_kernel_size`` — a *variance* of the
    frequencies, not a bandwidth (bug B8): its ``k`` equals ``σ⁻²`` here. Its default extent is a
    box around the USA (B10); ours is the globe.

    Examples
    --------
    >>> pe = RFF(frequency_num=16, random_state=0)
    >>> pe([[0.0, 0.0], [10.0, 5.0]]).shape
    torch.Size([2, 16])
    """

    periodic = False
    spherical = False

    def __init__(
        self,
        frequency_num: int = 64,
        kernel_size: float = 1.0,
        extent: Sequence[float] = (-180.0, 180.0, -90.0, 90.0),
        random_state: int | None = None,
        dirvec: np.ndarray | torch.Tensor | None = None,
        shift: np.ndarray | torch.Tensor | None = None,
    ) -> None:
        super().__init__()
        if not isinstance(frequency_num, int) or frequency_num < 1:
            raise GeoEncodeError(f"frequency_num must be an integer >= 1, got {frequency_num!r}.")
        if not kernel_size > 0:
            raise GeoEncodeError(f"kernel_size must be > 0, got {kernel_size!r}.")
        if len(extent) != 4 or not (extent[0] < extent[1] and extent[2] < extent[3]):
            raise GeoEncodeError(
                f"extent must be (x_min, x_max, y_min, y_max) with min < max, got {tuple(extent)!r}."
            )
        g = generator(random_state)
        if dirvec is None:
            dirvec = torch.randn(2, frequency_num, generator=g, dtype=torch.float64) / kernel_size
        if shift is None:
            shift = torch.rand(frequency_num, generator=g, dtype=torch.float64) * TWO_PI
        dirvec = torch.as_tensor(dirvec, dtype=torch.float64).clone()
        shift = torch.as_tensor(shift, dtype=torch.float64).clone().reshape(-1)
        if dirvec.shape != (2, frequency_num) or shift.shape != (frequency_num,):
            raise GeoEncodeError(
                f"dirvec must have shape (2, {frequency_num}) and shift ({frequency_num},), got "
                f"{tuple(dirvec.shape)} and {tuple(shift.shape)}."
            )
        self.register_buffer("dirvec", dirvec)
        self.register_buffer("shift", shift)
        self.frequency_num, self.kernel_size = frequency_num, float(kernel_size)
        self.extent = tuple(float(v) for v in extent)
        self.out_dim = frequency_num
        # Set to torch.float32 by the TorchSpatial compat layer: the reference normalises in
        # float64 but projects in float32.
        self.projection_dtype: torch.dtype | None = None

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:
        x = torch.stack([lon, lat], dim=-1)
        return self._encode_block(x, self._constants(x.dtype, x.device))

    def _constants(self, dtype: torch.dtype, device: torch.device) -> tuple[torch.Tensor, ...]:
        x_min, x_max, y_min, y_max = self.extent
        lows = torch.tensor([x_min, y_min], dtype=torch.float64, device=device)
        spans = torch.tensor([x_max - x_min, y_max - y_min], dtype=torch.float64, device=device)
        if self.projection_dtype is None:
            # The normalisation 2·(c − c_min)/(c_max − c_min) − 1 is affine: folded into the
            # projection (in float64), the features are one multiply-add away from the input.
            w = self.dirvec * (2.0 / spans).unsqueeze(1)
            b = self.shift - ((2.0 * lows / spans + 1.0).unsqueeze(1) * self.dirvec).sum(0)
            return w.to(dtype), b.to(dtype)
        pdt = self.projection_dtype
        return lows.to(dtype), spans.to(dtype), self.dirvec.to(pdt), self.shift.to(pdt)

    def _encode_block(self, x: torch.Tensor, consts: tuple[torch.Tensor, ...]) -> torch.Tensor:
        if self.projection_dtype is None:
            w, b = consts
            return self._features_(torch.matmul(x, w).add_(b))
        # quirk-exact (compat): normalise as the reference writes it, then project in float32
        lows, spans, w, b = consts
        xy = (x - lows).mul_(2.0).div_(spans).sub_(1.0).to(self.projection_dtype)
        return self._features_(torch.matmul(xy, w).add_(b))

    def _features_(self, proj: torch.Tensor) -> torch.Tensor:
        # cos and scale in place on the (..., F) projection: no further temporaries
        return proj.cos_().mul_(math.sqrt(2.0 / self.frequency_num))

    def _encode_into(self, x: torch.Tensor, consts: tuple[torch.Tensor, ...], out: torch.Tensor) -> None:
        if self.projection_dtype is not None:  # compat: float32 projection of float64 inputs
            out.copy_(self._encode_block(x, consts))
            return
        w, b = consts
        self._features_(torch.addmm(b, x, w, out=out))
