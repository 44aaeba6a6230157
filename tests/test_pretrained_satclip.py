"""SatCLIP from a checkpoint in the released Lightning layout, against an independent re-implementation.

The released checkpoints (Hugging Face ``microsoft/SatCLIP-*``) cannot be downloaded here, so parity
with the real weights is untested; these tests write a checkpoint with the same structure (keys,
hyper-parameters, float64 tensors, SIREN initialisation) and check our values against the SatCLIP
location encoder re-derived below from the paper (Klemmer et al., 2023) and torchgeo's SatCLIP
documentation (L = 40, capacity 512, 256-d embeddings, 2 hidden layers).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy.special import sph_harm_y

import geoencode
from geoencode.errors import CheckpointError, GeoEncodeError
from geoencode.pretrained import ENV_VAR


@pytest.fixture(autouse=True)
def _no_weights_folder(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)


def released_layout_checkpoint(L: int = 40, capacity: int = 512, embed_dim: int = 256, layers: int = 2,
                               seed: int = 0) -> dict:
    """A dict shaped like ``satclip-*-l{L}.ckpt``: Lightning's top-level keys, the SatCLIPLightningModule
    hyper-parameters, and a state_dict holding the image encoder, ``model.posenc``/``model.nnet`` and
    their aliases under ``model.location`` (SatCLIP registers the same modules twice)."""
    g = torch.Generator().manual_seed(seed)

    def uniform(shape, bound):
        return (torch.rand(shape, generator=g, dtype=torch.float64) * 2 - 1) * bound

    nnet = {}
    dims = [L * L] + [capacity] * layers
    for i in range(layers):
        bound = 1 / dims[i] if i == 0 else math.sqrt(6 / dims[i])  # SIREN init, w0 = 1 after the first
        nnet[f"layers.{i}.weight"] = uniform((capacity, dims[i]), bound)
        nnet[f"layers.{i}.bias"] = uniform((capacity,), bound)
    nnet["last_layer.weight"] = uniform((embed_dim, capacity), math.sqrt(6 / capacity))
    nnet["last_layer.bias"] = uniform((embed_dim,), math.sqrt(6 / capacity))
    state = {"model.logit_scale": torch.tensor(2.6592, dtype=torch.float64),
             "model.visual.conv1.weight": torch.zeros(8, 13, 3, 3)}
    for prefix in ("model.nnet.", "model.location.nnet."):
        state.update({prefix + k: v for k, v in nnet.items()})
    hparams = {"embed_dim": embed_dim, "image_resolution": 224, "vision_layers": "moco_resnet50",
               "vision_width": 768, "vision_patch_size": 32, "in_channels": 13, "le_type": "sphericalharmonics",
               "pe_type": "siren", "frequency_num": 16, "max_radius": 360, "min_radius": 1,
               "legendre_polys": L, "harmonics_calculation": "analytic", "sh_embedding_dims": 32,
               "learning_rate": 1e-4, "weight_decay": 0.01, "num_hidden_layers": layers, "capacity": capacity,
               "eval_downstream": False, "air_temp_data_path": None, "election_data_path": None}
    return {"epoch": 499, "global_step": 12345, "pytorch-lightning_version": "2.0.4", "state_dict": state,
            "loops": {}, "callbacks": {}, "optimizer_states": [], "lr_schedulers": [], "hyper_parameters": hparams}


def reference_satclip(ckpt: dict, lonlat: np.ndarray) -> np.ndarray:
    """SatCLIP's location encoder in float64 NumPy/SciPy, independently of geoencode.

    Spherical harmonics as SatCLIP evaluates them: φ = lon + 180°, θ = lat + 90°, real harmonics
    without the Condon–Shortley phase (√2·N·P_l^|m|·cos mφ for m > 0, ·sin |m|φ for m < 0), and the
    m = 0 terms of its default ("analytic") tables π times the orthonormal N·P_l (its Y_0^0 is
    0.8862 = π/√(4π)). Then SIREN: sin(30·(W₀x + b₀)), sin(W_i h + b_i), linear output.
    """
    L = ckpt["hyper_parameters"]["legendre_polys"]
    phi = np.deg2rad(lonlat[:, 0] + 180.0)
    theta = np.deg2rad(lonlat[:, 1] + 90.0)
    cols = []
    for l in range(L):
        for m in range(-l, l + 1):
            # scipy's complex Y_l^|m| includes (−1)^m; multiplying by (−1)^m removes it.
            y = sph_harm_y(l, abs(m), theta, phi) * (-1.0) ** abs(m)
            if m == 0:
                cols.append(math.pi * y.real)
            elif m > 0:
                cols.append(math.sqrt(2.0) * y.real)
            else:
                cols.append(math.sqrt(2.0) * y.imag)
    h = np.stack(cols, axis=1)
    sd = {k[len("model.location.nnet."):]: v.numpy() for k, v in ckpt["state_dict"].items()
          if k.startswith("model.location.nnet.")}
    layers = ckpt["hyper_parameters"]["num_hidden_layers"]
    for i in range(layers):
        w0 = 30.0 if i == 0 else 1.0
        h = np.sin(w0 * (h @ sd[f"layers.{i}.weight"].T + sd[f"layers.{i}.bias"]))
    return h @ sd["last_layer.weight"].T + sd["last_layer.bias"]


def _points(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pts = np.c_[rng.uniform(-180, 180, n), np.rad2deg(np.arcsin(rng.uniform(-1, 1, n)))]
    return np.r_[pts, [[0.0, 90.0], [0.0, -90.0], [180.0, 0.0], [-180.0, 0.0]]]


@pytest.fixture(scope="module")
def l40(tmp_path_factory):
    ckpt = released_layout_checkpoint()
    path = tmp_path_factory.mktemp("satclip") / "satclip-resnet50-l40.ckpt"
    torch.save(ckpt, path)
    return ckpt, path


def test_satclip_l40_matches_independent_reimplementation(l40):
    ckpt, path = l40
    pts = _points(400)
    expected = reference_satclip(ckpt, pts)
    enc64 = geoencode.pretrained("satclip-resnet50-l40", path=path, dtype=torch.float64)
    enc32 = geoencode.pretrained("satclip-resnet50-l40", path=path)
    assert enc32.out_dim == 256 and enc32.position_encoder.out_dim == 1600
    with torch.no_grad():
        got64 = enc64(torch.as_tensor(pts)).numpy()
        got32 = enc32(torch.as_tensor(pts)).numpy()
    scale = np.abs(expected).max()
    assert scale > 0.1  # a non-trivial output
    np.testing.assert_allclose(got64, expected, atol=1e-9 * scale, rtol=0)
    np.testing.assert_allclose(got32, expected, atol=1e-4 * scale, rtol=0)


def test_satclip_l10_resnet18_shapes_from_hyperparameters(tmp_path):
    ckpt = released_layout_checkpoint(L=10, capacity=256, layers=2, seed=1)
    path = tmp_path / "satclip-resnet18-l10.ckpt"
    torch.save(ckpt, path)
    enc = geoencode.pretrained("satclip-resnet18-l10", path=path, dtype=torch.float64)
    pts = _points(64, seed=2)
    with torch.no_grad():
        got = enc(torch.as_tensor(pts)).numpy()
    np.testing.assert_allclose(got, reference_satclip(ckpt, pts), atol=1e-9, rtol=0)
    assert enc.network.layers[0].linear.in_features == 100


def test_satclip_folder_from_environment(monkeypatch, l40):
    _, path = l40
    monkeypatch.setenv(ENV_VAR, str(path.parent))
    enc = geoencode.pretrained("satclip-resnet50-l40")
    assert enc.config["file"] == str(path)


def test_satclip_inconsistent_checkpoint_is_named(tmp_path):
    ckpt = released_layout_checkpoint(L=10, capacity=64, seed=3)
    ckpt["hyper_parameters"]["legendre_polys"] = 20
    path = tmp_path / "bad.ckpt"
    torch.save(ckpt, path)
    with pytest.raises(CheckpointError, match=r"L=20 → 400 inputs.*layers.0.linear.weight: file \(64, 100\)"):
        geoencode.pretrained("satclip-vit16-l10", path=path)
    ckpt["hyper_parameters"]["pe_type"] = "mlp"
    torch.save(ckpt, path)
    with pytest.raises(CheckpointError, match="pe_type='mlp'"):
        geoencode.pretrained("satclip-vit16-l10", path=path)
    torch.save({"state_dict": {}}, path)
    with pytest.raises(CheckpointError, match="hyper_parameters"):
        geoencode.pretrained("satclip-vit16-l10", path=path)


def test_satclip_pinned_hash_is_checked(l40):
    _, path = l40
    with pytest.raises(GeoEncodeError, match="expected 00"):
        geoencode.pretrained("satclip-resnet50-l40", path=path, sha256="00" * 32)


def test_satclip_fine_tunable(l40):
    _, path = l40
    enc = geoencode.pretrained("satclip-resnet50-l40", path=path, trainable=True)
    x = torch.tensor([[10.0, 20.0], [30.0, -40.0]])
    loss = enc(x).square().sum()
    loss.backward()
    assert enc.network.last.weight.grad is not None and enc.network.last.weight.grad.abs().sum() > 0
