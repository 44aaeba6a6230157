"""geoencode's own checkpoint format: ``{"format", "config", "state_dict"}``, safe to load.

Only tensors, numbers, strings, lists and dicts are stored, so :func:`load` uses
``torch.load(..., weights_only=True)`` and never executes code from the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from ._io import atomic_write
from .encoder import LocationEncoder
from .errors import CheckpointError

FORMAT = "geoencode.location_encoder/1"


def atomic_torch_save(obj: Any, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """``torch.save`` to a temporary file beside ``path``, then rename: no half-written files."""
    return atomic_write(path, lambda tmp: torch.save(obj, tmp), overwrite=overwrite)


def save(model: LocationEncoder, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Save a :class:`LocationEncoder` built by :func:`geoencode.build` (atomic write).

    Examples
    --------
    >>> import geoencode, tempfile, os
    >>> enc = geoencode.build("xyz", out_dim=8)
    >>> path = os.path.join(tempfile.mkdtemp(), "enc.pt")
    >>> _ = geoencode.save(enc, path)
    >>> bool(torch.equal(geoencode.load(path).network.layers[0].linear.weight,
    ...                  enc.network.layers[0].linear.weight))
    True
    """
    if not model.config.get("encoder") or "nn" not in model.config:
        raise CheckpointError(
            "only encoders built with geoencode.build() can be saved with their config; for other modules "
            "save model.state_dict() with torch.save."
        )
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    return atomic_torch_save({"format": FORMAT, "config": model.config, "state_dict": state}, path, overwrite)


def load(path: str | os.PathLike, map_location: str | torch.device = "cpu") -> LocationEncoder:
    """Load a file written by :func:`save` (``weights_only=True``: the file cannot run code)."""
    from .registry import build

    try:
        ckpt = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # unpickling refused or file corrupt
        raise CheckpointError(f"cannot load {path} safely: {exc}") from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a geoencode checkpoint (format {FORMAT!r}).")
    cfg = ckpt["config"]
    pe_params = dict(cfg.get("pe_params", {}))
    state = ckpt["state_dict"]
    if "position_encoder.anchors" in state:
        pe_params["anchors"] = state["position_encoder.anchors"]
    if "position_encoder.dirvec" in state:
        pe_params["dirvec"], pe_params["shift"] = state["position_encoder.dirvec"], state["position_encoder.shift"]
    model = build(cfg["encoder"], nn=cfg["nn"], **pe_params, **cfg.get("nn_params", {}))
    model.load_state_dict(state)
    return model.to(map_location)
