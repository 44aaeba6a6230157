"""The location prior ``P(y|x) = σ(W · Enc(x))`` of Mac Aodha et al. (2019) and TorchSpatial."""

from __future__ import annotations

import torch
from torch import nn

from .._coords import LonLat
from ..encoder import LocationEncoder


class LocationPrior(nn.Module):
    """Independent per-class presence probabilities from location alone.

    ``P(y = c | x) = σ(w_c · Enc(x))`` with a bias-free class matrix ``W`` (``class_emb``), as in
    the released TorchSpatial checkpoints.

    Parameters
    ----------
    encoder : LocationEncoder
        ``Enc``; its ``out_dim`` is the embedding size.
    num_classes : int
        Number of classes ``C``.

    Examples
    --------
    >>> import geoencode
    >>> prior = LocationPrior(geoencode.build("xyz", out_dim=16), num_classes=5)
    >>> prior([[0.0, 0.0]]).shape, prior.embed([[0.0, 0.0]]).shape, prior.out_dim
    (torch.Size([1, 5]), torch.Size([1, 16]), 16)

    A pretrained encoder works the same way, frozen (the default) or fine-tuned
    (``geoencode.pretrained("geoclip", trainable=True)``): only ``class_emb`` then trains.
    """

    def __init__(self, encoder: LocationEncoder, num_classes: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.class_emb = nn.Linear(encoder.out_dim, num_classes, bias=False)
        self.num_classes = num_classes

    @property
    def out_dim(self) -> int:
        """Size of :meth:`embed`'s output (the GIS model protocol)."""
        return int(self.encoder.out_dim)

    @property
    def input_dtype(self) -> torch.dtype:
        """The dtype the encoder wants lon/lat in (the GIS model protocol)."""
        return getattr(self.encoder, "input_dtype", torch.float64)

    def embed(self, lonlat: LonLat) -> torch.Tensor:
        """The location embedding ``Enc(x)``, ``(..., out_dim)``."""
        return self.encoder(lonlat)

    #: ``forward`` returns probabilities, not logits (read by the geo-bias losses)
    outputs_probabilities = True

    def forward(self, lonlat: LonLat) -> torch.Tensor:
        """Class presence probabilities ``(..., num_classes)``."""
        return torch.sigmoid(self.class_emb(self.embed(lonlat)))
