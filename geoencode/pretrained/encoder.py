"""The module every pretrained encoder is: a :class:`~geoencode.LocationEncoder` that runs in batches."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from tqdm.auto import tqdm

from .._coords import LonLat, as_lonlat_tensor, bounds_ok, check_lonlat, lonlat_bounds, wrap_longitude
from ..encoder import LocationEncoder
from ..positional.base import PositionEncoder


class PretrainedEncoder(LocationEncoder):
    """A pretrained ``NN(PE)`` with the library's interface, encoding large inputs batch by batch.

    Built by :func:`geoencode.pretrained.pretrained`; it *is* a :class:`~geoencode.LocationEncoder`, so it goes
    wherever one goes (the trainer, :class:`~geoencode.models.LocationPrior`, the GIS accessor),
    frozen (``requires_grad_(False)``) or fine-tuned.

    Parameters
    ----------
    position_encoder, network, config
        As for :class:`~geoencode.LocationEncoder`.
    batch_size : int
        Rows per batch when no gradient is recorded: bounds the activations' memory (GeoCLIP's
        hidden layers are 12 KiB a point) and keeps them in cache.
    progress : bool or None
        tqdm bar over batches: ``None`` (default) shows it from 100,000 rows on; ``False`` never.

    Attributes
    ----------
    out_dim : int
        Embedding size.
    input_dtype : torch.dtype
        The dtype lon/lat should arrive in (float64: the positional features are phases of up to
        thousands of turns, which float32 degrees would blur; float32 on devices without float64).
    """

    _PROGRESS_MIN_ROWS = 100_000

    def __init__(self, position_encoder: PositionEncoder, network: nn.Module, config: dict[str, Any],
                 batch_size: int = 4096, progress: bool | None = None) -> None:
        super().__init__(position_encoder, network, config)
        self.batch_size, self.progress = int(batch_size), progress

    @property
    def input_dtype(self) -> torch.dtype:
        dev = next(self.network.parameters()).device
        return torch.float32 if dev.type == "mps" else torch.float64

    @property
    def dtype(self) -> torch.dtype:
        """The network's dtype (the embeddings' dtype)."""
        return next(self.network.parameters()).dtype

    def embed(self, lonlat: LonLat) -> torch.Tensor:
        """Embeddings ``(..., out_dim)`` of lon/lat degrees ``(..., 2)``, longitude first (the GIS protocol)."""
        return self(lonlat)

    def forward(self, lonlat: LonLat) -> torch.Tensor:
        """Embeddings ``(..., out_dim)`` for lon/lat degrees ``(..., 2)``, longitude first."""
        weight = next(self.network.parameters())
        x = as_lonlat_tensor(lonlat, device=weight.device)
        if x.dtype != self.input_dtype and x.dtype in (torch.float16, torch.bfloat16, torch.float32):
            x = x.to(self.input_dtype)  # exact: widening never changes a coordinate
        pe = self.position_encoder
        flat = x.reshape(-1, 2)
        n = flat.shape[0]
        # Checked and wrapped once for the whole input (errors name the caller's rows), then the
        # position encoder's block kernel and the network run batch by batch.
        bounds = lonlat_bounds(flat) if n else None
        if pe.validate and not bounds_ok(bounds):
            check_lonlat(flat)
        if pe.wrap_longitudes and bounds is not None and not (-180.0 <= bounds[0] and bounds[1] <= 180.0):
            flat = torch.stack([wrap_longitude(flat[:, 0]), flat[:, 1]], dim=-1)
        consts = pe._constants(flat.dtype, flat.device)

        def run(block: torch.Tensor) -> torch.Tensor:
            return self.network(pe._encode_block(block, consts).to(weight.dtype))

        recording = torch.is_grad_enabled() and (x.requires_grad or any(p.requires_grad for p in self.parameters()))
        if n <= self.batch_size or recording:
            return run(flat).reshape(*x.shape[:-1], self.out_dim)
        out = torch.empty((n, self.out_dim), dtype=weight.dtype, device=weight.device)
        show = n >= self._PROGRESS_MIN_ROWS if self.progress is None else bool(self.progress)
        with tqdm(total=n, disable=not show, unit="pt", desc=f"encoding ({self.name})", leave=False) as bar:
            for i in range(0, n, self.batch_size):
                out[i:i + self.batch_size] = run(flat[i:i + self.batch_size])
                bar.update(min(self.batch_size, n - i))
        return out.reshape(*x.shape[:-1], self.out_dim)

    def extra_repr(self) -> str:
        return f"name={self.name!r}, out_dim={self.out_dim}, batch_size={self.batch_size}"
