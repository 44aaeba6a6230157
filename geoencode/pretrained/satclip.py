"""SatCLIP's location encoder (Klemmer et al., 2023) from a released Lightning checkpoint.

``Enc(x) = SirenNet(SH_L(x))``: real spherical harmonics up to degree ``L − 1`` in SatCLIP's
convention (:class:`~geoencode.positional.SphericalHarmonics` with ``convention="satclip"``), then
a SIREN with ``num_hidden_layers`` sine layers of width ``capacity`` (ω₀ = 30 for the first, 1 after)
and a linear output of ``embed_dim``. Shapes come from the checkpoint's ``hyper_parameters`` and are
checked against its tensors; only ``model.location.*`` tensors are read (the image encoder is
ignored).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from ..errors import CheckpointError
from ..networks import Siren
from ..positional import SphericalHarmonics

PREFIX = "model.location.nnet."


def _hparams(ckpt: Mapping[str, Any]) -> dict[str, Any]:
    hp = ckpt.get("hyper_parameters")
    if not isinstance(hp, Mapping):
        raise CheckpointError("not a SatCLIP Lightning checkpoint: it has no 'hyper_parameters' dict.")
    le, nn_type = hp.get("le_type"), hp.get("pe_type")
    if le != "sphericalharmonics" or nn_type != "siren":
        raise CheckpointError(
            f"only SatCLIP's released architecture (le_type='sphericalharmonics', pe_type='siren') is supported; "
            f"this checkpoint has le_type={le!r}, pe_type={nn_type!r}.")
    try:
        return {"L": int(hp["legendre_polys"]), "embed_dim": int(hp["embed_dim"]),
                "capacity": int(hp.get("capacity", 256)), "num_hidden_layers": int(hp.get("num_hidden_layers", 2))}
    except KeyError as exc:
        raise CheckpointError(f"SatCLIP hyper_parameters lack {exc.args[0]!r}.") from None


def build_satclip(ckpt: Mapping[str, Any], dtype: torch.dtype = torch.float32
                  ) -> tuple[SphericalHarmonics, Siren, dict[str, Any]]:
    """The position encoder, network (in ``dtype``) and shape parameters of a SatCLIP checkpoint dict.

    Raises :class:`~geoencode.CheckpointError` when tensors are missing or their shapes disagree
    with the hyper-parameters.
    """
    hp = _hparams(ckpt)
    sd = ckpt.get("state_dict")
    if not isinstance(sd, Mapping):
        raise CheckpointError("not a SatCLIP Lightning checkpoint: it has no 'state_dict'.")
    loc = {k[len(PREFIX):]: v for k, v in sd.items() if k.startswith(PREFIX)}
    if not loc:
        raise CheckpointError(f"the checkpoint's state_dict has no '{PREFIX}*' tensors (SatCLIP's location encoder).")
    L, layers = hp["L"], hp["num_hidden_layers"]
    pe = SphericalHarmonics(legendre_poly_num=L, convention="satclip")
    # float32 by default, like every encoder here; SatCLIP itself ran in float64 (``.double()``), and
    # dtype=torch.float64 keeps the file's float64 tensors unrounded.
    net = Siren(in_dim=L * L, out_dim=hp["embed_dim"], num_layers=layers, hidden_dim=hp["capacity"],
                w0=1.0, w0_initial=30.0).to(dtype)
    mapping = {f"layers.{i}.{t}": f"layers.{i}.linear.{t}" for i in range(layers) for t in ("weight", "bias")}
    mapping.update({f"last_layer.{t}": f"last.{t}" for t in ("weight", "bias")})
    missing = sorted(set(mapping) - set(loc))
    extra = sorted(set(loc) - set(mapping))
    if missing or extra:
        raise CheckpointError(
            f"SatCLIP location tensors do not match hyper_parameters (L={L}, capacity={hp['capacity']}, "
            f"num_hidden_layers={layers}): missing {[PREFIX + k for k in missing]}, unexpected {[PREFIX + k for k in extra]}.")
    state = {mapping[k]: v.detach() for k, v in loc.items()}
    expected = {k: tuple(v.shape) for k, v in net.state_dict().items()}
    wrong = {k: (tuple(state[k].shape), s) for k, s in expected.items() if tuple(state[k].shape) != s}
    if wrong:
        raise CheckpointError(
            f"SatCLIP tensor shapes disagree with hyper_parameters (L={L} → {L * L} inputs, capacity={hp['capacity']}, "
            f"embed_dim={hp['embed_dim']}): {', '.join(f'{k}: file {a}, expected {b}' for k, (a, b) in wrong.items())}.")
    net.load_state_dict(state)
    return pe, net, hp
