"""Turning user input into a validated ``(..., 2)`` lon/lat tensor.

Validation lives here, at the boundary, so the encoders' maths can trust its input.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from geocommon.rows import describe_rows

from .errors import GeoEncodeError

LonLat = torch.Tensor | np.ndarray | Any

_FLOAT_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


def as_lonlat_tensor(
    lonlat: LonLat, *, device: torch.device | str | None = None
) -> torch.Tensor:
    """Return ``lonlat`` as a floating tensor of shape ``(..., 2)`` without copying when possible.

    Tensors keep their dtype (integers become the default float dtype) and device; arrays and
    sequences are placed on ``device``. The input is never modified in place.

    Examples
    --------
    >>> as_lonlat_tensor([[2.35, 48.85]]).shape
    torch.Size([1, 2])
    """
    if isinstance(lonlat, torch.Tensor):
        x = lonlat
        if device is not None and x.device != torch.device(device):
            x = x.to(device)
    else:
        arr = np.asarray(lonlat)
        if arr.dtype == object or not (
            np.issubdtype(arr.dtype, np.number) or arr.dtype == bool
        ):
            raise GeoEncodeError(
                f"lon/lat must be numeric, got an array of dtype {arr.dtype}; "
                "pass an (N, 2) array of degrees, longitude first."
            )
        x = torch.as_tensor(arr, device=device)
    if x.dtype not in _FLOAT_DTYPES:
        if x.is_complex():
            raise GeoEncodeError("lon/lat must be real numbers, got a complex tensor.")
        x = x.to(torch.get_default_dtype())
    if x.ndim == 0 or x.shape[-1] != 2:
        raise GeoEncodeError(
            f"lon/lat must have shape (..., 2) with longitude first, got shape {tuple(x.shape)}."
        )
    return x


def _bad_rows(mask: torch.Tensor) -> list[int]:
    """Flat row numbers (over the leading dimensions) where ``mask`` has a true coordinate."""
    return torch.nonzero(mask.reshape(-1, mask.shape[-1]).any(-1)).reshape(-1).tolist()


def lonlat_bounds(x: torch.Tensor) -> tuple[float, float, float, float] | None:
    """``(lon_min, lon_max, lat_min, lat_max)`` over a ``(..., 2)`` tensor; ``None`` when empty.

    One reduction pass per column and a single host sync. ``aminmax`` propagates NaN, and an
    Inf shows up as an infinite bound, so finite bounds prove every coordinate finite.
    """
    flat = x.detach().reshape(-1, 2)
    if flat.shape[0] == 0:
        return None
    lon, lat = torch.aminmax(flat[:, 0]), torch.aminmax(flat[:, 1])
    lon_min, lon_max, lat_min, lat_max = torch.stack([lon.min, lon.max, lat.min, lat.max]).tolist()
    return lon_min, lon_max, lat_min, lat_max


def bounds_ok(bounds: tuple[float, float, float, float] | None) -> bool:
    """Whether :func:`lonlat_bounds` proves the input valid (all finite, ``|lat| <= 90``)."""
    if bounds is None:
        return True
    return all(math.isfinite(b) for b in bounds) and -90.0 <= bounds[2] and bounds[3] <= 90.0


def check_lonlat(x: torch.Tensor) -> None:
    """Raise :class:`GeoEncodeError` for NaN/Inf coordinates or latitudes beyond ±90°.

    Rows are counted over the flattened leading dimensions; the message names the first few.

    Examples
    --------
    >>> check_lonlat(torch.tensor([[0.0, 95.0]]))
    Traceback (most recent call last):
    ...
    geoencode.errors.GeoEncodeError: latitude outside [-90, 90] in rows [0] (1 row in all) ...
    """
    # Fast path: the column bounds decide validity in one pass; only on failure do we spend the
    # extra passes that locate the offending rows for the message.
    if bounds_ok(lonlat_bounds(x)):
        return
    flat = x.detach().reshape(-1, 2)
    bad = ~torch.isfinite(flat)
    if bool(bad.any()):
        raise GeoEncodeError(
            f"non-finite lon/lat (NaN or Inf) in {describe_rows(_bad_rows(bad), limit=5)}; "
            "drop or fill those rows before encoding."
        )
    lat = flat[:, 1]
    out = lat.abs() > 90
    if bool(out.any()):
        rows = _bad_rows(out[:, None])
        raise GeoEncodeError(
            f"latitude outside [-90, 90] in {describe_rows(rows, limit=5)} "
            f"e.g. {flat[rows[0]].tolist()}; input must be (lon, lat) in degrees — "
            "are lon and lat swapped, or is the data in a projected CRS?"
        )


def wrap_longitude(lon: torch.Tensor) -> torch.Tensor:
    """Map longitudes outside [-180, 180] into [-180, 180); values inside are returned unchanged.

    Leaving in-range values untouched keeps them bit-exact (``(lon + 180) % 360 - 180`` would
    round them), which matters for reproducing reference outputs.

    Examples
    --------
    >>> wrap_longitude(torch.tensor([190.0, -190.0, 180.0, 12.5])).tolist()
    [-170.0, 170.0, 180.0, 12.5]
    """
    outside = (lon > 180) | (lon < -180)
    return torch.where(outside, torch.remainder(lon + 180, 360) - 180, lon)
