"""What the GIS layer asks of a model, and how it runs one over many points in batches.

Any model family provides the small :class:`EmbeddingModel` protocol (``embed``, ``out_dim``,
``input_dtype``); :func:`resolve_encoder` reads it, so the GIS layer never switches on model types.
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Protocol, runtime_checkable

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from ..errors import GeoEncodeError
from ..registry import position_encoder

__all__ = ["EmbeddingModel", "EncoderLike", "resolve_encoder"]

_PROGRESS_MIN_ROWS = 100_000
_FLOATS = {torch.float16, torch.bfloat16, torch.float32, torch.float64}


@runtime_checkable
class EmbeddingModel(Protocol):
    """What the GIS layer asks of a model: every model family (position encoders, location
    encoders, priors, pretrained encoders) provides it, so the GIS layer never switches on types.

    Attributes
    ----------
    out_dim : int
        Length of the embedding.
    input_dtype : torch.dtype
        The dtype the model wants lon/lat in (geoencode's own: float64, float32 on ``mps``).

    Examples
    --------
    >>> import geoencode
    >>> isinstance(geoencode.build("xyz", out_dim=4), EmbeddingModel)
    True
    """

    out_dim: int
    input_dtype: torch.dtype

    def embed(self, lonlat: torch.Tensor) -> torch.Tensor:
        """Lon/lat degrees ``(..., 2)``, longitude first → embeddings ``(..., out_dim)``."""
        ...


EncoderLike = str | EmbeddingModel | nn.Module | Callable[[torch.Tensor], torch.Tensor]


def _module_device(m: Any) -> torch.device:
    if isinstance(m, nn.Module):
        for t in m.parameters():
            return t.device
        for t in m.buffers():
            return t.device
    return torch.device("cpu")


def _module_dtype(m: Any) -> torch.dtype:
    if isinstance(m, nn.Module):
        for t in m.parameters():
            if t.is_floating_point():
                return t.dtype
    return torch.float32


def _model_attr(model: Any, name: str, kind: type | tuple[type, ...]) -> Any:
    """``model.<name>`` if it is a ``kind``, else the wrapped ``model.encoder``'s, else None.

    The second look covers wrappers that hold a location encoder as ``encoder`` and do not
    state everything themselves: a :class:`~geoencode.models.LocationPrior` has no ``name``, so
    its columns are named after its encoder.
    """
    for m in (model, getattr(model, "encoder", None)):
        value = getattr(m, name, None)
        if isinstance(value, kind) and not isinstance(value, bool):
            return value
    return None


def resolve_encoder(encoder: EncoderLike, params: dict[str, Any] | None = None,
                    device: torch.device | str | None = None):
    """Turn ``encoder`` into ``(fn, module, out_dim, default_prefix, input_dtype)``.

    ``encoder`` is a registry name (with ``params`` for :func:`geoencode.position_encoder`), a
    model with the :class:`EmbeddingModel` protocol (``embed``, ``out_dim``, ``input_dtype``:
    geoencode's position and location encoders, :class:`~geoencode.models.LocationPrior` …),
    or any :class:`torch.nn.Module` or callable mapping ``(N, 2)`` lon/lat degrees to ``(N, d)``
    (called, and fed the dtype of its parameters). A module on another device than ``device`` is
    copied there; the caller's module is never moved.

    Examples
    --------
    >>> fn, module, d, prefix, dtype = resolve_encoder("sphereC", {"frequency_num": 4})
    >>> d, prefix, dtype
    (12, 'sphereC', torch.float64)
    """
    params = dict(params or {})
    if isinstance(encoder, str):
        module = position_encoder(encoder, **params)
        prefix = encoder
    else:
        if params:
            raise GeoEncodeError(
                f"encoder parameters {sorted(params)} only apply when the encoder is given by name "
                "(e.g. encode('sphereC', frequency_num=32)); a model already has its own."
            )
        if not callable(encoder) and not callable(getattr(encoder, "embed", None)):
            raise GeoEncodeError(
                f"encoder must be a name from geoencode.list_encoders(), a model with an embed method, "
                f"a torch.nn.Module or a callable, got {type(encoder).__name__}."
            )
        module = encoder
        prefix = _model_attr(encoder, "name", str) or type(encoder).__name__
    if device is not None and isinstance(module, nn.Module):
        device = torch.device(device)
        if _module_device(module) != device:
            module = module.to(device) if isinstance(encoder, str) else copy.deepcopy(module).to(device)
    embed = getattr(module, "embed", None)
    fn = embed if callable(embed) else module
    # Read after the move: the preferred input dtype can depend on the device (mps).
    in_dtype = _model_attr(module, "input_dtype", torch.dtype) or _module_dtype(module)
    out_dim = _model_attr(module, "out_dim", (int, np.integer))
    return fn, module, None if out_dim is None else int(out_dim), prefix, in_dtype


def _as_torch_dtype(dtype: Any) -> torch.dtype:
    if isinstance(dtype, torch.dtype):
        t = dtype
    else:
        try:
            t = getattr(torch, np.dtype(dtype).name)
        except (TypeError, AttributeError):
            t = None
    if t not in _FLOATS:
        raise GeoEncodeError(f"dtype must be a floating type (e.g. torch.float32, 'float64'), got {dtype!r}.")
    return t


def _run(fn, module, pts: np.ndarray, *, in_dtype, out_dim, dtype, batch_size, pool, progress, prefix):
    """Encode ``pts`` ((n, 2) or (n, S, 2)) in batches; returns a CPU-or-device tensor (n, d)."""
    dev = _module_device(module)
    n = pts.shape[0]
    per_row = pts.shape[1] if pts.ndim == 3 else 1
    rows = max(1, batch_size // per_row)
    show = (n * per_row >= _PROGRESS_MIN_ROWS) if progress is None else bool(progress)
    out = None
    was_training = module.training if isinstance(module, nn.Module) else None
    if isinstance(module, nn.Module):
        module.eval()
    try:
        with torch.inference_mode(), tqdm(total=n, disable=not show, unit="row", desc=f"encoding ({prefix})",
                                           leave=False) as bar:
            for start in range(0, n, rows):
                chunk = pts[start:start + rows]
                x = torch.as_tensor(chunk.reshape(-1, 2), dtype=in_dtype, device=dev)
                y = fn(x)
                if not isinstance(y, torch.Tensor) or y.ndim != 2 or y.shape[0] != x.shape[0]:
                    raise GeoEncodeError(
                        f"the encoder must map (N, 2) lon/lat to an (N, d) tensor; for input {tuple(x.shape)} "
                        f"it returned {getattr(y, 'shape', type(y).__name__)}."
                    )
                if per_row > 1 or pts.ndim == 3:
                    y = y.reshape(len(chunk), per_row, -1)
                    y = y.mean(dim=1) if pool == "mean" else y.amax(dim=1)
                if out is None:
                    out = torch.empty((n, y.shape[-1]), dtype=dtype, device=dev)
                out[start:start + len(chunk)] = y.to(dtype)
                bar.update(len(chunk))
    finally:
        if was_training:
            module.train(True)
    if out is None:
        d = out_dim if out_dim is not None else _probe_dim(fn, in_dtype, dev)
        out = torch.empty((0, d), dtype=dtype, device=dev)
    return out


def _probe_dim(fn, in_dtype, dev) -> int:
    with torch.inference_mode():
        return int(fn(torch.zeros((1, 2), dtype=in_dtype, device=dev)).shape[-1])

