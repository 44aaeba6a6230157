"""The ``geo`` accessor: registration, index alignment, return types, models, bad input."""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import torch
from torch import nn

import geoencode
import geoencode.gis
from geoencode import GeoEncodeError, GeoEncodeWarning
from geoencode.models import LocationPrior

LONLAT = np.array([[2.35, 48.85], [-74.0, 40.7], [151.2, -33.9], [0.0, 0.0], [-179.5, 65.0]])


@pytest.fixture
def gdf() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": list("abcde")}, geometry=gpd.points_from_xy(LONLAT[:, 0], LONLAT[:, 1]),
                            crs=4326, index=pd.Index(["p", "n", "s", "o", "x"], name="site"))


def _pe(**kw):
    return geoencode.position_encoder("sphereC", frequency_num=8, **kw)


# ---------------------------------------------------------------------------------- registration


def test_registration_does_not_shadow_anything():
    code = (
        "import pandas as pd, geopandas as gpd\n"
        "classes = [pd.DataFrame, pd.Series, gpd.GeoDataFrame, gpd.GeoSeries, pd.Index]\n"
        "assert not any(hasattr(c, 'geo') for c in classes), 'geo already exists'\n"
        "before = {c.__name__: set(dir(c)) for c in classes}\n"
        "import geoencode.gis\n"
        "after = {c.__name__: set(dir(c)) for c in classes}\n"
        "diff = {k: after[k] - before[k] for k in before}\n"
        "assert diff == {'DataFrame': {'geo'}, 'Series': set(), 'GeoDataFrame': {'geo'}, 'GeoSeries': {'geo'}, "
        "'Index': set()}, diff\n"
        "assert all(getattr(c, a) is not None for c in classes for a in before[c.__name__] if a != '__doc__' and "
        "not a.startswith('_'))\n"
        "assert not hasattr(pd.Series([1]), 'geo')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_column_named_geo_keeps_its_meaning():
    df = pd.DataFrame({"geo": ["u09tv", "dr5ru"], "lon": [2.35, -74.0], "lat": [48.85, 40.7]})
    pd.testing.assert_series_equal(df.geo, df["geo"])
    out = geoencode.gis.encode(df, "xyz")
    assert out.shape == (2, 3)


def test_register_refuses_existing_attribute():
    class Frame:
        geo = "mine"

    with pytest.warns(GeoEncodeWarning, match="already has an attribute"):
        assert not geoencode.gis.register_accessor(Frame)
    assert Frame.geo == "mine"
    assert geoencode.gis.register_accessor(gpd.GeoSeries)  # idempotent for our own


def test_geopandas_and_pandas_still_work(gdf):
    assert gdf.to_crs(3857).geometry.centroid.crs.to_epsg() == 3857  # geopandas' planar centroid untouched
    assert gdf.to_crs(3857).crs.to_epsg() == 3857
    assert gdf.drop(columns="name").shape == (5, 1)
    assert isinstance(gdf.geo, geoencode.gis.GeoAccessor)
    assert isinstance(gdf.geometry.geo, geoencode.gis.GeoAccessor)


# ---------------------------------------------------------------------------------- outputs


def test_features_equal_the_position_encoder_and_align_with_index(gdf):
    pe = _pe()
    out = gdf.geo.encode("sphereC", frequency_num=8, dtype="float64")
    assert list(out.columns) == [f"sphereC_{i}" for i in range(pe.out_dim)]
    pd.testing.assert_index_equal(out.index, gdf.index)
    np.testing.assert_allclose(out.to_numpy(), pe(LONLAT).numpy(), atol=1e-12)


def test_shuffled_and_duplicate_index(gdf):
    shuffled = gdf.iloc[[3, 0, 4, 1, 2]]
    a = gdf.geo.encode("xyz")
    b = shuffled.geo.encode("xyz")
    pd.testing.assert_frame_equal(a.loc[b.index], b)
    dup = gdf.set_axis(["k", "k", "j", "j", "k"])
    d = dup.geo.encode("xyz")
    assert list(d.index) == ["k", "k", "j", "j", "k"]
    np.testing.assert_array_equal(d.to_numpy(), a.to_numpy())


def test_return_types_and_dtype(gdf):
    df = gdf.geo.encode("xyz")
    arr = gdf.geo.encode("xyz", return_type="numpy")
    ten = gdf.geo.encode("xyz", return_type="torch", dtype=torch.float64)
    assert df.dtypes.unique().tolist() == [np.float32]
    assert isinstance(arr, np.ndarray) and arr.shape == (5, 3) and arr.dtype == np.float32
    assert isinstance(ten, torch.Tensor) and ten.dtype == torch.float64
    np.testing.assert_allclose(ten.numpy(), arr, atol=1e-6)
    assert gdf.geo.encode("xyz", dtype=np.float16).dtypes.iloc[0] == np.float16
    with pytest.raises(GeoEncodeError, match="dtype"):
        gdf.geo.encode("xyz", dtype="int32")
    with pytest.raises(GeoEncodeError, match="return_type"):
        gdf.geo.encode("xyz", return_type="list")


def test_geoseries_and_prefix(gdf):
    out = gdf.geometry.geo.encode("xyz", prefix="loc")
    assert list(out.columns) == ["loc_0", "loc_1", "loc_2"]
    pd.testing.assert_index_equal(out.index, gdf.index)


def test_batch_size_and_device_do_not_change_results(gdf):
    a = gdf.geo.encode("sphereC", frequency_num=8)
    b = gdf.geo.encode("sphereC", frequency_num=8, batch_size=2, device="cpu")
    pd.testing.assert_frame_equal(a, b)


def test_dataframe_with_lon_lat_columns(gdf):
    df = pd.DataFrame({"Longitude": LONLAT[:, 0], "Latitude": LONLAT[:, 1]}, index=gdf.index)
    pd.testing.assert_frame_equal(df.geo.encode("xyz"), gdf.geo.encode("xyz"))
    other = pd.DataFrame({"a": LONLAT[:, 0], "b": LONLAT[:, 1]})
    with pytest.raises(GeoEncodeError, match="lon="):
        other.geo.encode("xyz")
    np.testing.assert_array_equal(other.geo.encode("xyz", lon="a", lat="b").to_numpy(),
                                  gdf.geo.encode("xyz").to_numpy())
    with pytest.raises(GeoEncodeError, match="not a column"):
        other.geo.encode("xyz", lon="zz", lat="b")


def test_longitudes_beyond_180_are_wrapped():
    df = pd.DataFrame({"lon": [190.0, -190.0, 530.0], "lat": [10.0, 10.0, 0.0]})
    ref = pd.DataFrame({"lon": [-170.0, 170.0, 170.0], "lat": [10.0, 10.0, 0.0]})
    np.testing.assert_allclose(df.geo.encode("sphereC").to_numpy(), ref.geo.encode("sphereC").to_numpy(), atol=1e-5)
    model = nn.Linear(2, 2, dtype=torch.float64)  # a model that is not periodic itself sees wrapped lon
    np.testing.assert_allclose(df.geo.encode(model, return_type="numpy"), ref.geo.encode(model, return_type="numpy"))


# ---------------------------------------------------------------------------------- models


def test_location_encoder_prior_module_and_callable(gdf):
    enc = geoencode.build("sphereC", frequency_num=8, out_dim=16).eval()
    ref = enc(torch.as_tensor(LONLAT)).detach().numpy()
    out = gdf.geo.encode(enc)
    assert out.shape == (5, 16) and out.columns[0] == "Sphere2Vec-sphereC_0"
    np.testing.assert_allclose(out.to_numpy(), ref, atol=1e-5)
    prior = LocationPrior(enc, num_classes=7)
    np.testing.assert_allclose(gdf.geo.encode(prior).to_numpy(), ref, atol=1e-5)  # embeddings, not classes

    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 4)

        def forward(self, x):
            return torch.tanh(self.lin(x))

    tiny = Tiny()
    got = gdf.geo.encode(tiny)
    assert list(got.columns) == [f"Tiny_{i}" for i in range(4)]
    np.testing.assert_allclose(got.to_numpy(), tiny(torch.as_tensor(LONLAT, dtype=torch.float32)).detach().numpy(),
                               atol=1e-6)
    fn_out = gdf.geo.encode(lambda x: x * 2, prefix="f", return_type="numpy")
    np.testing.assert_allclose(fn_out, LONLAT * 2, atol=1e-4)


class ProtocolOnly:
    """A model that is neither an nn.Module nor callable: only ``embed``, ``out_dim``, ``input_dtype``."""

    out_dim = 3
    input_dtype = torch.float32
    name = "proto"

    def __init__(self):
        self.seen: list[tuple[torch.dtype, tuple[int, ...]]] = []

    def embed(self, lonlat: torch.Tensor) -> torch.Tensor:
        self.seen.append((lonlat.dtype, tuple(lonlat.shape)))
        lon, lat = torch.deg2rad(lonlat[..., 0]), torch.deg2rad(lonlat[..., 1])
        return torch.stack([torch.sin(lon), torch.cos(lat), lon * lat], dim=-1)


def _protocol_reference(lonlat: np.ndarray) -> np.ndarray:
    lon, lat = np.deg2rad(lonlat[:, 0].astype(np.float32)), np.deg2rad(lonlat[:, 1].astype(np.float32))
    return np.stack([np.sin(lon), np.cos(lat), lon * lat], axis=-1)


def test_a_model_with_only_the_protocol(gdf, polys):
    model = ProtocolOnly()
    assert isinstance(model, geoencode.gis.EmbeddingModel)
    out = gdf.geo.encode(model)
    assert list(out.columns) == ["proto_0", "proto_1", "proto_2"]
    np.testing.assert_allclose(out.to_numpy(), _protocol_reference(LONLAT), rtol=1e-5, atol=1e-6)
    assert model.seen == [(torch.float32, (5, 2))]  # lon/lat in the dtype the model asked for
    # Pooled samples go through embed too; an empty frame takes its width from out_dim without a call.
    agg = polys.geo.encode(model, how="aggregate", n_samples=8, return_type="numpy")
    assert agg.shape == (len(polys), 3) and np.isfinite(agg).all()
    assert model.seen[-1] == (torch.float32, (8 * len(polys), 2))
    calls = len(model.seen)
    assert gpd.GeoSeries([], crs=4326).geo.encode(model).shape == (0, 3)
    assert len(model.seen) == calls


def test_geoencode_models_state_the_protocol():
    pe = _pe()
    enc = geoencode.build("sphereC", frequency_num=8, out_dim=16).eval()  # no dropout
    for model, d in ((pe, pe.out_dim), (enc, 16)):
        assert isinstance(model, geoencode.gis.EmbeddingModel)
        assert model.out_dim == d and model.input_dtype == torch.float64
        x = torch.as_tensor(LONLAT)
        torch.testing.assert_close(model.embed(x), model(x))
    pe.input_dtype = torch.float32  # the reference's rounding knob is the protocol's dtype too
    assert pe.input_dtype == torch.float32 and pe(torch.as_tensor(LONLAT)).dtype == torch.float32
    pe.input_dtype = None
    assert pe.input_dtype == torch.float64


def test_encoders_on_mps_want_float32(monkeypatch):
    """Apple's mps has no float64: the preferred input dtype follows the model's device."""
    from geoencode.positional.base import preferred_lonlat_dtype

    assert preferred_lonlat_dtype(torch.device("mps")) == torch.float32
    assert preferred_lonlat_dtype("cuda") == preferred_lonlat_dtype("cpu") == preferred_lonlat_dtype(None) \
        == torch.float64
    enc = geoencode.build("xyz", out_dim=4)
    monkeypatch.setattr(type(enc), "parameters", lambda self, recurse=True: iter([torch.empty(0, device="meta")]))
    assert enc.input_dtype == torch.float64  # any device other than mps keeps float64


def test_model_eval_mode_restored_and_not_moved(gdf):
    enc = geoencode.build("sphereC", frequency_num=4, out_dim=8, dropout=0.5)
    enc.train()
    a = gdf.geo.encode(enc)
    b = gdf.geo.encode(enc)
    pd.testing.assert_frame_equal(a, b)  # dropout off while encoding
    assert enc.training
    assert not torch.is_inference_mode_enabled()


def test_params_only_with_names(gdf):
    with pytest.raises(GeoEncodeError, match="only apply"):
        gdf.geo.encode(geoencode.build("xyz", out_dim=4), frequency_num=3)
    with pytest.raises(GeoEncodeError, match="does not take"):
        gdf.geo.encode("sphereC", not_a_param=3)
    with pytest.raises(geoencode.UnknownEncoderError):
        gdf.geo.encode("nope")
    with pytest.raises(GeoEncodeError, match="encoder must"):
        gdf.geo.encode(42)


def test_bad_model_output(gdf):
    with pytest.raises(GeoEncodeError, match=r"\(N, d\)"):
        gdf.geo.encode(lambda x: x.sum())


# ---------------------------------------------------------------------------------- bad input


@pytest.fixture
def messy() -> gpd.GeoDataFrame:
    geoms = [shapely.Point(1, 1), None, shapely.Point(), shapely.Point(np.nan, 3), shapely.Point(5, 95),
             shapely.box(0, 0, 1, 1), shapely.Polygon(), shapely.Point(2, -91)]
    return gpd.GeoDataFrame(geometry=geoms, crs=4326, index=[f"r{i}" for i in range(8)])


def test_bad_rows_named_in_error(messy):
    with pytest.raises(GeoEncodeError) as info:
        messy.geo.encode("xyz")
    msg = str(info.value)
    assert "6 of 8 rows" in msg
    assert "missing geometry" in msg and "['r1']" in msg
    assert "empty geometry" in msg and "['r2', 'r6']" in msg
    assert "NaN" in msg and "r3" in msg
    assert "latitude beyond" in msg and "['r4', 'r7']" in msg
    assert "errors='coerce'" in msg


def test_many_bad_rows_show_first_few_and_count():
    g = gpd.GeoSeries([None] * 12 + [shapely.Point(0, 0)], crs=4326)
    with pytest.raises(GeoEncodeError, match=r"\[0, 1, 2, 3, 4\] … \(12 rows in all\)"):
        g.geo.encode("xyz")


def test_coerce_gives_nan_rows_and_a_warning(messy):
    with pytest.warns(GeoEncodeWarning, match="cannot be encoded"):
        out = messy.geo.encode("xyz", errors="coerce")
    good = ["r0", "r5"]
    assert out.loc[good].notna().all().all()
    assert out.drop(index=good).isna().all().all()
    pd.testing.assert_index_equal(out.index, messy.index)
    with pytest.warns(GeoEncodeWarning):
        t = messy.geo.encode("xyz", errors="coerce", return_type="torch")
    assert torch.isnan(t).any(dim=1).sum() == 6


def test_dataframe_bad_rows():
    df = pd.DataFrame({"lon": [1.0, None, "x", 3.0], "lat": [1.0, 2.0, 3.0, 100.0]}, index=list("abcd"))
    with pytest.raises(GeoEncodeError, match=r"\['b', 'c'\].*\n.*\['d'\]"):
        df.geo.encode("xyz")


def test_all_bad_coerce():
    g = gpd.GeoSeries([None, None], crs=4326)
    with pytest.warns(GeoEncodeWarning):
        out = g.geo.encode("sphereC", frequency_num=2, errors="coerce")
    assert out.shape == (2, 6) and out.isna().all().all()
    with pytest.warns(GeoEncodeWarning):
        out = g.geo.encode(lambda x: torch.cat([x, x], 1), errors="coerce")
    assert out.shape == (2, 4)


def test_empty_frame():
    g = gpd.GeoSeries([], crs=4326)
    assert g.geo.encode("xyz").shape == (0, 3)


@pytest.mark.parametrize("kw,match", [
    ({"how": "mean"}, "how"), ({"errors": "ignore"}, "errors"), ({"batch_size": 0}, "batch_size"),
    ({"n_samples": 0}, "n_samples"), ({"pool": "sum"}, "pool"),
])
def test_argument_checks(gdf, kw, match):
    with pytest.raises(GeoEncodeError, match=match):
        gdf.geo.encode("xyz", **kw)


# ---------------------------------------------------------------------------------- polygons


@pytest.fixture
def polys() -> gpd.GeoDataFrame:
    geoms = [shapely.box(0, 40, 10, 50), shapely.Polygon([(177, -18), (-178, -18), (-178, -16), (177, -16)]),
             shapely.LineString([(0, 0), (0, 30)]), shapely.Point(5, 5)]
    return gpd.GeoDataFrame({"k": range(4)}, geometry=geoms, crs=4326, index=[9, 8, 7, 6])


def test_how_centroid_representative_aggregate(polys):
    cent = polys.geo.lonlat()
    # more area at 40°N than at 50°N: the spherical centroid sits south of the planar 45°
    assert cent.loc[9, "lon"] == pytest.approx(5.0) and 44.8 < cent.loc[9, "lat"] < 44.95
    assert abs(cent.loc[8, "lon"]) == pytest.approx(179.5)
    assert cent.loc[7].tolist() == pytest.approx([0.0, 15.0])
    rep = polys.geo.lonlat(how="representative")
    assert shapely.contains_xy(polys.geometry.iloc[0], rep.iloc[0, 0], rep.iloc[0, 1])
    pe = _pe()
    agg = polys.geo.encode(pe, how="aggregate", n_samples=64, dtype="float64")
    samples = polys.geo.sample_points(64)
    manual = pe(np.column_stack([samples.x, samples.y])).reshape(4, 64, -1).mean(1).numpy()
    np.testing.assert_allclose(agg.to_numpy(), manual, atol=1e-12)
    # the point's aggregate is its own encoding
    np.testing.assert_allclose(agg.loc[6].to_numpy(), pe(np.array([[5.0, 5.0]]))[0].numpy(), atol=1e-12)
    mx = polys.geo.encode(pe, how="aggregate", n_samples=64, pool="max", dtype="float64")
    assert (mx.to_numpy() >= agg.to_numpy() - 1e-12).all()


def test_centroid_of_projected_polygon_matches_lonlat(polys):
    a = polys.iloc[[0]].geo.lonlat()
    b = polys.iloc[[0]].to_crs(3035).geo.lonlat()  # ETRS89-LAEA: edges are not straight in lon/lat,
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), atol=0.05)  # but vertices are the same points


def test_aggregate_is_deterministic_and_partition_independent(polys):
    a = polys.geo.encode("xyz", how="aggregate", n_samples=8, random_state=3)
    b = pd.concat([polys.iloc[:2].geo.encode("xyz", how="aggregate", n_samples=8, random_state=3),
                   polys.iloc[2:].geo.encode("xyz", how="aggregate", n_samples=8, random_state=3)])
    pd.testing.assert_frame_equal(a, b)
    c = polys.geo.encode("xyz", how="aggregate", n_samples=8, random_state=4)
    assert not np.allclose(a.to_numpy()[:2], c.to_numpy()[:2])


def test_accessor_helpers(polys):
    assert polys.geo.geodesic_centroid().crs.to_epsg() == 4326
    area = polys.geo.spherical_area()
    assert area.index.equals(polys.index) and area.loc[7] == 0 and area.loc[9] > 0
    s = polys.geo.sample_points(3)
    assert list(s.index) == [9, 9, 9, 8, 8, 8, 7, 7, 7, 6, 6, 6]


def test_progress_bar(gdf, capsys):
    gdf.geo.encode("xyz", progress=True)
    assert "encoding" in capsys.readouterr().err
    gdf.geo.encode("xyz", progress=False)
    assert capsys.readouterr().err == ""
    gdf.geo.encode("xyz")  # small input: quiet by default
    assert capsys.readouterr().err == ""


def test_aggregate_of_points_is_their_encoding(gdf):
    a = gdf.geo.encode("sphereC", frequency_num=8, how="aggregate", n_samples=4, dtype="float64")
    b = gdf.geo.encode("sphereC", frequency_num=8, dtype="float64")
    pd.testing.assert_frame_equal(a, b)
    assert len(gdf.geo.sample_points(4)) == 20
