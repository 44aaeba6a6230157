"""GeoCLIP's location encoder (Vivanco Cepeda et al., NeurIPS 2023), re-implemented for its released weights.

``Enc(x) = Σ_i head_i(MLP_i(RFF_i(EqualEarth(x))))`` over three random-Fourier-feature branches
(σ = 2⁰, 2⁴, 2⁸, each ``b`` of shape (256, 2) stored in the weights file), each an MLP
512→1024→1024→1024 with ReLU and a 1024→512 head; the three 512-d outputs are summed.

Differences from the ``geoclip`` package's module, none of which changes the function: lon/lat
(longitude first) instead of (lat, lon); the projection and the Fourier phases in float64, reduced
to the fraction of a turn before the sine (the σ = 2⁸ branch reaches thousands of turns, where
float32 phases are off by 10⁻³ rad); longitudes beyond ±180° wrapped; batches.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import torch
from torch import nn

from ..errors import CheckpointError
from ..positional.base import PositionEncoder

SIGMAS = (2.0**0, 2.0**4, 2.0**8)
FEATURES_PER_BRANCH = 256  # rows of each b: cos and sin give 512 features

# Equal Earth (Šavrič, Patterson & Jenny 2018) polynomial coefficients and GeoCLIP's scale factor.
_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_SF = 66.50336


def equal_earth(lon: torch.Tensor, lat: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """GeoCLIP's scaled Equal Earth coordinates ``(x, y)`` of lon/lat degrees (``SF/180`` units).

    Examples
    --------
    >>> x, y = equal_earth(torch.tensor([0.0, 180.0]), torch.tensor([0.0, 0.0]))
    >>> round(x[1].item(), 4), y[0].item()
    (1.0, 0.0)
    """
    theta = torch.asin(torch.sin(torch.deg2rad(lat)) * (math.sqrt(3.0) / 2.0))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    denom = 3.0 * (9.0 * _A4 * t6 * t2 + 7.0 * _A3 * t6 + 3.0 * _A2 * t2 + _A1)
    x = (2.0 * math.sqrt(3.0)) * torch.deg2rad(lon) * torch.cos(theta) / denom
    y = theta * (_A4 * t6 * t2 + _A3 * t6 + _A2 * t2 + _A1)
    return x * (_SF / 180.0), y * (_SF / 180.0)


class GeoCLIPFeatures(PositionEncoder):
    """GeoCLIP's positional part: Equal Earth, then three RFF branches ``[cos 2πbv, sin 2πbv]``.

    Output ``(..., 1536)``: branch by branch, each 256 cosines then 256 sines.

    Parameters
    ----------
    b : torch.Tensor
        The branches' Fourier directions, shape ``(3, 256, 2)`` (from the weights file).

    Examples
    --------
    >>> pe = GeoCLIPFeatures(torch.zeros(3, 256, 2))
    >>> pe([[10.0, 20.0]])[0, :2].tolist(), pe.out_dim
    ([1.0, 1.0], 1536)
    """

    def __init__(self, b: torch.Tensor) -> None:
        super().__init__()
        b = torch.as_tensor(b)
        if b.ndim != 3 or b.shape[-1] != 2:
            raise CheckpointError(f"GeoCLIP Fourier directions must have shape (branches, k, 2), got {tuple(b.shape)}.")
        self.register_buffer("b", b.detach().clone())
        self.out_dim = 2 * b.shape[0] * b.shape[1]

    _block_elements = 1 << 21
    #: dtype the sines are evaluated and returned in (``None``: the input's). The phases are reduced
    #: to a fraction of a turn in the input's dtype first, so float32 sines lose nothing that
    #: matters and cost a quarter of float64 ones.
    feature_dtype: torch.dtype | None = torch.float32

    def _constants(self, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
        # One (2, branches·k) projection so all phases come from one small matmul.
        return self.b.to(device=device, dtype=dtype).reshape(-1, 2).T.contiguous()

    _rows_per_pass = 256  # float64 phase temporaries of 1.5 MB stay in cache

    def _encode_block(self, x: torch.Tensor, proj: torch.Tensor) -> torch.Tensor:
        ex, ey = equal_earth(x[..., 0].reshape(-1), x[..., 1].reshape(-1))
        branches, k = self.b.shape[0], self.b.shape[1]
        dtype = self.feature_dtype or x.dtype
        if torch.is_grad_enabled() and x.requires_grad:
            turns = ex.unsqueeze(-1) * proj[0] + ey.unsqueeze(-1) * proj[1]  # phases / 2π
            angle = ((turns - torch.round(turns)) * (2.0 * math.pi)).to(dtype).reshape(-1, branches, 1, k)
            out = torch.cat([torch.cos(angle), torch.sin(angle)], dim=2)
            return out.reshape(*x.shape[:-1], self.out_dim)
        n = ex.shape[0]
        out = torch.empty((n, branches, 2, k), dtype=dtype, device=x.device)
        step = self._rows_per_pass if x.device.type == "cpu" else max(n, 1)
        for i in range(0, n, step):
            turns = ex[i:i + step].unsqueeze(-1) * proj[0]
            turns.addcmul_(ey[i:i + step].unsqueeze(-1), proj[1])
            turns.sub_(torch.round(turns)).mul_(2.0 * math.pi)
            angle = turns.to(dtype).reshape(-1, branches, 1, k)
            torch.cos(angle, out=out[i:i + step, :, :1])
            torch.sin(angle, out=out[i:i + step, :, 1:])
        return out.reshape(*x.shape[:-1], self.out_dim)


class _Branch(nn.Module):
    def __init__(self, in_dim: int, hidden_dim: int, out_dim: int, num_layers: int) -> None:
        super().__init__()
        self.hidden = nn.ModuleList(
            [nn.Linear(in_dim if i == 0 else hidden_dim, hidden_dim) for i in range(num_layers)])
        self.head = nn.Linear(hidden_dim, out_dim)


class GeoCLIPNetwork(nn.Module):
    """The branches' MLPs (ReLU) and heads, summed: ``(..., branches·512) → (..., 512)``.

    Parameters
    ----------
    branches : int
        Number of RFF branches (3).
    branch_in : int
        Features per branch (512).
    hidden_dim, out_dim, num_layers : int
        MLP width (1024), embedding size (512), hidden layers per branch (3).

    Examples
    --------
    >>> net = GeoCLIPNetwork(branches=2, branch_in=4, hidden_dim=8, out_dim=3, num_layers=1)
    >>> net(torch.zeros(5, 8)).shape
    torch.Size([5, 3])
    """

    def __init__(self, branches: int = 3, branch_in: int = 512, hidden_dim: int = 1024, out_dim: int = 512,
                 num_layers: int = 3) -> None:
        super().__init__()
        self.branches = nn.ModuleList([_Branch(branch_in, hidden_dim, out_dim, num_layers) for _ in range(branches)])
        self.branch_in, self.in_dim, self.out_dim = branch_in, branches * branch_in, out_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = None
        in_place = not torch.is_grad_enabled()
        for i, branch in enumerate(self.branches):
            h = x[..., i * self.branch_in:(i + 1) * self.branch_in]
            for layer in branch.hidden:
                h = nn.functional.linear(h, layer.weight, layer.bias)
                h = h.relu_() if in_place else h.relu()
            y = nn.functional.linear(h, branch.head.weight, branch.head.bias)
            out = y if out is None else (out.add_(y) if in_place else out + y)
        return out


def convert_state_dict(state: Mapping[str, torch.Tensor]) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """GeoCLIP's ``location_encoder_weights.pth`` keys → ``(b (3, 256, 2), network state_dict)``.

    ``LocEnc{i}.capsule.0.b`` are the Fourier directions; ``capsule.{1,3,5}`` the hidden layers and
    ``head.0`` the head of branch ``i``. Raises :class:`~geoencode.CheckpointError` naming what is
    missing or misshaped.
    """
    branches = sorted({int(k[len("LocEnc"):].split(".")[0]) for k in state if k.startswith("LocEnc")})
    if branches != list(range(len(SIGMAS))):
        raise CheckpointError(
            f"not a GeoCLIP location-encoder file: expected branches LocEnc0..LocEnc{len(SIGMAS) - 1}, found "
            f"{['LocEnc%d' % i for i in branches] or 'none'}.")
    net: dict[str, torch.Tensor] = {}
    bs = []
    try:
        for i in branches:
            p = f"LocEnc{i}."
            bs.append(state[p + "capsule.0.b"])
            for j, idx in enumerate((1, 3, 5)):
                for t in ("weight", "bias"):
                    net[f"branches.{i}.hidden.{j}.{t}"] = state[f"{p}capsule.{idx}.{t}"]
            for t in ("weight", "bias"):
                net[f"branches.{i}.head.{t}"] = state[f"{p}head.0.{t}"]
    except KeyError as exc:
        raise CheckpointError(f"GeoCLIP weights file lacks tensor {exc.args[0]!r}; the file is not geoclip 1.x's.") from None
    extra = sorted(set(state) - {k for i in branches for k in _geoclip_keys(i)})
    if extra:
        raise CheckpointError(f"GeoCLIP weights file has unexpected tensors {extra[:5]}; the file is not geoclip 1.x's.")
    shapes = {tuple(b.shape) for b in bs}
    if shapes != {(FEATURES_PER_BRANCH, 2)}:
        raise CheckpointError(f"GeoCLIP Fourier directions must be (256, 2), got {sorted(shapes)}.")
    return torch.stack(bs), net


def _geoclip_keys(i: int) -> list[str]:
    p = f"LocEnc{i}."
    return [p + "capsule.0.b", *(f"{p}capsule.{j}.{t}" for j in (1, 3, 5) for t in ("weight", "bias")),
            p + "head.0.weight", p + "head.0.bias"]


def build_geoclip(state: Mapping[str, torch.Tensor], dtype: torch.dtype = torch.float32
                  ) -> tuple[GeoCLIPFeatures, GeoCLIPNetwork]:
    """The position encoder and network (in ``dtype``) of GeoCLIP, loaded from its state dict (shapes checked)."""
    b, net_state = convert_state_dict(state)
    hidden_dim, branch_in = net_state["branches.0.hidden.0.weight"].shape
    out_dim = net_state["branches.0.head.weight"].shape[0]
    pe = GeoCLIPFeatures(b.float())
    net = GeoCLIPNetwork(len(b), branch_in, hidden_dim, out_dim, num_layers=3).to(dtype)
    if branch_in != 2 * b.shape[1]:
        raise CheckpointError(f"GeoCLIP first layers take {branch_in} features, but b gives {2 * b.shape[1]}.")
    try:
        net.load_state_dict(net_state)
    except RuntimeError as exc:
        raise CheckpointError(f"GeoCLIP weights do not fit the architecture: {exc}") from None
    return pe, net
