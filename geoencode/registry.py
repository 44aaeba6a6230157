"""Encoders by name: the paper's names and aliases, paper-default hyper-parameters, ``build``."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import torch

from .encoder import LocationEncoder
from .errors import GeoEncodeError, UnknownEncoderError
from .networks import NETWORKS
from .pretrained.weights import WEIGHTS as PRETRAINED
from .pretrained.weights import is_pretrained, pretrained
from .positional import (
    DFS, RBF, RFF, XYZ, NeRF, PositionEncoder, SphereC, SphereCPlus, SphereM, SphereMPlus,
    SphericalHarmonics, Space2VecGrid, Space2VecTheory, Tile, Wrap,
)

_FFN_PAPER = {"num_layers": 1, "hidden_dim": 512, "activation": "relu", "out_dim": 256}
_FFN_LEAKY = {**_FFN_PAPER, "activation": "leakyrelu"}

_MAC_AODHA = "Mac Aodha et al., Presence-Only Geographical Priors for Fine-Grained Image Classification, ICCV 2019"
_SPACE2VEC = "Mai et al., Multi-Scale Representation Learning for Spatial Feature Distributions using Grid Cells, ICLR 2020"
_SPHERE2VEC = "Mai et al., Sphere2Vec: A General-Purpose Location Representation Learning over a Spherical Surface, ISPRS J. 2023"
_TORCHSPATIAL = "Wu et al., TorchSpatial: A Location Encoding Framework and Benchmark for Spatial Representation Learning, NeurIPS 2024"


@dataclass(frozen=True)
class EncoderSpec:
    """One registry entry: how to build an encoder and the defaults the paper used."""

    name: str
    cls: type[PositionEncoder]
    family: str
    dims: str  # "2D" or "3D"
    reference: str
    defaults: dict[str, Any] = field(default_factory=dict)
    nn: str = "ffn"
    nn_defaults: dict[str, Any] = field(default_factory=lambda: dict(_FFN_PAPER))
    aliases: tuple[str, ...] = ()


ENCODERS: dict[str, EncoderSpec] = {
    s.name: s
    for s in [
        EncoderSpec("tile_ffn", Tile, "discretisation", "2D", _TORCHSPATIAL,
                    {"interval": 5.0, "embed_dim": 256}, nn_defaults=_FFN_LEAKY, aliases=("tile",)),
        EncoderSpec("wrap", Wrap, "sinusoidal", "2D", _MAC_AODHA, nn="fcnet",
                    nn_defaults={"out_dim": 256, "num_layers": 4}),
        EncoderSpec("wrap_ffn", Wrap, "sinusoidal", "2D", _TORCHSPATIAL),
        EncoderSpec("rbf", RBF, "kernel", "2D", _TORCHSPATIAL, {"num_anchors": 200, "kernel_size": 2.0}),
        EncoderSpec("rff", RFF, "kernel", "2D", "Rahimi & Recht, Random Features for Large-Scale Kernel Machines, NeurIPS 2007",
                    {"frequency_num": 64, "kernel_size": 1.0}, aliases=("random_fourier_features",)),
        EncoderSpec("Space2Vec-grid", Space2VecGrid, "multi-scale sinusoidal", "2D", _SPACE2VEC,
                    {"frequency_num": 64, "min_radius": 0.005, "max_radius": 360.0}, nn_defaults=_FFN_LEAKY,
                    aliases=("grid",)),
        EncoderSpec("Space2Vec-theory", Space2VecTheory, "multi-scale sinusoidal", "2D", _SPACE2VEC,
                    {"frequency_num": 64, "min_radius": 0.05, "max_radius": 360.0}, nn_defaults=_FFN_LEAKY,
                    aliases=("theory",)),
        EncoderSpec("xyz", XYZ, "3D Cartesian", "3D", _TORCHSPATIAL),
        EncoderSpec("NeRF", NeRF, "3D Cartesian", "3D",
                    "Mildenhall et al., NeRF: Representing Scenes as Neural Radiance Fields, ECCV 2020",
                    {"frequency_num": 16}, nn_defaults={**_FFN_PAPER, "hidden_dim": 256}),
        EncoderSpec("Sphere2Vec-sphereC", SphereC, "Sphere2Vec", "3D", _SPHERE2VEC,
                    {"frequency_num": 64, "min_radius": 1e-4, "max_radius": 1.0}, aliases=("sphereC",)),
        EncoderSpec("Sphere2Vec-sphereC+", SphereCPlus, "Sphere2Vec", "3D", _SPHERE2VEC,
                    {"frequency_num": 64, "min_radius": 5e-4, "max_radius": 1.0}, aliases=("sphereC+",)),
        EncoderSpec("Sphere2Vec-sphereM", SphereM, "Sphere2Vec", "3D", _SPHERE2VEC,
                    {"frequency_num": 64, "min_radius": 5e-4, "max_radius": 1.0}, aliases=("sphereM",)),
        EncoderSpec("Sphere2Vec-sphereM+", SphereMPlus, "Sphere2Vec", "3D", _SPHERE2VEC,
                    {"frequency_num": 64, "min_radius": 5e-4, "max_radius": 1.0}, aliases=("sphereM+",)),
        EncoderSpec("Sphere2Vec-dfs", DFS, "Sphere2Vec", "3D", _SPHERE2VEC,
                    {"frequency_num": 8, "min_radius": 0.005, "max_radius": 1.0}, nn_defaults=_FFN_LEAKY,
                    aliases=("dfs",)),
        EncoderSpec("spherical_harmonics", SphericalHarmonics, "spherical harmonics", "3D",
                    "Rußwurm et al., Geographic Location Encoding with Spherical Harmonics and Sinusoidal "
                    "Representation Networks, ICLR 2024",
                    {"legendre_poly_num": 10}, nn="siren",
                    nn_defaults={"num_layers": 2, "hidden_dim": 256, "out_dim": 256},
                    aliases=("sh", "siren(sh)", "siren_sh")),
    ]
}


def _key(name: str) -> str:
    k = name.lower().replace("_", "").replace("-", "").replace(" ", "")
    for prefix in ("sphere2vec", "space2vec"):
        if k.startswith(prefix) and len(k) > len(prefix):
            k = k[len(prefix):]
    return k


_LOOKUP: dict[str, str] = {}
for _spec in ENCODERS.values():
    for _n in (_spec.name, *_spec.aliases):
        _LOOKUP[_key(_n)] = _spec.name


def get_spec(name: str) -> EncoderSpec:
    """The registry entry for ``name`` (any alias, case-insensitive).

    Examples
    --------
    >>> get_spec("spherec").name
    'Sphere2Vec-sphereC'
    """
    if not isinstance(name, str):
        raise GeoEncodeError(f"encoder name must be a string, got {type(name).__name__}.")
    try:
        return ENCODERS[_LOOKUP[_key(name)]]
    except KeyError:
        raise UnknownEncoderError(
            f"unknown encoder {name!r}; choose one of: {', '.join(ENCODERS)} "
            "(aliases such as 'sphereC', 'grid', 'sh' work too; see geoencode.list_encoders()); pretrained "
            f"encoders: {', '.join(PRETRAINED)} (see geoencode.list_pretrained())."
        ) from None


def _accepted(cls: type) -> list[str]:
    return [p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "in_dim")]


def position_encoder(name: str, **params: Any) -> PositionEncoder | LocationEncoder:
    """Build the position encoder ``PE`` called ``name`` with paper defaults overridden by ``params``.

    A pretrained name (``"geoclip"``, ``"satclip-resnet50-l40"`` …, see
    :func:`geoencode.pretrained.list_pretrained`) gives the whole pretrained encoder instead, with ``params``
    passed to :func:`geoencode.pretrained.pretrained` (``path=``, ``dtype=`` …), so every place that takes an
    encoder name (``gdf.geo.encode``, ``geoencode encode --encoder``) takes these too.

    Examples
    --------
    >>> pe = position_encoder("sphereC+", frequency_num=16)
    >>> pe.out_dim
    96
    """
    if is_pretrained(name):
        return pretrained(name, **params)
    spec = get_spec(name)
    unknown = sorted(set(params) - set(_accepted(spec.cls)))
    if unknown:
        raise GeoEncodeError(
            f"{spec.name} does not take {unknown}; its parameters are {_accepted(spec.cls) or 'none'}."
        )
    return spec.cls(**{**spec.defaults, **params})


def build(name: str, nn: str | None = None, *, device: torch.device | str | None = None,
          **params: Any) -> LocationEncoder:
    """Build ``LocationEncoder = NN(PE)`` by encoder name.

    Parameters
    ----------
    name : str
        Encoder name or alias (see :func:`list_encoders`), or a pretrained encoder's name (see
        :func:`geoencode.pretrained.list_pretrained`; then ``params`` go to :func:`geoencode.pretrained.pretrained`).
    nn : {"ffn", "fcnet", "siren", "linear"}, optional
        The network; default the one the encoder's paper used.
    device : torch.device or str, optional
        Where to put the module.
    **params
        Hyper-parameters of the position encoder (e.g. ``frequency_num``, ``min_radius``) and of the
        network (``out_dim``, ``hidden_dim``, ``num_layers``, ``activation``, ``dropout``, ``w0`` …),
        overriding the paper defaults. Network defaults apply only when ``nn`` is the encoder's
        default network.

    Returns
    -------
    LocationEncoder

    Examples
    --------
    >>> enc = build("sphereC+", nn="siren", frequency_num=32, hidden_dim=256, num_layers=2, out_dim=256)
    >>> enc.position_encoder.out_dim, enc.out_dim
    (192, 256)
    """
    if is_pretrained(name):
        if nn is not None:
            raise GeoEncodeError(f"{name!r} is pretrained with its own network; drop nn={nn!r} "
                                 "(fine-tune it with geoencode.pretrained(name, trainable=True)).")
        return pretrained(name, device=device, **params)
    spec = get_spec(name)
    nn_name = spec.nn if nn is None else nn
    if nn_name not in NETWORKS:
        raise UnknownEncoderError(f"unknown network {nn_name!r}; choose one of {sorted(NETWORKS)}.")
    net_cls = NETWORKS[nn_name]
    pe_keys, nn_keys = set(_accepted(spec.cls)), set(_accepted(net_cls))
    unknown = sorted(set(params) - pe_keys - nn_keys)
    if unknown:
        raise GeoEncodeError(
            f"unknown parameter(s) {unknown} for {spec.name} with nn={nn_name!r}; position-encoder "
            f"parameters: {sorted(pe_keys) or 'none'}; network parameters: {sorted(nn_keys)}."
        )
    pe_params = {k: v for k, v in params.items() if k in pe_keys}
    nn_params = {k: v for k, v in params.items() if k in nn_keys and k not in pe_keys}
    defaults = spec.nn_defaults if nn_name == spec.nn else {"out_dim": 256}
    nn_params = {**{k: v for k, v in defaults.items() if k in nn_keys}, **nn_params}
    pe = position_encoder(spec.name, **pe_params)
    net = net_cls(in_dim=pe.out_dim, **nn_params)
    config = {"encoder": spec.name, "nn": nn_name, "pe_params": _jsonable({**spec.defaults, **pe_params}),
              "nn_params": _jsonable(nn_params)}
    model = LocationEncoder(pe, net, config)
    return model.to(device) if device is not None else model


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    # Arrays (rbf anchors, rff directions) travel in the state_dict, not the config.
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()
            if isinstance(v, (int, float, str, bool, tuple, list, type(None)))}


def list_encoders() -> pd.DataFrame:
    """The registry as a table: name, family, 2D/3D, PE out_dim at the defaults, default network, …

    Examples
    --------
    >>> table = list_encoders()
    >>> len(table), int(table.loc["Sphere2Vec-sphereC", "out_dim"])
    (15, 192)
    """
    rows = []
    for spec in ENCODERS.values():
        rows.append({
            "name": spec.name,
            "family": spec.family,
            "dims": spec.dims,
            "out_dim": position_encoder(spec.name).out_dim,
            "nn": spec.nn,
            "defaults": dict(spec.defaults),
            "nn_defaults": dict(spec.nn_defaults),
            "aliases": ", ".join(spec.aliases),
            "reference": spec.reference,
        })
    return pd.DataFrame(rows).set_index("name")
