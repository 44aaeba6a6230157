"""``geoencode encode`` / ``geoencode list`` end to end, including the QGIS GeoPackage flow."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

import geoencode
import geoencode.gis  # noqa: F401
from geoencode.cli import build_parser, main, parse_param


@pytest.fixture
def qgis_export(tmp_path):
    """What QGIS' "Export → Save Features As… GeoPackage" gives: a projected CRS, several layers."""
    crs = "EPSG:2154"  # RGF93 / Lambert-93, France's national grid
    rng = np.random.default_rng(5)
    x, y = rng.uniform(300_000, 900_000, 30), rng.uniform(6_300_000, 7_000_000, 30)
    trees = gpd.GeoDataFrame({"species": rng.choice(["oak", "ash", "elm"], 30), "height": rng.uniform(2, 30, 30)},
                             geometry=gpd.points_from_xy(x, y), crs=crs)
    parcels = gpd.GeoDataFrame({"parcel": [f"P{i}" for i in range(6)], "area_ha": np.arange(6) * 1.5},
                               geometry=[shapely.box(x[i], y[i], x[i] + 5000, y[i] + 3000) for i in range(6)], crs=crs)
    rivers = gpd.GeoDataFrame({"name": ["Loire", "Seine"]},
                              geometry=[shapely.LineString([(x[0], y[0]), (x[1], y[1]), (x[2], y[2])]),
                                        shapely.LineString([(x[3], y[3]), (x[4], y[4])])], crs=crs)
    path = tmp_path / "project.gpkg"
    trees.to_file(path, layer="trees")
    parcels.to_file(path, layer="parcels")
    rivers.to_file(path, layer="rivers")
    return path, {"trees": trees, "parcels": parcels, "rivers": rivers}


def test_qgis_flow_all_layers(qgis_export, tmp_path):
    path, layers = qgis_export
    before = path.read_bytes()
    out = tmp_path / "project_encoded.gpkg"
    rc = main(["encode", str(path), str(out), "--encoder", "sphereC", "--param", "frequency_num=8",
               "--how", "centroid", "--chunk-size", "7", "--no-progress"])
    assert rc == 0
    assert path.read_bytes() == before  # the input is untouched
    assert [tuple(r) for r in pyogrio.list_layers(out)] == [("trees", "Point"), ("parcels", "Polygon"),
                                                           ("rivers", "LineString")]
    for name, src in layers.items():
        res = gpd.read_file(out, layer=name)
        assert res.crs.equals(src.crs)  # QGIS sees the same CRS
        for col in src.columns.drop("geometry"):
            assert res[col].tolist() == pytest.approx(src[col].tolist()) if src[col].dtype.kind == "f" else \
                res[col].tolist() == src[col].tolist()
        assert res.geometry.geom_equals_exact(src.geometry, tolerance=1e-6).all()
        expected = src.geo.encode("sphereC", frequency_num=8)
        np.testing.assert_allclose(res[expected.columns].to_numpy(), expected.to_numpy(), atol=1e-6)
    # a valid GeoPackage that QGIS registers its layers from
    with sqlite3.connect(out) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        contents = con.execute("SELECT table_name, data_type, srs_id FROM gpkg_contents ORDER BY table_name").fetchall()
        assert contents == [("parcels", "features", 2154), ("rivers", "features", 2154), ("trees", "features", 2154)]
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".")]  # no temporary files left


def test_qgis_flow_one_layer_aggregate(qgis_export, tmp_path):
    path, layers = qgis_export
    out = tmp_path / "parcels.parquet"
    assert main(["encode", str(path), str(out), "--encoder", "xyz", "--layer", "parcels", "--how", "aggregate",
                 "--n-samples", "8", "--random-state", "1", "--prefix", "emb"]) == 0
    res = gpd.read_parquet(out)
    exp = layers["parcels"].geo.encode("xyz", how="aggregate", n_samples=8, random_state=1, prefix="emb")
    assert res.crs.to_epsg() == 2154 and list(res.columns[:2]) == ["parcel", "area_ha"]
    np.testing.assert_allclose(res[exp.columns].to_numpy(), exp.to_numpy(), atol=1e-6)


def test_existing_output_and_input_protection(qgis_export, tmp_path, capsys):
    path, _ = qgis_export
    out = tmp_path / "o.gpkg"
    assert main(["encode", str(path), str(out), "--encoder", "xyz", "--layer", "trees"]) == 0
    mtime = out.stat().st_mtime_ns
    assert main(["encode", str(path), str(out), "--encoder", "xyz", "--layer", "trees"]) == 1
    assert "--overwrite" in capsys.readouterr().err
    assert out.stat().st_mtime_ns == mtime
    assert main(["encode", str(path), str(out), "--encoder", "xyz", "--layer", "trees", "--overwrite"]) == 0
    assert main(["encode", str(path), str(path), "--encoder", "xyz", "--overwrite"]) == 1
    assert "never overwrites its input" in capsys.readouterr().err


def test_errors_and_usage(qgis_export, tmp_path, capsys):
    path, _ = qgis_export
    assert main(["encode", str(path), str(tmp_path / "o.parquet"), "--encoder", "xyz"]) == 1
    assert "--layer" in capsys.readouterr().err
    assert main(["encode", str(path), str(tmp_path / "o.gpkg"), "--encoder", "nope"]) == 1
    assert "unknown encoder" in capsys.readouterr().err
    assert main(["encode", str(path), str(tmp_path / "o.gpkg")]) == 2  # --encoder or --checkpoint required
    assert main(["encode", str(path), str(tmp_path / "o.gpkg"), "--encoder", "xyz", "--param", "oops"]) == 1
    assert main(["--version"]) == 0
    assert not (tmp_path / "o.gpkg").exists()


def test_checkpoint(qgis_export, tmp_path):
    path, layers = qgis_export
    model = geoencode.build("sphereC", frequency_num=4, out_dim=6)
    ckpt = geoencode.save(model, tmp_path / "m.pt")
    out = tmp_path / "o.csv"
    assert main(["encode", str(path), str(out), "--checkpoint", str(ckpt), "--layer", "trees"]) == 0
    res = pd.read_csv(out)
    exp = layers["trees"].geo.encode(model)
    np.testing.assert_allclose(res[exp.columns].to_numpy(), exp.to_numpy(), atol=1e-5)
    assert main(["encode", str(path), str(tmp_path / "x.csv"), "--checkpoint", str(ckpt), "--param", "a=1"]) == 1


def test_csv_lonlat(tmp_path):
    p = tmp_path / "obs.csv"
    pd.DataFrame({"obs": [1, 2], "lng": [-3.7, 12.5], "lat": [40.4, 41.9]}).to_csv(p, index=False)
    assert main(["encode", str(p), str(tmp_path / "o.gpkg"), "--encoder", "wrap"]) == 0
    res = gpd.read_file(tmp_path / "o.gpkg")
    assert res.crs.to_epsg() == 4326 and res["obs"].tolist() == [1, 2]


def test_errors_speak_the_command_line(tmp_path, capsys):
    """Library messages name the flags (``--errors coerce``), not the Python arguments."""
    p = tmp_path / "obs.csv"
    pd.DataFrame({"lon": [2.0, 3.0, 4.0], "lat": [45.0, None, 95.0]}).to_csv(p, index=False)
    out = tmp_path / "o.csv"
    assert main(["encode", str(p), str(out), "--encoder", "xyz"]) == 1
    err = capsys.readouterr().err
    assert "--errors coerce" in err and "errors='coerce'" not in err
    assert "2 of 3 rows" in err and not out.exists()
    assert main(["encode", str(p), str(out), "--encoder", "xyz", "--errors", "coerce"]) == 0
    assert pd.read_csv(out)[["xyz_0"]].isna().sum().item() == 2
    err = capsys.readouterr().err
    assert err.startswith("geoencode: warning: 2 of 3 rows cannot be encoded")
    assert "(--errors coerce)" in err and "errors='coerce'" not in err
    pd.DataFrame({"a": [1.0], "b": [2.0]}).to_csv(p, index=False)
    assert main(["encode", str(p), str(tmp_path / "p.csv"), "--encoder", "xyz"]) == 1
    err = capsys.readouterr().err
    assert "--lon <column>" in err and "lon='<column>'" not in err


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "Sphere2Vec-sphereC" in out and "spherical_harmonics" in out
    assert main(["list", "--json"]) == 0
    assert '"name":"wrap"' in capsys.readouterr().out.replace(" ", "")


def test_parser_structure():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) >= {"encode", "list"}
    assert parse_param("extent=[-180, 180, -90, 90]") == ("extent", [-180, 180, -90, 90])
    assert parse_param("name=None") == ("name", None)


def test_console_entry_point(tmp_path):
    r = subprocess.run([sys.executable, "-c", "import sys; from geoencode.cli import main; sys.exit(main())", "list"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "sphereC" in r.stdout
