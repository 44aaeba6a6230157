"""Chunked reading and writing of GIS files; atomic outputs; chunked == whole-frame."""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

import geoencode.gis
from geoencode import GeoEncodeError
from geoencode.gis import encode_file, list_layers, read_chunks, read_table


def _frame(n: int = 23, crs="EPSG:32631") -> gpd.GeoDataFrame:
    rng = np.random.default_rng(0)
    x = 300_000 + rng.uniform(0, 400_000, n)
    y = 4_800_000 + rng.uniform(0, 600_000, n)
    return gpd.GeoDataFrame({"id": np.arange(n), "label": [f"f{i}" for i in range(n)], "value": rng.normal(size=n)},
                            geometry=gpd.points_from_xy(x, y), crs=crs)


def _write(frame: gpd.GeoDataFrame, path) -> None:
    if str(path).endswith(".parquet"):
        frame.to_parquet(path)
    elif str(path).endswith(".fgb"):
        frame.to_file(path, SPATIAL_INDEX="NO")  # GDAL's FlatGeobuf index would reorder the features
    else:
        frame.to_file(path)


def _polys(n: int = 9) -> gpd.GeoDataFrame:
    pts = _frame(n)
    return pts.set_geometry(pts.buffer(5_000 + 1_000 * np.arange(n)))


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".fgb", ".shp", ".parquet"])
def test_read_chunks_equals_whole(tmp_path, suffix):
    src = _frame()
    path = tmp_path / f"in{suffix}"
    _write(src, path)
    chunks = list(read_chunks(path, chunk_size=5))
    assert [len(c) for c in chunks] == [5, 5, 5, 5, 3]
    whole = pd.concat(chunks)
    assert whole.index.equals(pd.RangeIndex(23))
    assert whole.crs.equals(src.crs)
    np.testing.assert_allclose(whole.geometry.x, src.geometry.x)
    assert whole["label"].tolist() == src["label"].tolist()
    np.testing.assert_allclose(read_table(path)["value"], src["value"])


def test_read_csv_chunks(tmp_path):
    p = tmp_path / "pts.csv"
    pd.DataFrame({"name": list("abc"), "longitude": [1.0, 2.0, 3.0], "latitude": [4.0, 5.0, 6.0]}).to_csv(p, index=False)
    chunks = list(read_chunks(p, chunk_size=2))
    assert [len(c) for c in chunks] == [2, 1] and chunks[0].crs.to_epsg() == 4326
    assert chunks[1].geometry.iloc[0].equals(shapely.Point(3, 6))


def test_read_errors(tmp_path):
    with pytest.raises(GeoEncodeError, match="does not exist"):
        list(read_chunks(tmp_path / "nope.gpkg"))
    p = tmp_path / "a.gpkg"
    _frame().to_file(p, layer="one")
    with pytest.raises(GeoEncodeError, match="no layer 'two'.*'one'"):
        read_chunks(p, layer="two")
    with pytest.raises(GeoEncodeError, match="chunk_size"):
        read_chunks(p, chunk_size=0)
    pd.DataFrame({"a": [1]}).to_parquet(tmp_path / "plain.parquet")
    with pytest.raises(GeoEncodeError, match="GeoParquet"):
        list(read_chunks(tmp_path / "plain.parquet"))


@pytest.mark.parametrize("out_suffix", [".gpkg", ".parquet", ".csv"])
@pytest.mark.parametrize("in_suffix", [".gpkg", ".parquet", ".fgb"])
def test_encode_file_round_trip(tmp_path, in_suffix, out_suffix):
    src = _frame()
    inp = tmp_path / f"in{in_suffix}"
    _write(src, inp)
    out = encode_file(inp, tmp_path / f"out{out_suffix}", "sphereC", params={"frequency_num": 4}, chunk_size=7)
    expected = src.geo.encode("sphereC", frequency_num=4)
    if out_suffix == ".csv":
        res = pd.read_csv(out)
        assert res["geometry"].str.startswith("POINT").all()
        geom = gpd.GeoSeries.from_wkt(res["geometry"], crs=src.crs)
        np.testing.assert_allclose(geom.x, src.geometry.x, atol=1e-6)  # geometry kept in the input CRS
    else:
        res = gpd.read_parquet(out) if out_suffix == ".parquet" else gpd.read_file(out)
        assert res.crs.equals(src.crs)
        np.testing.assert_allclose(res.geometry.x, src.geometry.x)
    assert res["label"].tolist() == src["label"].tolist()
    np.testing.assert_allclose(res["value"], src["value"])
    np.testing.assert_allclose(res[expected.columns].to_numpy(), expected.to_numpy(), atol=1e-6)
    assert sorted(os.listdir(tmp_path)) == sorted([inp.name, out.name] + (
        [f"in{s}" for s in (".cpg", ".dbf", ".prj", ".shx")] if in_suffix == ".shp" else []))


def test_chunked_equals_whole_for_aggregate(tmp_path):
    src = _polys(11)
    inp = tmp_path / "p.gpkg"
    src.to_file(inp, layer="parcels")
    a = encode_file(inp, tmp_path / "a.parquet", "xyz", how="aggregate", n_samples=5, chunk_size=3)
    b = encode_file(inp, tmp_path / "b.parquet", "xyz", how="aggregate", n_samples=5, chunk_size=100)
    pd.testing.assert_frame_equal(pd.DataFrame(gpd.read_parquet(a).drop(columns="geometry")),
                                  pd.DataFrame(gpd.read_parquet(b).drop(columns="geometry")))
    whole = read_table(inp).geo.encode("xyz", how="aggregate", n_samples=5)
    np.testing.assert_allclose(gpd.read_parquet(a)[whole.columns].to_numpy(), whole.to_numpy())


def test_csv_in_csv_out_keeps_columns(tmp_path):
    p = tmp_path / "pts.csv"
    pd.DataFrame({"name": list("ab"), "lon": [2.35, 190.0], "lat": [48.85, 10.0]}).to_csv(p, index=False)
    out = encode_file(p, tmp_path / "o.csv", "xyz")
    res = pd.read_csv(out)
    assert list(res.columns) == ["name", "lon", "lat", "xyz_0", "xyz_1", "xyz_2"]
    assert res["lon"].tolist() == [2.35, 190.0]  # input values kept; the encoding wrapped 190 → -170
    ref = pd.DataFrame({"lon": [-170.0], "lat": [10.0]}).geo.encode("xyz")
    np.testing.assert_allclose(res.iloc[1, 3:].to_numpy(dtype=float), ref.iloc[0].to_numpy(), atol=1e-6)
    gpkg = encode_file(p, tmp_path / "o.gpkg", "xyz")
    assert gpd.read_file(gpkg).crs.to_epsg() == 4326


def test_projected_csv(tmp_path):
    p = tmp_path / "pts.csv"
    pd.DataFrame({"E": [448251.9], "N": [5411932.7]}).to_csv(p, index=False)
    out = encode_file(p, tmp_path / "o.csv", "xyz", lon="E", lat="N", assume_crs="EPSG:32631")
    ref = gpd.GeoSeries([shapely.Point(448251.9, 5411932.7)], crs=32631).geo.encode("xyz")
    np.testing.assert_allclose(pd.read_csv(out)[ref.columns].to_numpy(), ref.to_numpy(), atol=1e-6)


def test_never_overwrites_input_and_refuses_existing_output(tmp_path):
    inp = tmp_path / "in.gpkg"
    _frame().to_file(inp)
    before = inp.read_bytes()
    with pytest.raises(GeoEncodeError, match="never overwrites its input"):
        encode_file(inp, inp, "xyz", overwrite=True)
    with pytest.raises(GeoEncodeError, match="never overwrites"):
        encode_file(inp, tmp_path / "." / "in.gpkg", "xyz", overwrite=True)
    assert inp.read_bytes() == before
    out = tmp_path / "out.gpkg"
    out.write_text("precious")
    with pytest.raises(GeoEncodeError, match="already exists.*--overwrite"):
        encode_file(inp, out, "xyz")
    assert out.read_text() == "precious"
    encode_file(inp, out, "xyz", overwrite=True)
    assert len(gpd.read_file(out)) == 23


def test_failure_leaves_no_partial_output(tmp_path):
    src = _frame(20, crs=4326).set_geometry(gpd.points_from_xy(np.linspace(0, 10, 20), np.linspace(0, 10, 20)))
    geoms = list(src.geometry)
    geoms[17] = shapely.Point(0, 95)  # in the last chunk
    src = src.set_geometry(geoms)
    inp = tmp_path / "in.parquet"
    src.to_parquet(inp)
    for suffix in (".gpkg", ".parquet", ".csv"):
        with pytest.raises(GeoEncodeError, match="latitude beyond.*17"):
            encode_file(inp, tmp_path / f"out{suffix}", "xyz", chunk_size=5)
    assert os.listdir(tmp_path) == ["in.parquet"]
    with pytest.warns(geoencode.GeoEncodeWarning):
        out = encode_file(inp, tmp_path / "out.parquet", "xyz", chunk_size=5, errors="coerce")
    res = gpd.read_parquet(out)
    assert res["xyz_0"].isna().tolist() == [i == 17 for i in range(20)]


def test_output_format_checked(tmp_path):
    inp = tmp_path / "in.gpkg"
    _frame().to_file(inp)
    with pytest.raises(GeoEncodeError, match=r"\.gpkg.*\.parquet|\.csv"):
        encode_file(inp, tmp_path / "out.kml", "xyz")
    with pytest.raises(GeoEncodeError, match="does not exist"):
        encode_file(tmp_path / "missing.gpkg", tmp_path / "o.gpkg", "xyz")
    with pytest.raises(GeoEncodeError, match="folder"):
        encode_file(inp, tmp_path / "nope" / "o.gpkg", "xyz")


def test_column_clash(tmp_path):
    src = _frame()
    src["xyz_0"] = 1.0
    inp = tmp_path / "in.gpkg"
    src.to_file(inp)
    with pytest.raises(GeoEncodeError, match="prefix"):
        encode_file(inp, tmp_path / "o.gpkg", "xyz")
    encode_file(inp, tmp_path / "o.gpkg", "xyz", prefix="emb")
    assert {"xyz_0", "emb_0"} <= set(gpd.read_file(tmp_path / "o.gpkg").columns)


def test_multilayer_to_single_table_needs_layer(tmp_path):
    inp = tmp_path / "m.gpkg"
    _frame().to_file(inp, layer="pts")
    _polys().to_file(inp, layer="parcels")
    assert list_layers(inp) == [("pts", "Point"), ("parcels", "Polygon")]
    with pytest.raises(GeoEncodeError, match="--layer"):
        encode_file(inp, tmp_path / "o.parquet", "xyz")
    out = encode_file(inp, tmp_path / "o.parquet", "xyz", layer="parcels")
    assert len(gpd.read_parquet(out)) == 9
    out = encode_file(inp, tmp_path / "o.gpkg", "xyz")
    assert [n for n, _ in pyogrio.list_layers(out)] == ["pts", "parcels"]


@pytest.mark.parametrize("suffix", [".gpkg", ".parquet", ".csv"])
def test_outputs_get_the_permissions_of_any_new_file(tmp_path, suffix):
    inp = tmp_path / "in.gpkg"
    _frame(5).to_file(inp)
    old = os.umask(0o027)
    try:
        out = encode_file(inp, tmp_path / f"out{suffix}", "xyz")
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.gpkg", f"out{suffix}"]


def test_csv_with_torchspatial_coordinate_names(tmp_path):
    p = tmp_path / "eval.csv"
    pd.DataFrame({"gt_longitude": [2.35, 13.4], "gt_latitude": [48.85, 52.5], "hit@1": [1, 0]}).to_csv(p, index=False)
    out = pd.read_csv(encode_file(p, tmp_path / "o.csv", "xyz"))
    ref = gpd.GeoSeries(gpd.points_from_xy([2.35, 13.4], [48.85, 52.5]), crs=4326).geo.encode("xyz")
    np.testing.assert_allclose(out[ref.columns].to_numpy(), ref.to_numpy(), atol=1e-6)
    assert list(out.columns[:3]) == ["gt_longitude", "gt_latitude", "hit@1"]
