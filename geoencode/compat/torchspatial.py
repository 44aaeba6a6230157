"""Quirk-exact reproduction of TorchSpatial's position encoders and released checkpoints.

Everything here follows the reference implementation (``torchspatial==0.0.0.1``), including the
behaviour :mod:`geoencode.positional` fixes by default: one global tile cell (B2), NeRF always 16
octaves (B3), spherical harmonics with θ = lat + 90° and the m = 0 terms × π (B4), the legacy
frequency list of sphereM+/dfs (B1), Euclidean-degree rbf (B7), rff variance semantics (B8). Inputs
are rounded to float32 and the features computed in float64, then returned as float32, as the
reference does with numpy.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from ..encoder import LocationEncoder
from ..errors import CheckpointError, GeoEncodeError
from ..models.prior import LocationPrior
from ..networks import FCNet, FFN
from ..positional import (
    DFS, RBF, RFF, XYZ, NeRF, PositionEncoder, SphereC, SphereCPlus, SphereM, SphereMPlus,
    SphericalHarmonics, Space2VecGrid, Space2VecTheory, Tile, Wrap,
)

SPA_ENC_TYPES = (
    "tile_ffn", "wrap", "wrap_ffn", "rbf", "rff", "Space2Vec-grid", "Space2Vec-theory", "xyz", "NeRF",
    "Sphere2Vec-sphereC", "Sphere2Vec-sphereC+", "Sphere2Vec-sphereM", "Sphere2Vec-sphereM+",
    "Sphere2Vec-dfs", "spherical_harmonics",
)
_US_BOX = (-162.0, -59.0, 20.0, 56.0)  # the reference's default map_range (B10)
# Parameters of the reference that shape a position encoder; any other key is a typo.
_PE_PARAMS = {
    "frequency_num", "min_radius", "max_radius", "freq_init", "rbf_kernel_size", "num_rbf_anchor_pts",
    "anchors", "dirvec", "shift", "map_range", "extent", "legendre_poly_num", "spa_embed_dim", "num_filts",
}


def _multi_scale(cls: type[PositionEncoder], p: Mapping[str, Any], **extra: Any) -> PositionEncoder:
    if p.get("freq_init", "geometric") != "geometric":
        raise GeoEncodeError(f"only freq_init='geometric' (used by every paper run) is supported, got {p['freq_init']!r}.")
    return cls(frequency_num=int(p.get("frequency_num", 16)), min_radius=float(p.get("min_radius", 1e-6)),
               max_radius=float(p.get("max_radius", 1.0)), **extra)


def _build_reference_pe(spa_enc_type: str, p: Mapping[str, Any]) -> PositionEncoder:
    t = spa_enc_type
    if t == "tile_ffn":
        # interval never reaches the lookup table: its default 1e6 makes one cell (B2).
        return Tile(interval=1e6, extent=tuple(p.get("map_range", _US_BOX)),
                    embed_dim=int(p.get("spa_embed_dim", p.get("num_filts", 256))))
    if t in ("wrap", "wrap_ffn"):
        return Wrap()
    if t == "rbf":
        if p.get("anchors") is None:
            raise GeoEncodeError("rbf needs its anchor coordinates: pass anchors=(M, 2) lon/lat degrees.")
        return RBF(anchors=p["anchors"], kernel_size=float(p.get("rbf_kernel_size", 2.0)), distance="euclidean")
    if t == "rff":
        k = float(p.get("rbf_kernel_size", 1.0))  # a variance of W (B8): σ = k^(−1/2)
        return RFF(frequency_num=int(p.get("frequency_num", 16)), kernel_size=k**-0.5,
                   extent=tuple(p.get("extent", p.get("map_range", _US_BOX))),
                   dirvec=p.get("dirvec"), shift=p.get("shift"))
    if t == "Space2Vec-grid":
        return _multi_scale(Space2VecGrid, p)
    if t == "Space2Vec-theory":
        return _multi_scale(Space2VecTheory, p)
    if t == "xyz":
        return XYZ()
    if t == "NeRF":
        return NeRF(frequency_num=16)  # frequency_num is never forwarded (B3)
    if t == "Sphere2Vec-sphereC":
        return _multi_scale(SphereC, p)
    if t == "Sphere2Vec-sphereC+":
        return _multi_scale(SphereCPlus, p)
    if t == "Sphere2Vec-sphereM":
        return _multi_scale(SphereM, p)
    if t in ("Sphere2Vec-sphereM+", "Sphere2Vec-dfs"):
        cls = SphereMPlus if t == "Sphere2Vec-sphereM+" else DFS
        # The legacy list ignores min_radius (B1); any positive value below r_max passes validation.
        r_max = float(p.get("max_radius", 1.0))
        return cls(frequency_num=int(p.get("frequency_num", 16)), min_radius=min(float(p.get("min_radius", 1e-6)), r_max / 2),
                   max_radius=r_max, frequencies="legacy")
    if t == "spherical_harmonics":
        return SphericalHarmonics(legendre_poly_num=int(p.get("legendre_poly_num", 8)), convention="torchspatial")
    raise GeoEncodeError(f"unknown spa_enc_type {spa_enc_type!r}; TorchSpatial's are: {', '.join(SPA_ENC_TYPES)}.")


def position_encoder(spa_enc_type: str, **params: Any) -> PositionEncoder:
    """The reference position encoder ``spa_enc_type``, from TorchSpatial's parameter names.

    Parameters
    ----------
    spa_enc_type : str
        TorchSpatial's name, e.g. ``"Sphere2Vec-sphereC"``, ``"rbf"``, ``"spherical_harmonics"``.
    **params
        ``frequency_num``, ``min_radius``, ``max_radius``, ``freq_init``, ``rbf_kernel_size``,
        ``map_range`` (or ``extent``), ``legendre_poly_num``, ``spa_embed_dim``; rbf ``anchors``
        (M, 2) lon/lat degrees; rff ``dirvec`` (2, F) and ``shift`` (F). Parameters the reference
        ignores for an encoder are ignored here too (e.g. ``frequency_num`` for NeRF).

    Returns
    -------
    PositionEncoder
        Float32 output computed in float64, exactly as the reference.

    Examples
    --------
    >>> pe = position_encoder("Sphere2Vec-sphereM+", frequency_num=4, min_radius=0.01, max_radius=1.0)
    >>> int(torch.unique(pe([[10.0, 20.0]])).numel())  # B1: one scale, 6 distinct values
    6
    """
    unknown = sorted(set(params) - _PE_PARAMS)
    if unknown:
        raise GeoEncodeError(f"unknown TorchSpatial parameter(s) {unknown}; known: {sorted(_PE_PARAMS)}.")
    pe = _build_reference_pe(spa_enc_type, params)
    # The reference's numpy encoders compute in float64, but wrap's sinusoids and rff's projection
    # run in float32; matching that matters once a trained network amplifies the last bits.
    pe.input_dtype, pe.wrap_longitudes = torch.float32, False
    pe.compute_dtype = torch.float32 if spa_enc_type in ("wrap", "wrap_ffn") else torch.float64
    if isinstance(pe, RFF):
        pe.projection_dtype = torch.float32
    return pe


def _numpy_allowlist() -> list[Any]:
    """numpy types the reference's ``params`` dict may pickle (arrays, dtypes, scalars) — data only."""
    allowed: list[Any] = [np.ndarray, np.dtype]
    core = getattr(np, "_core", None) or np.core
    for name in ("_reconstruct", "scalar"):
        fn = getattr(core.multiarray, name, None)
        if fn is not None:
            allowed.append(fn)
    allowed += [getattr(np.dtypes, n) for n in dir(np.dtypes) if n.endswith("DType")]
    allowed += [np.float64, np.float32, np.int64, np.int32, np.bool_]
    return allowed


def _safe_load(path: str | os.PathLike, map_location: Any) -> dict[str, Any]:
    try:
        with torch.serialization.safe_globals(_numpy_allowlist()):
            ckpt = torch.load(path, map_location=map_location, weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise CheckpointError(
            f"refusing to load {os.fspath(path)!r}: it contains objects outside the allow-list of plain "
            f"tensors and numpy data ({str(exc).splitlines()[0]}). Only load files you trust with "
            "torch.load(weights_only=False)."
        ) from None
    if not isinstance(ckpt, dict) or "state_dict" not in ckpt or "params" not in ckpt:
        raise CheckpointError(f"{os.fspath(path)!r} is not a TorchSpatial checkpoint (needs 'state_dict' and 'params').")
    return ckpt


def _map_key(key: str) -> str | None:
    if key.startswith("user_emb."):
        return None  # unused by every released model (num_users = 1)
    for old, new in (("spa_enc.ffn.", "encoder.network."), ("spa_enc.position_encoder.", "encoder.position_encoder."),
                     ("feats.", "encoder.network.feats.")):
        if key.startswith(old):
            return new + key[len(old):]
    return key


def build_from_params(params: Mapping[str, Any], anchors: Any = None) -> LocationPrior:
    """An untrained :class:`LocationPrior` wired exactly as TorchSpatial's ``get_spa_encoder`` would."""
    t = params["spa_enc_type"]
    pe_params = {k: params[k] for k in _PE_PARAMS if k in params and params[k] is not None}
    if anchors is not None:
        pe_params["anchors"] = anchors
    if t == "rff":  # real values come from the state_dict
        F = int(params.get("frequency_num", 16))
        pe_params.setdefault("dirvec", np.zeros((2, F)))
        pe_params.setdefault("shift", np.zeros(F))
    pe = position_encoder(t, **pe_params)
    num_filts = int(params.get("num_filts", 256))
    if t == "wrap":
        net = FCNet(pe.out_dim, out_dim=num_filts, num_layers=4, dropout=float(params.get("dropout", 0.5)))
    else:
        net = FFN(pe.out_dim, out_dim=num_filts, num_layers=int(params.get("num_hidden_layer", 1)),
                  hidden_dim=int(params.get("hidden_dim", 512)), activation=str(params.get("spa_f_act", "relu")),
                  dropout=float(params.get("dropout", 0.5)), layernorm=bool(params.get("use_layn", True)),
                  skip_connection=bool(params.get("skip_connection", True)))
    encoder = LocationEncoder(pe, net, {"encoder": t, "source": "torchspatial"})
    return LocationPrior(encoder, int(params["num_classes"]))


def load_checkpoint(path: str | os.PathLike, train_locs: Any = None,
                    map_location: str | torch.device = "cpu") -> LocationPrior:
    """Load a released TorchSpatial ``.pth.tar`` location prior into geoencode modules.

    The file is treated as untrusted: it is read with ``torch.load(weights_only=True)`` and an
    allow-list of numpy data types; anything else raises :class:`~geoencode.CheckpointError`.

    Parameters
    ----------
    path : path-like
        The checkpoint.
    train_locs : array-like of shape (N, 2), optional
        The training locations (lon, lat), in the dataset's original order — needed only for rbf,
        whose anchors are stored as row numbers into them (B7).
    map_location : str or torch.device
        Where to put the weights.

    Returns
    -------
    LocationPrior
        In eval mode; ``model(lonlat)`` gives P(y|x), ``model.embed(lonlat)`` the 256-d embedding.
        ``model.params`` holds the reference's hyper-parameters.

    Examples
    --------
    >>> model = load_checkpoint("model_fmow_Sphere2Vec-sphereC_....pth.tar")  # doctest: +SKIP
    >>> model([[2.35, 48.85]]).shape  # doctest: +SKIP
    torch.Size([1, 62])
    """
    ckpt = _safe_load(path, map_location)
    params = dict(ckpt["params"])
    anchors = None
    if params.get("spa_enc_type") == "rbf":
        ids = params.get("rbf_anchor_pt_ids")
        if train_locs is None or ids is None:
            raise CheckpointError(
                "rbf checkpoints store only the row numbers of their anchors in the training set (B7); "
                "pass train_locs=(N, 2) lon/lat of the dataset's training split in its original order."
            )
        anchors = np.asarray(train_locs, dtype=np.float64)[np.asarray(ids, dtype=np.int64)]
    if params.get("spa_enc_type") not in SPA_ENC_TYPES:
        raise CheckpointError(f"unknown spa_enc_type {params.get('spa_enc_type')!r} in {os.fspath(path)!r}.")
    model = build_from_params(params, anchors)
    state = {}
    for k, v in ckpt["state_dict"].items():
        new = _map_key(k)
        if new is not None:
            state[new] = v
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise CheckpointError(f"{os.fspath(path)!r} does not match its own params: {exc}") from None
    model.params = params
    return model.to(map_location).eval()
