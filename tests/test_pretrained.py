"""Pretrained encoders: the weights registry, offline file resolution, GeoCLIP parity with its own module."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import types

import numpy as np
import pytest
import torch

import geoencode
from geoencode import GeoEncodeError
from geoencode.errors import CheckpointError, UnknownEncoderError
from geoencode.pretrained import ENV_VAR, WEIGHTS, get_weights, list_pretrained, locate, sha256
from geoencode.pretrained.geoclip import equal_earth
from geoencode.pretrained.weights import wheel_file

HAS_GEOCLIP = importlib.util.find_spec("geoclip") is not None
needs_geoclip = pytest.mark.skipif(not HAS_GEOCLIP, reason="geoclip wheel not installed (pip install --no-deps geoclip==1.3.0)")


@pytest.fixture(autouse=True)
def _no_weights_folder(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)


def _random_lonlat(n: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    lon = torch.rand(n, generator=g, dtype=torch.float64) * 360 - 180
    lat = torch.rand(n, generator=g, dtype=torch.float64) * 180 - 90
    return torch.stack([lon, lat], dim=1)


def _geoclip_reference_module():
    """geoclip's own ``location_encoder.py``, executed without the package's ``__init__`` (which imports
    transformers): its folder becomes a stand-in parent package so the relative imports resolve."""
    root = importlib.util.find_spec("geoclip").submodule_search_locations[0]
    name = "_geoclip_model_ref"
    if name + ".location_encoder" in sys.modules:
        return sys.modules[name + ".location_encoder"]
    pkg = types.ModuleType(name)
    pkg.__path__ = [f"{root}/model"]
    sys.modules[name] = pkg
    spec = importlib.util.spec_from_file_location(name + ".location_encoder", f"{root}/model/location_encoder.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


# --------------------------------------------------------------------------- registry


def test_registry_table_records_every_field():
    table = list_pretrained()
    assert set(table.index) == set(WEIGHTS) and "geoclip" in table.index
    assert {"architecture", "source", "licence", "sha256", "input", "out_dim", "citation"} <= set(table.columns)
    assert table.loc["geoclip", "out_dim"] == 512 and len(table.loc["geoclip", "sha256"]) == 64
    sat = table[table.index.str.startswith("satclip")]
    assert len(sat) == 6 and (sat["out_dim"] == 256).all() and sat["sha256"].isna().all()
    assert "(lat, lon)" in table.loc["geoclip", "input"]


def test_names_are_case_and_separator_insensitive():
    assert get_weights("SatCLIP_ResNet50_L40").name == "satclip-resnet50-l40"
    with pytest.raises(UnknownEncoderError, match="geoclip"):
        get_weights("geoclipx")


def test_unknown_name_lists_pretrained_too():
    with pytest.raises(UnknownEncoderError, match="pretrained encoders: geoclip"):
        geoencode.build("no-such-encoder")


def test_missing_file_says_where_to_get_and_put_it(tmp_path):
    with pytest.raises(GeoEncodeError) as exc:
        geoencode.pretrained("satclip-resnet18-l10")
    msg = str(exc.value)
    assert "huggingface.co/microsoft/SatCLIP-ResNet18-L10" in msg and ENV_VAR in msg and "path=" in msg
    assert "Nothing is downloaded" in msg
    with pytest.raises(GeoEncodeError, match="no weights file at"):
        geoencode.pretrained("geoclip", path=tmp_path / "nope.pth")


def test_wrong_checksum_names_the_expected_hash(tmp_path):
    bad = tmp_path / "location_encoder_weights.pth"
    torch.save({"x": torch.zeros(1)}, bad)
    with pytest.raises(GeoEncodeError) as exc:
        geoencode.pretrained("geoclip", path=bad)
    assert WEIGHTS["geoclip"].sha256 in str(exc.value) and sha256(bad) in str(exc.value)


def test_pickled_code_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("ran",))

    path = tmp_path / "evil.pth"
    torch.save({"LocEnc0.capsule.0.b": Evil()}, path)
    with pytest.raises(CheckpointError, match="weights_only=True"):
        geoencode.pretrained("geoclip", path=path, sha256=sha256(path))


def test_weights_folder_from_environment(monkeypatch, tmp_path):
    target = tmp_path / WEIGHTS["geoclip"].filename
    target.write_bytes(b"not the weights")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert locate(WEIGHTS["geoclip"]) == target
    assert locate(WEIGHTS["geoclip"], path=tmp_path) == target  # a folder as path=


def test_equal_earth_known_values():
    # At the equator θ = 0: x = 2√3·λ / (3·A1) · SF/180, y = 0; at the pole y = SF/180 · P(θ_max).
    x, y = equal_earth(torch.tensor([180.0, 0.0], dtype=torch.float64), torch.tensor([0.0, 90.0], dtype=torch.float64))
    assert x[0].item() == pytest.approx(2 * 3**0.5 * np.pi / (3 * 1.340264) * 66.50336 / 180, rel=1e-12)
    theta = np.arcsin(3**0.5 / 2)
    poly = 0.003796 * theta**9 + 0.000893 * theta**7 - 0.081106 * theta**3 + 1.340264 * theta
    assert y[1].item() == pytest.approx(poly * 66.50336 / 180, rel=1e-12) and x[1].item() == 0.0


# --------------------------------------------------------------------------- GeoCLIP


@needs_geoclip
def test_geoclip_found_in_wheel_without_importing_it():
    sys.modules.pop("geoclip", None)
    path = wheel_file(WEIGHTS["geoclip"].wheel_path)
    assert path is not None and path.name == "location_encoder_weights.pth"
    enc = geoencode.pretrained("geoclip")
    assert "geoclip" not in sys.modules and "transformers" not in sys.modules
    assert enc.out_dim == 512 and not enc.training and not any(p.requires_grad for p in enc.parameters())


@pytest.mark.slow
@needs_geoclip
def test_geoclip_parity_with_its_own_module():
    ref_mod = _geoclip_reference_module()
    lonlat = _random_lonlat(10_000)
    latlon = lonlat.flip(-1)
    enc = geoencode.pretrained("geoclip")
    with torch.no_grad():
        ours = enc(lonlat)
        # geoclip's own code and weights in float64 (its √3 stays a float32 constant, so this is not
        # exact either, but within 3e-6 of it).
        exact = ref_mod.LocationEncoder().double().eval()(latlon)
        theirs32 = ref_mod.LocationEncoder().eval()(latlon.float())
        ours64 = geoencode.pretrained("geoclip", dtype=torch.float64)(lonlat)
    assert ours.dtype == torch.float32 and ours.shape == (10_000, 512)
    assert (ours.double() - exact).abs().max().item() <= 1e-5
    assert (ours64 - exact).abs().max().item() <= 1e-5
    assert (ours.double() - ours64).abs().max().item() <= 1e-6  # only the float32 network rounds
    # geoclip's own float32 run takes float32 phases of up to ~10^3 turns; ours reduces them in
    # float64 first, so it is closer to the float64 function than geoclip's float32 run is.
    assert (ours.double() - exact).abs().max() < (theirs32.double() - exact).abs().max()
    assert (ours - theirs32).abs().max().item() <= 1e-4


@needs_geoclip
def test_geoclip_batches_equal_one_pass_and_name_bad_rows():
    enc = geoencode.pretrained("geoclip", batch_size=64, progress=False)
    x = _random_lonlat(300, seed=3)
    with torch.no_grad():
        batched = enc(x)
        enc.batch_size = 10_000
        whole = enc(x)
    assert torch.allclose(batched, whole, atol=1e-6, rtol=0)
    enc.batch_size = 64
    x[250, 1] = 95.0
    with pytest.raises(GeoEncodeError, match="250"), torch.no_grad():
        enc(x)


@needs_geoclip
def test_geoclip_wraps_longitude_and_keeps_input():
    enc = geoencode.pretrained("geoclip")
    x = torch.tensor([[190.0, 10.0], [-170.0, 10.0]], dtype=torch.float64)
    before = x.clone()
    with torch.no_grad():
        y = enc(x)
    assert torch.equal(x, before)
    assert torch.allclose(y[0], y[1], atol=1e-6, rtol=0)


@needs_geoclip
def test_geoclip_bfloat16_close_to_float32():
    x = _random_lonlat(256, seed=5)
    with torch.no_grad():
        y32 = geoencode.pretrained("geoclip")(x)
        y16 = geoencode.pretrained("geoclip", dtype=torch.bfloat16)(x)
    assert y16.dtype == torch.bfloat16
    rel = (y16.float() - y32).norm() / y32.norm()
    assert rel.item() < 0.05


@needs_geoclip
def test_geoclip_through_the_registry_names():
    enc = geoencode.build("GeoCLIP")
    assert isinstance(enc, geoencode.LocationEncoder) and enc.name == "geoclip"
    with pytest.raises(GeoEncodeError, match="own network"):
        geoencode.build("geoclip", nn="ffn")


@needs_geoclip
def test_geoclip_copied_file_via_path_and_wrong_file_rejected(tmp_path):
    src = wheel_file(WEIGHTS["geoclip"].wheel_path)
    dst = tmp_path / "copy.pth"
    shutil.copy(src, dst)
    x = _random_lonlat(16)
    with torch.no_grad():
        assert torch.equal(geoencode.pretrained("geoclip", path=dst)(x), geoencode.pretrained("geoclip")(x))
    torch.save({"LocEnc0.capsule.0.b": torch.zeros(256, 2)}, dst)
    with pytest.raises(CheckpointError, match="LocEnc0..LocEnc2"):
        geoencode.pretrained("geoclip", path=dst, sha256=sha256(dst))
