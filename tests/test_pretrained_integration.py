"""Pretrained encoders everywhere an encoder goes: the geo accessor (any CRS), the CLI, Dask, LocationPrior, the trainer."""

from __future__ import annotations

import importlib.util

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import torch

import geoencode
from geoencode.models import LocationPrior
from geoencode.pretrained import ENV_VAR
from geoencode.training import Trainer

pytestmark = pytest.mark.skipif(importlib.util.find_spec("geoclip") is None,
                                reason="geoclip wheel not installed (pip install --no-deps geoclip==1.3.0)")


@pytest.fixture(autouse=True)
def _no_weights_folder(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)


@pytest.fixture(scope="module")
def geoclip():
    return geoencode.pretrained("geoclip")


@pytest.fixture
def points() -> gpd.GeoDataFrame:
    rng = np.random.default_rng(7)
    n = 200
    pts = gpd.points_from_xy(rng.uniform(-179, 179, n), rng.uniform(-84, 84, n))
    return gpd.GeoDataFrame({"v": np.arange(n)}, geometry=pts, crs=4326, index=pd.Index([f"p{i}" for i in range(n)]))


def test_accessor_by_name_equals_direct_call(points, geoclip):
    emb = points.geo.encode("geoclip")
    assert emb.shape == (200, 512) and list(emb.index) == list(points.index)
    with torch.no_grad():
        direct = geoclip(torch.as_tensor(np.c_[points.geometry.x, points.geometry.y]))
    np.testing.assert_allclose(emb.to_numpy(), direct.numpy(), atol=1e-6, rtol=0)


def test_web_mercator_equals_wgs84(points):
    a = points.geo.encode("geoclip").to_numpy()
    b = points.to_crs(3857).geo.encode("geoclip").to_numpy()
    assert np.abs(a - b).max() <= 1e-4


def test_module_in_accessor_and_prior(points, geoclip):
    prior = LocationPrior(geoclip, num_classes=3)
    assert prior.out_dim == 512 and prior.input_dtype == torch.float64
    via_prior = points.geo.encode(prior).to_numpy()
    np.testing.assert_allclose(via_prior, points.geo.encode(geoclip).to_numpy(), atol=1e-6, rtol=0)


def test_cli_encode_with_geoclip(points, tmp_path):
    from geoencode.cli import main

    src, out = tmp_path / "pts.gpkg", tmp_path / "emb.parquet"
    points.to_crs(2154).to_file(src)
    assert main(["encode", str(src), str(out), "--encoder", "geoclip"]) == 0
    got = gpd.read_parquet(out)
    cols = [c for c in got.columns if c.startswith("geoclip")]
    assert len(cols) == 512
    np.testing.assert_allclose(got[cols].to_numpy(), points.geo.encode("geoclip").to_numpy(), atol=1e-4, rtol=0)


def test_dask_geoclip_equals_in_memory(points):
    dask_geopandas = pytest.importorskip("dask_geopandas")
    import dask

    with dask.config.set(scheduler="synchronous"):
        lazy = dask_geopandas.from_geopandas(points, npartitions=3).geo.encode("geoclip")
        got = lazy.compute()
    np.testing.assert_allclose(got.loc[points.index].to_numpy(), points.geo.encode("geoclip").to_numpy(),
                               atol=1e-6, rtol=0)


def _separable_task(n: int = 400):
    rng = np.random.default_rng(0)
    lonlat = np.c_[rng.uniform(-180, 180, n), rng.uniform(-60, 60, n)]
    return torch.as_tensor(lonlat, dtype=torch.float64), torch.as_tensor((lonlat[:, 0] > 0).astype(np.int64))


@pytest.mark.slow
def test_frozen_encoder_in_trainer_only_head_learns():
    enc = geoencode.pretrained("geoclip")
    before = {k: v.clone() for k, v in enc.state_dict().items()}
    model = geoencode.models.LocationClassifier(enc, 2)
    x, y = _separable_task()
    loss = lambda m, b, g: torch.nn.functional.cross_entropy(m(b[0]), b[1])  # noqa: E731
    Trainer(model, loss, lr=5e-2, max_epochs=20, batch_size=50, progress=False).fit((x, y))
    with torch.no_grad():
        acc = (model(x).argmax(-1) == y).float().mean().item()
    assert acc > 0.9  # east/west is linear in GeoCLIP's embedding
    assert all(torch.equal(v, enc.state_dict()[k]) for k, v in before.items())


def test_fine_tuning_changes_the_encoder():
    enc = geoencode.pretrained("geoclip", trainable=True)
    w0 = enc.network.branches[2].head.weight.detach().clone()
    model = geoencode.models.LocationClassifier(enc, 2)
    x, y = _separable_task(200)
    loss = lambda m, b, g: torch.nn.functional.cross_entropy(m(b[0]), b[1])  # noqa: E731
    Trainer(model, loss, lr=1e-3, max_epochs=1, batch_size=100, progress=False).fit((x, y))
    assert not torch.equal(w0, enc.network.branches[2].head.weight)
