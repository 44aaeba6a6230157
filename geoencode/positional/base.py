"""The base class every position encoder derives from."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from .._coords import LonLat, as_lonlat_tensor, bounds_ok, check_lonlat, lonlat_bounds, wrap_longitude


def preferred_lonlat_dtype(device: torch.device | str | None = None) -> torch.dtype:
    """The dtype lon/lat should reach an encoder in on ``device``: float64, but float32 on ``mps``.

    Degrees times the highest frequencies need float64's digits; Apple's ``mps`` backend has no
    float64, so there float32 is the best available.

    Examples
    --------
    >>> preferred_lonlat_dtype("cpu"), preferred_lonlat_dtype("mps")
    (torch.float64, torch.float32)
    """
    return torch.float32 if device is not None and torch.device(device).type == "mps" else torch.float64


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
    input_dtype : torch.dtype
        The dtype lon/lat should arrive in (float64; float32 on ``mps``). Setting it makes
        :meth:`forward` round its input to that dtype first; :meth:`embed` and ``input_dtype``
        with ``out_dim`` are the model protocol of :func:`geoencode.gis.encode`.
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
        self._input_cast: torch.dtype | None = None
        self.compute_dtype: torch.dtype | None = None

    @property
    def input_dtype(self) -> torch.dtype:
        """The dtype lon/lat should arrive in: the one set, else :func:`preferred_lonlat_dtype`."""
        return self._input_cast if self._input_cast is not None else preferred_lonlat_dtype(self._device())

    @input_dtype.setter
    def input_dtype(self, dtype: torch.dtype | None) -> None:
        self._input_cast = dtype

    def embed(self, lonlat: LonLat) -> torch.Tensor:
        """The features of lon/lat degrees ``(..., 2)``, ``(..., out_dim)``: the same as calling the encoder.

        Examples
        --------
        >>> from geoencode.positional import NeRF
        >>> pe = NeRF(4)
        >>> pe.embed([[2.35, 48.85]]).shape, pe.input_dtype
        (torch.Size([1, 24]), torch.float64)
        """
        return self(lonlat)

    def _device(self) -> torch.device | None:
        for t in self.buffers():
            return t.device
        for p in self.parameters():
            return p.device
        return None

    # On the CPU, large inputs are encoded in blocks of about this many output elements: each
    # block's temporaries then stay in cache and are recycled by the allocator, instead of every
    # intermediate being a fresh multi-megabyte allocation whose page faults cost more than the
    # arithmetic. Results are identical (every encoder is row-wise); only memory traffic changes.
    _block_elements: int = 1 << 19

    def forward(self, lonlat: LonLat) -> torch.Tensor:
        """Encode lon/lat degrees of shape ``(..., 2)`` into features ``(..., out_dim)``."""
        x = as_lonlat_tensor(lonlat, device=self._device())
        if self._input_cast is not None:
            x = x.to(self._input_cast)
        out_dtype = x.dtype
        # One pass computes the column bounds, which both validate the input and tell whether any
        # longitude needs wrapping (usually none does, so the wrap pass is skipped).
        bounds = lonlat_bounds(x) if (self.validate or self.wrap_longitudes) else None
        if self.validate and not bounds_ok(bounds):
            check_lonlat(x)  # raises with the offending rows
        if self.compute_dtype is not None:
            x = x.to(self.compute_dtype)
        elif x.dtype in (torch.float16, torch.bfloat16):
            x = x.float()  # half precision cannot hold degrees × frequency phases
        if self.wrap_longitudes and bounds is not None and not (-180.0 <= bounds[0] and bounds[1] <= 180.0):
            x = torch.stack([wrap_longitude(x[..., 0]), x[..., 1]], dim=-1)
        consts = self._constants(x.dtype, x.device)
        rows = max(1, self._block_elements // max(1, self.out_dim))
        n = x.numel() // 2
        if x.device.type != "cpu" or n <= rows or self._records_graph(x):
            return self._encode_block(x, consts).to(out_dtype)
        flat = x.reshape(-1, 2)
        out = torch.empty((n, self.out_dim), dtype=out_dtype, device=x.device)
        direct = x.dtype == out_dtype
        for i in range(0, n, rows):
            if direct:
                self._encode_into(flat[i : i + rows], consts, out[i : i + rows])
            else:
                out[i : i + rows] = self._encode_block(flat[i : i + rows], consts)
        return out.reshape(*x.shape[:-1], self.out_dim)

    def _records_graph(self, x: torch.Tensor) -> bool:
        """Whether autograd will record this call (then encode in one piece, no in-place blocks)."""
        return torch.is_grad_enabled() and (x.requires_grad or any(p.requires_grad for p in self.parameters()))

    def encode(self, lon: torch.Tensor, lat: torch.Tensor) -> torch.Tensor:  # pragma: no cover
        """Features for longitude/latitude tensors in degrees (same shape), ``(..., out_dim)``."""
        raise NotImplementedError

    # Fast-path hooks used by forward(). Encoders that work better on the ``(..., 2)`` tensor, or
    # need per-dtype tables, override these; the defaults fall back to :meth:`encode`.
    def _constants(self, dtype: torch.dtype, device: torch.device) -> Any:
        """Tables derived from buffers, cast to the compute dtype once per call (not per block)."""
        return None

    def _encode_block(self, x: torch.Tensor, consts: Any) -> torch.Tensor:
        """Features for lon/lat degrees ``x`` of shape ``(..., 2)``, already validated and wrapped."""
        return self.encode(x[..., 0], x[..., 1])

    def _encode_into(self, x: torch.Tensor, consts: Any, out: torch.Tensor) -> None:
        """Write the features of block ``x`` into ``out`` (contiguous rows of the same dtype).

        Encoders whose last step can write to a given tensor override this to skip the copy.
        """
        out.copy_(self._encode_block(x, consts))

    def extra_repr(self) -> str:
        return f"out_dim={self.out_dim}"


def stack_last(parts: list[torch.Tensor]) -> torch.Tensor:
    """Interleave same-shape feature blocks ``(..., F)`` into ``(..., F·len(parts))``, k-major.

    ``out[..., k*P + p] = parts[p][..., k]`` — the "frequency-major" order of the reference.
    """
    return torch.stack(parts, dim=-1).flatten(-2)
