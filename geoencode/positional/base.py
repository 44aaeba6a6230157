"""The base class every position encoder derives from."""

from __future__ import annotations

import torch
from torch import nn

from .._coords import LonLat, as_lonlat_tensor, check_lonlat, wrap_longitude


class PositionEncoder(nn.Module):
    """A parameter-free (or table-based) map from lon/lat degrees to features, ``PE(x)``.

    Subclasses implement :meth:`encode` on longitude/latitude tensors in degrees and set
    ``out_dim``. :meth:`forward` handles what every encoder shares: accepting arrays or tensors of
    shape ``(..., 2)`` (longitude first), checking them, wrapping longitudes beyond ±180°, and
    returning ``(..., out_dim)`` in the input's floating dtype on the encoder's device.

    Attributes
    ----------
    out_dim : int
        Length of the feature vector.
    periodic : bool
        Whether ``lon`` and ``lon ± 360`` give the same code by construction of the formula (before
        the wrapping that :meth:`forward` applies anyway).
    validate : bool
        Check for NaN/Inf and ``|lat| > 90`` on every call (one extra pass over the input).
    """

    out_dim: int
    periodic: bool = True
    spherical: bool = True

    def __init__(self) -> None:
        super().__init__()
        self.validate = True
        self.wrap_longitudes = True
        # The two precision knobs exist for quirk-exact reproduction of the reference
        # (geoencode.compat.torchspatial): it rounds inputs to float32, computes in float64 and
        # returns float32.
        self.input_dtype: torch.dtype | None = None
        self.compute_dtype: torch.dtype | None = None

    def _device(self) -> torch.device | None:
        for t in self.buffers():
            return t.device
        for p in self.parameters():
            return p.device
        return None

    def forward(self, lonlat: LonLat) -> torch.Tensor:
        """Encode lon/lat degrees of shape ``(..., 2)`` into features ``(..., out_dim)``."""
        x = as_lonlat_tensor(lonlat, device=self._device())
        if self.input_dtype is not None:
            x = x.to(self.input_dtype)
        out_dtype = x.dtype
        if self.validate:
            check_lonlat(x)
        if self.compute_dtype is not None:
            x = x.to(self.compute_dtype)
        elif x.dtype in (torch.float16, torch.bfloat16):
            x = x.float()  # half precision cannot hold degrees × frequency phases
        lon, lat = x[..., 0], x[..., 1]
        if self.wrap_longitudes:
            lon = wrap_longitude(lon)
        return self.encode(lon, lat).to(out_dtype)

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:  # pragma: no cover
        """Features for longitude/latitude tensors in degrees (same shape), ``(..., out_dim)``."""
        raise NotImplementedError

    def extra_repr(self) -> str:
        return f"out_dim={self.out_dim}"


def stack_last(parts: list[torch.Tensor]) -> torch.Tensor:
    """Interleave same-shape feature blocks ``(..., F)`` into ``(..., F·len(parts))``, k-major.

    ``out[..., k*P + p] = parts[p][..., k]`` — the "frequency-major" order of the reference.
    """
    return torch.stack(parts, dim=-1).flatten(-2)
