"""TorchSpatial reproduction: reference PE outputs, released checkpoints, safe loading."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import torch

import geoencode
from geoencode import CheckpointError, GeoEncodeError
from geoencode.compat import torchspatial as ts

from conftest import shared_path


def reference_params(entry: dict, arrays) -> dict:
    return {k: (arrays[v[6:]] if isinstance(v, str) and v.startswith("array:") else v)
            for k, v in entry.items() if k not in ("key", "encoder", "out_dim")}


def pe_reference():
    folder = shared_path("data", "torchspatial", "pe_reference")
    return json.loads((folder / "pe_reference_A.json").read_text()), np.load(folder / "pe_reference_A.npz")


def test_reference_position_encodings_all_15():
    meta, arrays = pe_reference()
    assert {m["encoder"] for m in meta} == set(ts.SPA_ENC_TYPES)
    lonlat = arrays["lonlat"]
    for m in meta:
        pe = ts.position_encoder(m["encoder"], **reference_params(m, arrays))
        with torch.no_grad():
            out = pe(lonlat).numpy()
        ref = arrays[m["key"]]
        assert out.shape == ref.shape == (len(lonlat), m["out_dim"]), m["encoder"]
        assert out.dtype == np.float32
        if m["encoder"] == "tile_ffn":  # randomly initialised single cell: structure only
            assert (out == out[0]).all() and (ref == ref[0]).all()
            continue
        np.testing.assert_allclose(out, ref, atol=1e-5, rtol=0, err_msg=m["encoder"])


def test_native_encoders_differ_from_reference_only_where_documented():
    """Fixed-by-default encoders agree with the reference when given the reference's settings."""
    meta, arrays = pe_reference()
    lonlat = torch.from_numpy(arrays["lonlat"]).double()
    same = {"wrap": {}, "xyz": {}, "Space2Vec-grid": {}, "Space2Vec-theory": {}, "Sphere2Vec-sphereC": {},
            "Sphere2Vec-sphereC+": {}, "Sphere2Vec-sphereM": {}, "NeRF": {}}
    for m in meta:
        if m["encoder"] not in same:
            continue
        params = {k: v for k, v in reference_params(m, arrays).items()
                  if k in ("frequency_num", "min_radius", "max_radius")}
        out = geoencode.position_encoder(m["encoder"], **params)(lonlat).numpy()
        np.testing.assert_allclose(out, arrays[m["key"]], atol=1e-5, rtol=0, err_msg=m["encoder"])


def checkpoint_dir():
    return shared_path("data", "torchspatial", "checkpoints")


def test_released_checkpoints_reproduce_expected_outputs():
    folder = checkpoint_dir()
    meta = json.loads((folder / "expected_outputs.json").read_text())
    expected = np.load(folder / "expected_outputs.npz")
    lonlat = expected["lonlat"]
    assert len(meta) == 3
    for name, info in meta.items():
        model = ts.load_checkpoint(folder / f"{name}.pth.tar")
        assert not model.training and model.num_classes == info["num_classes"]
        with torch.no_grad():
            prob, emb = model(lonlat).numpy(), model.embed(lonlat).numpy()
        np.testing.assert_allclose(prob, expected[f"{name}__prob"], atol=1e-5, rtol=0, err_msg=name)
        # Embeddings reach ~30 in magnitude; float32 matmul summation order alone moves them by
        # ~1e-5 absolute, so compare relative to their size.
        ref = expected[f"{name}__emb"]
        assert emb.shape == (len(lonlat), info["emb_dim"])
        assert (np.abs(emb - ref) <= 1e-5 + 2e-6 * np.abs(ref)).all(), name


def test_all_released_checkpoints_load_and_run():
    files = sorted(checkpoint_dir().glob("*.pth.tar"))
    assert len(files) == 17
    lonlat = torch.tensor([[0.0, 0.0], [-74.0, 40.7], [151.2, -33.9], [0.0, 90.0]])
    for f in files:
        model = ts.load_checkpoint(f)
        with torch.no_grad():
            p = model(lonlat)
        assert p.shape == (4, model.params["num_classes"]) and ((p >= 0) & (p <= 1)).all(), f.name
        if model.params["spa_enc_type"] == "tile_ffn":  # B2: location-independent
            assert torch.allclose(p, p[0].expand_as(p))


class _Evil:
    def __reduce__(self):
        return (print, ("pwned",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_untrusted_pickle_is_refused(tmp_path, capsys):
    path = tmp_path / "evil.pth.tar"
    torch.save({"state_dict": {}, "params": {"x": _Evil()}}, path)
    with pytest.raises(CheckpointError, match="refusing to load"):
        ts.load_checkpoint(path)
    assert "pwned" not in capsys.readouterr().out
    with open(path, "wb") as fh:  # a plain pickle stream, not even a torch zip
        pickle.dump(_Evil(), fh)
    with pytest.raises(CheckpointError):
        ts.load_checkpoint(path)
    assert "pwned" not in capsys.readouterr().out


def _reference_state(model) -> dict:
    """Our module's weights under the reference's key names (the inverse of the loader's mapping)."""
    state = {}
    for k, v in model.state_dict().items():
        k = k.replace("encoder.network.", "spa_enc.ffn.").replace("encoder.position_encoder.", "spa_enc.position_encoder.")
        state[k] = v
    state["user_emb.weight"] = torch.zeros(1, 256)
    return state


def test_rbf_checkpoint_with_numpy_params_needs_train_locs(tmp_path):
    params = {"spa_enc_type": "rbf", "num_classes": 3, "num_hidden_layer": 1, "hidden_dim": 32, "num_filts": 256,
              "rbf_kernel_size": 2.0, "spa_f_act": "relu", "dropout": 0.5, "use_layn": True,
              "skip_connection": True, "rbf_anchor_pt_ids": np.array([4, 0, 2]), "map_range": [-180, 180, -90, 90]}
    train_locs = np.array([[0.0, 0.0], [10.0, 5.0], [20.0, -5.0], [30.0, 40.0], [-60.0, 10.0]])
    model = ts.build_from_params(params, anchors=train_locs[[4, 0, 2]])
    path = tmp_path / "rbf.pth.tar"
    torch.save({"epoch": 1, "state_dict": _reference_state(model), "params": params}, path)
    with pytest.raises(CheckpointError, match="train_locs"):
        ts.load_checkpoint(path)
    loaded = ts.load_checkpoint(path, train_locs=train_locs)
    np.testing.assert_array_equal(loaded.encoder.position_encoder.anchors.numpy(), train_locs[[4, 0, 2]])
    x = torch.tensor([[1.0, 2.0], [-61.0, 9.0]])
    model.eval()
    torch.testing.assert_close(loaded(x), model(x))


def test_wrap_checkpoint_uses_fcnet(tmp_path):
    params = {"spa_enc_type": "wrap", "num_classes": 4, "num_filts": 256, "dropout": 0.5}
    model = ts.build_from_params(params)
    assert isinstance(model.encoder.network, geoencode.networks.FCNet)
    state = {k.replace("encoder.network.", ""): v for k, v in model.state_dict().items()}
    path = tmp_path / "wrap.pth.tar"
    torch.save({"state_dict": state, "params": params}, path)
    loaded = ts.load_checkpoint(path)
    x = torch.tensor([[1.0, 2.0]])
    torch.testing.assert_close(loaded(x), model.eval()(x))


def test_mismatched_checkpoint_is_a_clear_error(tmp_path):
    params = {"spa_enc_type": "xyz", "num_classes": 2, "num_hidden_layer": 1, "hidden_dim": 16}
    model = ts.build_from_params(params)
    state = _reference_state(model)
    params["hidden_dim"] = 32
    torch.save({"state_dict": state, "params": params}, tmp_path / "bad.pth.tar")
    with pytest.raises(CheckpointError, match="does not match"):
        ts.load_checkpoint(tmp_path / "bad.pth.tar")


def test_reference_quirks_reproduced():
    x = torch.tensor([[10.0, 20.0], [-100.0, -45.0]])
    nerf = ts.position_encoder("NeRF", frequency_num=64)
    assert nerf.out_dim == 96  # B3
    tile = ts.position_encoder("tile_ffn", min_radius=0.5)
    assert tile.num_cells == 1  # B2
    sh = ts.position_encoder("spherical_harmonics")
    assert sh.out_dim == 64 and sh(x)[0, 0].item() == pytest.approx(0.886227, rel=1e-5)  # B4
    arr = x.numpy().copy()
    ts.position_encoder("wrap_ffn")(arr)
    np.testing.assert_array_equal(arr, x.numpy())  # B9 is not reproduced: inputs stay intact
    with pytest.raises(GeoEncodeError, match="unknown TorchSpatial parameter"):
        ts.position_encoder("xyz", frequncy_num=3)
    with pytest.raises(GeoEncodeError, match="spa_enc_type"):
        ts.position_encoder("sphereC")
    with pytest.raises(GeoEncodeError, match="anchors"):
        ts.position_encoder("rbf")
