"""The networks ``NN`` that turn position features into a location embedding.

``ffn`` reproduces TorchSpatial's ``MultiLayerFeedForwardNN`` layer for layer (its parameter names
match the released checkpoints), ``fcnet`` is Mac Aodha et al.'s residual network, ``siren`` the
sine-activated network of Sitzmann et al. (2020) used after spherical harmonics by Rußwurm et al.
(2024), and ``linear`` a single affine map.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from .errors import GeoEncodeError

ACTIVATIONS: dict[str, Callable[[], nn.Module]] = {
    "relu": nn.ReLU,
    "leakyrelu": lambda: nn.LeakyReLU(negative_slope=0.2),
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
}


def _check_common(in_dim: int, out_dim: int, num_layers: int, hidden_dim: int, dropout: float) -> None:
    for name, v, lo in (("in_dim", in_dim, 1), ("out_dim", out_dim, 1), ("hidden_dim", hidden_dim, 1),
                        ("num_layers", num_layers, 0)):
        if not isinstance(v, int) or isinstance(v, bool) or v < lo:
            raise GeoEncodeError(f"{name} must be an integer >= {lo}, got {v!r}.")
    if not 0.0 <= dropout < 1.0:
        raise GeoEncodeError(f"dropout must be in [0, 1), got {dropout!r}.")


def _activation(name: str) -> nn.Module:
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        raise GeoEncodeError(
            f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}."
        ) from None


class Dropout(nn.Dropout):
    """:class:`torch.nn.Dropout` with its CPU mask drawn by ``torch.rand`` (the same distribution).

    PyTorch's CPU ``bernoulli_`` costs about 2.4× a uniform draw and a comparison, which made the
    dropout masks the largest item of an FCNet training step on a CPU; other devices keep the fused
    kernel.

    Examples
    --------
    >>> d = Dropout(0.5).train()
    >>> y = d(torch.ones(10_000))
    >>> sorted(set(y.tolist())), abs(float((y > 0).double().mean()) - 0.5) < 0.03
    ([0.0, 2.0], True)
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or not 0 < self.p < 1 or x.device.type != "cpu" or self.inplace:
            return super().forward(x)
        return x * ((torch.rand_like(x) >= self.p).to(x.dtype) * (1.0 / (1.0 - self.p)))


class FeedForwardLayer(nn.Module):
    """``Linear → activation → Dropout → (+ input if skip and shapes match) → (LayerNorm)``.

    TorchSpatial's ``SingleFeedForwardNN``; attribute names match its checkpoints.
    """

    def __init__(self, in_dim: int, out_dim: int, activation: str, dropout: float,
                 layernorm: bool, skip_connection: bool) -> None:
        super().__init__()
        self.linear = nn.Linear(in_dim, out_dim)
        nn.init.xavier_uniform_(self.linear.weight)
        self.act = _activation(activation)
        self.dropout = Dropout(dropout)
        self.skip = skip_connection and in_dim == out_dim
        self.layernorm = nn.LayerNorm(out_dim) if layernorm else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.dropout(self.act(self.linear(x)))
        if self.skip:
            y = y + x
        return self.layernorm(y) if self.layernorm is not None else y


class FFN(nn.Module):
    """TorchSpatial's ``MultiLayerFeedForwardNN``, exactly.

    ``num_layers = 0``: one layer ``in → out`` (no LayerNorm, no skip). ``num_layers = H ≥ 1``:
    ``in → hidden`` and ``H − 1`` times ``hidden → hidden`` (LayerNorm, skip), then
    ``hidden → out``, whose activation **and dropout are applied** as in the reference (B12).

    Parameters
    ----------
    in_dim, out_dim : int
        Input (position-feature) and output (embedding) sizes.
    num_layers : int
        Number of hidden layers ``H``.
    hidden_dim : int
        Width of the hidden layers.
    activation : {"relu", "leakyrelu", "sigmoid", "tanh", "gelu"}
        ``leakyrelu`` has negative slope 0.2 as in the reference.
    dropout : float
        Dropout probability after every activation.
    layernorm, skip_connection : bool
        LayerNorm and residual connection on hidden layers.

    Examples
    --------
    >>> net = FFN(in_dim=4, out_dim=8, num_layers=1, hidden_dim=16)
    >>> net(torch.zeros(3, 4)).shape
    torch.Size([3, 8])
    """

    def __init__(self, in_dim: int, out_dim: int = 256, num_layers: int = 1, hidden_dim: int = 512,
                 activation: str = "relu", dropout: float = 0.5, layernorm: bool = True,
                 skip_connection: bool = True) -> None:
        super().__init__()
        _check_common(in_dim, out_dim, num_layers, hidden_dim, dropout)
        dims = [in_dim] + [hidden_dim] * num_layers + [out_dim]
        last = len(dims) - 2
        self.layers = nn.ModuleList(
            FeedForwardLayer(dims[i], dims[i + 1], activation, dropout,
                             layernorm=layernorm and i < last, skip_connection=skip_connection and i < last)
            for i in range(len(dims) - 1)
        )
        self.in_dim, self.out_dim = in_dim, out_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        return x


class ResLayer(nn.Module):
    """``x + ReLU(w2(Dropout(ReLU(w1 x))))`` — the residual block of Mac Aodha et al. (2019)."""

    def __init__(self, dim: int, dropout: float) -> None:
        super().__init__()
        self.w1, self.w2 = nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.dropout = Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + torch.relu(self.w2(self.dropout(torch.relu(self.w1(x)))))


class FCNet(nn.Module):
    """Mac Aodha et al.'s residual network: ``Linear(in, d) → ReLU → ResLayer × n`` (width ``out_dim``).

    Parameters
    ----------
    in_dim, out_dim : int
        Input size and the network's width (= embedding size).
    num_layers : int
        Number of residual blocks (4 in the paper).
    dropout : float
        Dropout inside each residual block.

    Examples
    --------
    >>> FCNet(in_dim=4, out_dim=32)(torch.zeros(2, 4)).shape
    torch.Size([2, 32])
    """

    def __init__(self, in_dim: int, out_dim: int = 256, num_layers: int = 4, dropout: float = 0.5) -> None:
        super().__init__()
        _check_common(in_dim, out_dim, num_layers, out_dim, dropout)
        self.feats = nn.Sequential(nn.Linear(in_dim, out_dim), nn.ReLU(),
                                   *[ResLayer(out_dim, dropout) for _ in range(num_layers)])
        self.in_dim, self.out_dim = in_dim, out_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.feats(x)


class SineLayer(nn.Module):
    """``sin(w0 · (W x + b))`` with SIREN initialisation (Sitzmann et al., 2020)."""

    def __init__(self, in_dim: int, out_dim: int, w0: float, first: bool) -> None:
        super().__init__()
        self.linear = nn.Linear(in_dim, out_dim)
        self.w0 = w0
        # First layer U(−1/in, 1/in); later layers U(−√(6/in)/w0, √(6/in)/w0) keep activations
        # arcsine-distributed through depth.
        bound = 1.0 / in_dim if first else math.sqrt(6.0 / in_dim) / w0
        nn.init.uniform_(self.linear.weight, -bound, bound)
        nn.init.uniform_(self.linear.bias, -bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sin(self.w0 * self.linear(x))


class Siren(nn.Module):
    """A SIREN: ``num_layers`` sine layers of width ``hidden_dim``, then a linear output layer.

    Parameters
    ----------
    in_dim, out_dim : int
        Input and output sizes.
    num_layers : int
        Number of hidden sine layers (≥ 1).
    hidden_dim : int
        Their width.
    w0 : float
        Frequency factor of the hidden layers after the first.
    w0_initial : float
        Frequency factor of the first layer (30 in the SIREN paper; SatCLIP uses w0 = 1, w0_initial = 30).
    dropout : float
        Dropout after each hidden layer (0 by default).

    Examples
    --------
    >>> Siren(in_dim=9, out_dim=4, num_layers=2, hidden_dim=16)(torch.zeros(5, 9)).shape
    torch.Size([5, 4])
    """

    def __init__(self, in_dim: int, out_dim: int = 256, num_layers: int = 2, hidden_dim: int = 256,
                 w0: float = 1.0, w0_initial: float = 30.0, dropout: float = 0.0) -> None:
        super().__init__()
        _check_common(in_dim, out_dim, num_layers, hidden_dim, dropout)
        if num_layers < 1:
            raise GeoEncodeError(f"siren needs num_layers >= 1, got {num_layers!r}.")
        layers: list[nn.Module] = []
        for i in range(num_layers):
            layers.append(SineLayer(in_dim if i == 0 else hidden_dim, hidden_dim,
                                    w0_initial if i == 0 else w0, first=i == 0))
            if dropout:
                layers.append(Dropout(dropout))
        self.layers = nn.Sequential(*layers)
        self.last = nn.Linear(hidden_dim, out_dim)
        bound = math.sqrt(6.0 / hidden_dim) / w0
        nn.init.uniform_(self.last.weight, -bound, bound)
        nn.init.uniform_(self.last.bias, -bound, bound)
        self.in_dim, self.out_dim = in_dim, out_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.last(self.layers(x))


class Linear(nn.Linear):
    """A single affine map ``W x + b`` (a linear probe of the position features).

    Examples
    --------
    >>> Linear(in_dim=3, out_dim=2)(torch.zeros(1, 3)).shape
    torch.Size([1, 2])
    """

    def __init__(self, in_dim: int, out_dim: int = 256, bias: bool = True) -> None:
        _check_common(in_dim, out_dim, 0, 1, 0.0)
        super().__init__(in_dim, out_dim, bias=bias)
        self.in_dim, self.out_dim = in_dim, out_dim


NETWORKS: dict[str, type[nn.Module]] = {"ffn": FFN, "fcnet": FCNet, "siren": Siren, "linear": Linear}
