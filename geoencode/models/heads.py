"""Prediction heads on top of a location encoder: classification, regression, image + location."""

from __future__ import annotations

import torch
from torch import nn

from .._coords import LonLat
from ..encoder import LocationEncoder
from ..errors import GeoEncodeError


class LocationClassifier(nn.Module):
    """Class logits from location alone: ``Linear(Enc(x))`` (softmax / BCE-with-logits outside).

    Examples
    --------
    >>> import geoencode
    >>> LocationClassifier(geoencode.build("xyz", out_dim=8), num_classes=3)([[0.0, 0.0]]).shape
    torch.Size([1, 3])
    """

    def __init__(self, encoder: LocationEncoder, num_classes: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = nn.Linear(encoder.out_dim, num_classes)
        self.num_classes = num_classes

    def embed(self, lonlat: LonLat) -> torch.Tensor:
        """The location embedding ``Enc(x)``."""
        return self.encoder(lonlat)

    def forward(self, lonlat: LonLat) -> torch.Tensor:
        """Logits ``(..., num_classes)``."""
        return self.head(self.encoder(lonlat))


class LocationRegressor(LocationClassifier):
    """A value (or ``num_outputs`` values) from location alone: ``Linear(Enc(x))``.

    Examples
    --------
    >>> import geoencode
    >>> LocationRegressor(geoencode.build("xyz", out_dim=8))([[0.0, 0.0]]).shape
    torch.Size([1])
    """

    def __init__(self, encoder: LocationEncoder, num_outputs: int = 1) -> None:
        super().__init__(encoder, num_outputs)

    def forward(self, lonlat: LonLat) -> torch.Tensor:
        out = super().forward(lonlat)
        return out.squeeze(-1) if self.num_classes == 1 else out


def _mlp(in_dim: int, hidden_dim: int, out_dim: int, num_layers: int, dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    d = in_dim
    for _ in range(num_layers):
        layers += [nn.Linear(d, hidden_dim), nn.LeakyReLU(), nn.Dropout(dropout)]
        d = hidden_dim
    layers.append(nn.Linear(d, out_dim))
    return nn.Sequential(*layers)


class ImageLocationRegressor(nn.Module):
    """TorchSpatial's geo-aware regression: ``MLP([MLP(image_feats), Enc(x)]) → value``.

    The image branch maps precomputed image features to ``embed_dim``; the location branch is the
    encoder's embedding (projected to ``embed_dim``); their concatenation goes through a second MLP
    to a scalar. Train with MSE.

    Parameters
    ----------
    encoder : LocationEncoder
        Location branch.
    image_dim : int
        Size of the image features (e.g. 2048 for MOSAIKS).
    embed_dim, hidden_dim : int
        Width of each branch's output and of the hidden layers.
    num_layers : int
        Hidden layers in each MLP.
    dropout : float
        Dropout in the MLPs (0.1 as in the reference's MOSAIKS heads).

    Examples
    --------
    >>> import geoencode
    >>> model = ImageLocationRegressor(geoencode.build("xyz", out_dim=8), image_dim=5, embed_dim=4)
    >>> model(torch.zeros(3, 5), [[0.0, 0.0]] * 3).shape
    torch.Size([3])
    """

    def __init__(self, encoder: LocationEncoder, image_dim: int, embed_dim: int = 128, hidden_dim: int = 256,
                 num_layers: int = 2, dropout: float = 0.1) -> None:
        super().__init__()
        if image_dim < 1 or embed_dim < 1:
            raise GeoEncodeError(f"image_dim and embed_dim must be >= 1, got {image_dim!r}, {embed_dim!r}.")
        self.encoder = encoder
        self.image_branch = _mlp(image_dim, hidden_dim, embed_dim, num_layers, dropout)
        self.location_proj = nn.Linear(encoder.out_dim, embed_dim)
        self.regressor = _mlp(2 * embed_dim, hidden_dim, 1, num_layers, dropout)

    def forward(self, image_feats: torch.Tensor, lonlat: LonLat) -> torch.Tensor:
        """Predicted values ``(N,)``."""
        loc = self.location_proj(self.encoder(lonlat))
        img = self.image_branch(image_feats.to(loc.dtype))
        return self.regressor(torch.cat([img, loc], dim=-1)).squeeze(-1)


def geo_aware_scores(image_probs: torch.Tensor, prior_probs: torch.Tensor) -> torch.Tensor:
    """Geo-aware class scores: image-model probabilities ⊙ P(y|x), unnormalised as in the reference.

    Rows whose location is missing (NaN prior) fall back to the image probabilities.

    Examples
    --------
    >>> scores = geo_aware_scores(torch.tensor([[0.6, 0.4]]), torch.tensor([[0.1, 0.9]]))
    >>> torch.allclose(scores, torch.tensor([[0.06, 0.36]]))
    True
    """
    if image_probs.shape != prior_probs.shape:
        raise GeoEncodeError(f"image and prior probabilities differ in shape: {tuple(image_probs.shape)} vs {tuple(prior_probs.shape)}.")
    return torch.where(torch.isnan(prior_probs), image_probs, image_probs * prior_probs)
