"""Gaussian radial-basis-function features around anchor points."""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch

from .._coords import as_lonlat_tensor, check_lonlat
from ..errors import GeoEncodeError
from ._random import generator, uniform_sphere_lonlat
from .base import PositionEncoder
from .cartesian import lonlat_to_xyz

# Keeps d(sqrt)/dx finite where a point sits exactly on an anchor; shifts the angle by at most
# 1e-6 rad, far below any useful kernel size.
_TINY = 1e-12


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
        a = self.anchors.to(lon.dtype)
        if self.distance == "euclidean":
            d2 = (lon.unsqueeze(-1) - a[:, 0]) ** 2 + (lat.unsqueeze(-1) - a[:, 1]) ** 2
        else:
            cos_d = (lonlat_to_xyz(lon, lat) @ lonlat_to_xyz(a[:, 0], a[:, 1]).T).clamp(-1.0, 1.0)
            sin2_d = (1.0 - cos_d * cos_d).clamp_min(0.0)
            d2 = torch.rad2deg(torch.atan2(torch.sqrt(sin2_d + _TINY), cos_d)) ** 2
        return torch.exp(d2 * (-0.5 / self.kernel_size**2))

    def extra_repr(self) -> str:
        return f"anchors={self.out_dim}, kernel_size={self.kernel_size}, distance={self.distance!r}"
