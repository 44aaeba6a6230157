"""``LocationEncoder = NN(PE)``: a position encoder followed by a network."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ._coords import LonLat
from .positional.base import PositionEncoder, preferred_lonlat_dtype


class LocationEncoder(nn.Module):
    """A location encoder ``Enc(x) = NN(PE(x))`` mapping lon/lat degrees to an embedding.

    Usually built by name with :func:`geoencode.build`; ``config`` records how, so
    :func:`geoencode.save` / :func:`geoencode.load` can rebuild it.

    Parameters
    ----------
    position_encoder : PositionEncoder
        ``PE``: lon/lat ``(..., 2)`` → features ``(..., pe.out_dim)``.
    network : torch.nn.Module
        ``NN``: features → embedding; must have ``in_dim == pe.out_dim`` and an ``out_dim``.
    config : dict, optional
        How the encoder was built (``encoder``, ``nn`` and their parameters).

    Attributes
    ----------
    out_dim : int
        Embedding size.
    input_dtype : torch.dtype
        The dtype lon/lat should arrive in: float64 (float32 on ``mps``).

    Examples
    --------
    >>> import geoencode
    >>> enc = geoencode.build("sphereC", frequency_num=8, out_dim=16)
    >>> enc([[2.35, 48.85], [-74.0, 40.7]]).shape
    torch.Size([2, 16])
    """

    def __init__(self, position_encoder: PositionEncoder, network: nn.Module,
                 config: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.position_encoder = position_encoder
        self.network = network
        self.out_dim: int = network.out_dim
        self.config = dict(config or {})

    def forward(self, lonlat: LonLat) -> torch.Tensor:
        """Embeddings ``(..., out_dim)`` for lon/lat degrees ``(..., 2)``, longitude first."""
        feats = self.position_encoder(lonlat)
        weight = next(self.network.parameters(), None)
        if weight is not None and feats.dtype != weight.dtype:
            feats = feats.to(weight.dtype)
        return self.network(feats)

    def embed(self, lonlat: LonLat) -> torch.Tensor:
        """The embedding ``Enc(x)`` of lon/lat degrees ``(..., 2)``: the same as calling the encoder.

        With :attr:`out_dim` and :attr:`input_dtype` this is the model protocol that
        :func:`geoencode.gis.encode` asks of every model.

        Examples
        --------
        >>> import geoencode
        >>> enc = geoencode.build("sphereC", frequency_num=4, out_dim=8)
        >>> enc.embed([[2.35, 48.85]]).shape, enc.input_dtype
        (torch.Size([1, 8]), torch.float64)
        """
        return self(lonlat)

    @property
    def input_dtype(self) -> torch.dtype:
        """The dtype lon/lat should arrive in on the encoder's device (see ``preferred_lonlat_dtype``)."""
        for t in self.parameters():
            return preferred_lonlat_dtype(t.device)
        for t in self.buffers():
            return preferred_lonlat_dtype(t.device)
        return preferred_lonlat_dtype(None)

    @property
    def name(self) -> str:
        return self.config.get("encoder", type(self.position_encoder).__name__)
