"""Gaussian radial-basis-function features around anchor points."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import torch

from .._coords import as_lonlat_tensor, check_lonlat
from ..errors import GeoEncodeError
from ._random import generator, uniform_sphere_lonlat
from .base import PositionEncoder
from .cartesian import _xyz, lonlat_to_xyz

class _SquaredAngle(torch.autograd.Function):
    """``acos(c)²`` for cosines ``c`` of angles, with a gradient that stays finite at ``c = ±1``.

    ``d acos(c)² / dc = −2·acos(c)/√(1 − c²)``, which tends to −2 on an anchor and is 0/0 in
    floating point there; the denominator is floored so the gradient is finite everywhere (and the
    gradient with respect to the coordinates is 0 on the anchor, as it should be at a minimum).
    One ``acos`` is about a third of the ``atan2(√(1 − c²), c)`` it replaces, with the same
    accuracy (both start from the cosine).
    """

    @staticmethod
    def forward(ctx, c: torch.Tensor) -> torch.Tensor:  # noqa: D102
        ctx.save_for_backward(c)
        return torch.acos(c).square_()

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:  # noqa: D102
        (c,) = ctx.saved_tensors
        sin = (1.0 - c * c).clamp_min_(0.0).sqrt_().clamp_min_(1e-6)
        return grad * (-2.0 * torch.acos(c) / sin)


# Vectorised exp is 20-100× slower where its result is subnormal or underflows (e^-87.3 and below
# in float32), and with a kernel a few degrees wide most point–anchor pairs are that far apart.
# Arguments are therefore clamped to where exp is still normal and the clamped entries set to 0:
# results below e^-86 (4.5e-38 in float32, e^-707 in float64) come out as exactly 0.
_EXP_FLOOR = {torch.float32: -87.0, torch.float64: -708.0}


def _exp_(y: torch.Tensor) -> torch.Tensor:
    """``y.exp_()``, with results within a factor e of the smallest normal number or below set to 0."""
    bound = _EXP_FLOOR.get(y.dtype)
    if bound is None or (torch.is_grad_enabled() and y.requires_grad):
        return y.exp_()
    # e^(bound + 1) sits safely above what the clamped entries become, whatever exp's last bit
    return torch.nn.functional.threshold_(y.clamp_min_(bound).exp_(), math.exp(bound + 1.0), 0.0)


class RBF(PositionEncoder):
    """``PE_j = exp(−d(x, a_j)² / (2σ²))`` for ``M`` anchors ``a_j`` (lon/lat degrees).

    Parameters
    ----------
    anchors : array-like of shape (M, 2), optional
        Anchor lon/lat in degrees. If omitted, ``num_anchors`` points are drawn uniformly by area on
        the sphere (seeded by ``random_state``); :meth:`from_locations` draws them from training
        locations as TorchSpatial does.
    num_anchors : int
        ``M`` when ``anchors`` is not given.
    kernel_size : float
        ``σ`` in degrees (of great-circle angle, or of planar lon/lat with ``distance="euclidean"``).
    distance : {"greatcircle", "euclidean"}
        ``"greatcircle"`` (default): the angle between the points on the sphere, so the kernel is the
        same shape everywhere and continuous across the antimeridian. ``"euclidean"``: the
        reference's distance in the lon/lat plane (bug B7).
    random_state : int, optional
        Seed for drawing anchors.

    Notes
    -----
    The anchors are a buffer, so ``state_dict()`` saves them; the reference saves only their row
    numbers in the training set (bug B7), which makes its rbf checkpoints unusable without the data.

    Examples
    --------
    >>> pe = RBF(anchors=[[0.0, 0.0], [90.0, 0.0]], kernel_size=10.0)
    >>> pe([[0.0, 0.0]]).round(decimals=4).tolist()
    [[1.0, 0.0]]
    """

    def __init__(
        self,
        anchors: np.ndarray | torch.Tensor | None = None,
        num_anchors: int = 200,
        kernel_size: float = 2.0,
        distance: Literal["greatcircle", "euclidean"] = "greatcircle",
        random_state: int | None = None,
    ) -> None:
        super().__init__()
        if not kernel_size > 0:
            raise GeoEncodeError(f"kernel_size (σ in degrees) must be > 0, got {kernel_size!r}.")
        if distance not in ("greatcircle", "euclidean"):
            raise GeoEncodeError(f"distance must be 'greatcircle' or 'euclidean', got {distance!r}.")
        if anchors is None:
            if num_anchors < 1:
                raise GeoEncodeError(f"num_anchors must be >= 1, got {num_anchors!r}.")
            anchors_t = uniform_sphere_lonlat(num_anchors, random_state)
        else:
            anchors_t = as_lonlat_tensor(anchors).detach().to(torch.float64, copy=True).reshape(-1, 2)
            if anchors_t.shape[0] == 0:
                raise GeoEncodeError("anchors is empty; pass at least one (lon, lat) anchor.")
            check_lonlat(anchors_t)
        self.register_buffer("anchors", anchors_t)
        self.kernel_size, self.distance = float(kernel_size), distance
        self.periodic = distance == "greatcircle"
        self.spherical = distance == "greatcircle"
        self.out_dim = anchors_t.shape[0]

    @classmethod
    def from_locations(
        cls,
        locations: np.ndarray | torch.Tensor,
        num_anchors: int = 200,
        kernel_size: float = 2.0,
        distance: Literal["greatcircle", "euclidean"] = "greatcircle",
        random_state: int | None = None,
    ) -> "RBF":
        """Use ``num_anchors`` distinct rows of ``locations`` (lon/lat degrees) as anchors.

        Examples
        --------
        >>> locs = [[0.0, 0.0], [10.0, 10.0], [20.0, 20.0]]
        >>> RBF.from_locations(locs, num_anchors=2, random_state=0).out_dim
        2
        """
        locs = as_lonlat_tensor(locations).reshape(-1, 2)
        if not 1 <= num_anchors <= locs.shape[0]:
            raise GeoEncodeError(
                f"num_anchors must be between 1 and the number of locations ({locs.shape[0]}), "
                f"got {num_anchors!r}."
            )
        ids = torch.randperm(locs.shape[0], generator=generator(random_state))[:num_anchors]
        return cls(locs[ids.to(locs.device)].cpu(), kernel_size=kernel_size, distance=distance)

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:
        x = torch.stack([lon, lat], dim=-1)
        return self._encode_block(x, self._constants(x.dtype, x.device))

    def _constants(self, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
        a = self.anchors.to(dtype)
        if self.distance == "euclidean":
            return a
        return lonlat_to_xyz(a[:, 0], a[:, 1]).T  # (3, M) unit vectors (a transposed view, as before)

    def _encode_block(self, x: torch.Tensor, consts: torch.Tensor) -> torch.Tensor:
        # Every step after the first works in place on one (..., M) buffer: the output is M times
        # larger than the input, so each extra temporary would cost as much as the maths.
        # (Autograd handles these in-place steps; the values are those of the plain formula.)
        if self.distance == "euclidean":
            a = consts
            d2 = (x[..., :1] - a[:, 0]).square_()
            d2 += (x[..., 1:] - a[:, 1]).square_()
            return _exp_(d2.mul_(-0.5 / self.kernel_size**2))
        cos_d = (_xyz(x) @ consts).clamp_(-1.0, 1.0)
        # the angle in radians, squared; the degree conversion joins the kernel's scale
        return _exp_(_SquaredAngle.apply(cos_d).mul_(self._radian_scale()))

    def _radian_scale(self) -> float:
        return -0.5 * (180.0 / math.pi) ** 2 / self.kernel_size**2

    def _encode_into(self, x: torch.Tensor, consts: torch.Tensor, out: torch.Tensor) -> None:
        if self.distance == "euclidean":
            out.copy_(self._encode_block(x, consts))
            return
        # no autograd on this path: the same steps as _encode_block, all in the output rows
        torch.matmul(_xyz(x), consts, out=out)
        _exp_(out.clamp_(-1.0, 1.0).acos_().square_().mul_(self._radian_scale()))

    def extra_repr(self) -> str:
        return f"anchors={self.out_dim}, kernel_size={self.kernel_size}, distance={self.distance!r}"
