"""Building encoders by name, networks, and our own checkpoint format."""

from __future__ import annotations

import pytest
import torch

import geoencode
from geoencode import GeoEncodeError, UnknownEncoderError
from geoencode.networks import FCNet, FFN, Linear, Siren


@pytest.mark.parametrize("alias, name", [
    ("Sphere2Vec-sphereC", "Sphere2Vec-sphereC"), ("sphereC", "Sphere2Vec-sphereC"), ("spherec", "Sphere2Vec-sphereC"),
    ("sphereC+", "Sphere2Vec-sphereC+"), ("SPHERE_M+", "Sphere2Vec-sphereM+"), ("grid", "Space2Vec-grid"),
    ("theory", "Space2Vec-theory"), ("tile", "tile_ffn"), ("nerf", "NeRF"), ("sh", "spherical_harmonics"),
    ("Siren(SH)", "spherical_harmonics"), ("dfs", "Sphere2Vec-dfs"), ("wrap_ffn", "wrap_ffn"), ("wrap", "wrap"),
])
def test_aliases(alias, name):
    assert geoencode.get_spec(alias).name == name


def test_unknown_name_lists_choices():
    with pytest.raises(UnknownEncoderError, match="unknown encoder 'sphereX'.*Sphere2Vec-sphereC"):
        geoencode.build("sphereX")
    with pytest.raises(UnknownEncoderError, match="unknown network 'mlp'.*ffn"):
        geoencode.build("xyz", nn="mlp")


def test_bad_parameters_name_valid_ones():
    with pytest.raises(GeoEncodeError, match="frequncy_num.*frequency_num"):
        geoencode.build("sphereC", frequncy_num=3)
    with pytest.raises(GeoEncodeError, match="min_radius must be smaller"):
        geoencode.build("sphereC", min_radius=2.0, max_radius=1.0)
    with pytest.raises(GeoEncodeError, match="legendre_poly_num"):
        geoencode.build("sh", legendre_poly_num=0)
    with pytest.raises(GeoEncodeError, match="activation"):
        geoencode.build("xyz", activation="swish")
    with pytest.raises(GeoEncodeError, match="dropout"):
        geoencode.build("xyz", dropout=1.5)


def test_list_encoders_table():
    table = geoencode.list_encoders()
    assert len(table) == 15
    assert set(table.columns) >= {"family", "dims", "out_dim", "nn", "defaults", "reference"}
    assert table.loc["Sphere2Vec-dfs", "out_dim"] == 4 * 8 * 8 + 4 * 8
    assert table.loc["wrap", "nn"] == "fcnet" and table.loc["spherical_harmonics", "nn"] == "siren"
    assert (table["dims"] == "3D").sum() == 8


def test_build_issue_example():
    enc = geoencode.build("sphereC+", nn="siren", frequency_num=32, hidden_dim=256, num_layers=2, out_dim=256)
    assert isinstance(enc.network, Siren) and enc.position_encoder.out_dim == 192
    assert enc(torch.zeros(5, 2)).shape == (5, 256)
    assert enc.config == {"encoder": "Sphere2Vec-sphereC+", "nn": "siren",
                          "pe_params": {"frequency_num": 32, "min_radius": 5e-4, "max_radius": 1.0},
                          "nn_params": {"num_layers": 2, "hidden_dim": 256, "out_dim": 256}}


def test_paper_default_networks():
    assert isinstance(geoencode.build("wrap").network, FCNet)
    ffn = geoencode.build("Space2Vec-grid").network
    assert isinstance(ffn, FFN) and len(ffn.layers) == 2
    assert isinstance(ffn.layers[0].act, torch.nn.LeakyReLU) and ffn.layers[0].act.negative_slope == 0.2
    assert isinstance(geoencode.build("xyz", nn="linear").network, Linear)


def test_ffn_reference_semantics():
    torch.manual_seed(0)
    net = FFN(in_dim=5, out_dim=4, num_layers=2, hidden_dim=8, dropout=0.5).eval()
    first, middle, last = net.layers
    assert first.layernorm is not None and middle.layernorm is not None and last.layernorm is None
    assert not first.skip and middle.skip and not last.skip  # skip only hidden → hidden
    x = torch.randn(3, 5)
    h = first.layernorm(torch.relu(first.linear(x)))
    h = middle.layernorm(torch.relu(middle.linear(h)) + h)
    torch.testing.assert_close(net(x), torch.relu(last.linear(h)))  # output layer keeps its activation (B12)
    assert (net(x) >= 0).all()
    single = FFN(in_dim=3, out_dim=5, num_layers=0)
    assert len(single.layers) == 1 and single.layers[0].layernorm is None
    # dropout is active on the output in training mode, as in the reference
    net.train()
    assert (net(torch.randn(2000, 5)) == 0).float().mean() > 0.3


def test_siren_initialisation_bounds():
    net = Siren(in_dim=10, out_dim=3, num_layers=3, hidden_dim=64, w0=1.0, w0_initial=30.0)
    first, second = net.layers[0], net.layers[1]
    assert first.w0 == 30.0 and second.w0 == 1.0
    assert first.linear.weight.abs().max() <= 1 / 10
    assert second.linear.weight.abs().max() <= (6 / 64) ** 0.5
    x = torch.randn(4, 10)
    torch.testing.assert_close(first(x), torch.sin(30 * first.linear(x)))
    assert net(x).shape == (4, 3)


def test_fcnet_residual_structure():
    net = FCNet(in_dim=4, out_dim=16, num_layers=4).eval()
    assert len(net.feats) == 6
    res = net.feats[2]
    h = torch.randn(3, 16)
    torch.testing.assert_close(res(h), h + torch.relu(res.w2(torch.relu(res.w1(h)))))


def test_float64_input_to_float32_network():
    enc = geoencode.build("xyz", out_dim=8)
    assert enc(torch.tensor([[1.0, 2.0]], dtype=torch.float64)).dtype == torch.float32


@pytest.mark.parametrize("name", ["rbf", "rff", "spherical_harmonics", "tile", "wrap", "sphereM+"])
def test_save_load_round_trip(tmp_path, name):
    enc = geoencode.build(name, out_dim=16, **({"num_anchors": 7} if name == "rbf" else {})).eval()
    path = geoencode.save(enc, tmp_path / "enc.pt")
    loaded = geoencode.load(path).eval()
    x = torch.tensor([[1.0, 2.0], [-120.0, 60.0]])
    torch.testing.assert_close(loaded(x), enc(x))
    with pytest.raises(GeoEncodeError, match="overwrite"):
        geoencode.save(enc, path)
    geoencode.save(enc, path, overwrite=True)
    assert [p.name for p in tmp_path.iterdir()] == ["enc.pt"]  # no temporary files left behind


def test_save_refuses_modules_it_cannot_rebuild(tmp_path):
    from geoencode.compat.torchspatial import build_from_params

    prior = build_from_params({"spa_enc_type": "xyz", "num_classes": 2})
    with pytest.raises(geoencode.CheckpointError, match="geoencode.build"):
        geoencode.save(prior.encoder, tmp_path / "x.pt")
    assert not (tmp_path / "x.pt").exists()


def test_load_refuses_foreign_files(tmp_path):
    torch.save({"state_dict": {}}, tmp_path / "x.pt")
    with pytest.raises(geoencode.CheckpointError, match="not a geoencode checkpoint"):
        geoencode.load(tmp_path / "x.pt")


def test_device_argument():
    enc = geoencode.build("sphereC", frequency_num=4, out_dim=8, device="cpu")
    assert next(enc.parameters()).device.type == "cpu"
    if torch.cuda.is_available():  # exercised on machines with a GPU
        gpu = geoencode.build("sphereC", frequency_num=4, out_dim=8, device="cuda")
        assert gpu([[1.0, 2.0]]).device.type == "cuda"
