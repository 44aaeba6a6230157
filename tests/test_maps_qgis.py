"""GeoPackages with QGIS styles in ``layer_styles`` (geobias.maps.to_gpkg), checked without QGIS.

The same files are opened by real QGIS in tests/test_qgis_integration.py.
"""

from __future__ import annotations

import os
import sqlite3
import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pyogrio
import pytest

from geobias.errors import GeoBiasError
from geobias.hotspots import HOTSPOT_CLASSES, HOTSPOT_COLORS, hotspots
from geobias.maps import read_layer_styles, to_gpkg
from geobias.maps.qgis import categorized_qml, graduated_qml
from conftest import synthetic_per_centre


@pytest.fixture(scope="module")
def per_centre() -> gpd.GeoDataFrame:
    return synthetic_per_centre(60, index=[f"s{i}" for i in range(60)])


@pytest.fixture(scope="module")
def gpkg(per_centre, tmp_path_factory):
    hs = hotspots(per_centre, "acc", k=8, random_state=0)
    return to_gpkg(tmp_path_factory.mktemp("gpkg") / "audit.gpkg", per_centre, hs, value="acc"), hs


def parse_qml(qml: str) -> ET.Element:
    assert qml.startswith("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>")
    return ET.fromstring(qml)  # the parser accepts the DOCTYPE line


def test_layers_and_data_round_trip(gpkg, per_centre):
    path, hs = gpkg
    listed = {name: kind for name, kind in pyogrio.list_layers(path)}
    assert listed == {"per_centre": "Point", "hotspots": "Point", "layer_styles": None}
    back = gpd.read_file(path, layer="per_centre")
    assert back["row"].tolist() == per_centre.index.tolist()  # row labels kept for joins
    np.testing.assert_allclose(back["relative"], per_centre["relative"])
    assert back.crs.to_epsg() == 4326
    hot = gpd.read_file(path, layer="hotspots")
    assert hot["hotspot"].tolist() == hs.frame["hotspot"].astype(str).tolist()
    np.testing.assert_allclose(hot["z"], hs.frame["z"])


def test_layer_styles_table_is_what_qgis_reads(gpkg):
    path, _ = gpkg
    styles = read_layer_styles(path)
    assert styles[["f_table_name", "styleName", "useAsDefault"]].values.tolist() == [
        ["per_centre", "Relative SSI", 1], ["per_centre", "Base SSI", 0],
        ["per_centre", "Performance (acc)", 0], ["hotspots", "Hot-spot classes", 1],
    ]
    with sqlite3.connect(path) as con:
        geom = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
        contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
        cols = [r[1] for r in con.execute("PRAGMA table_info(layer_styles)")]
    # QGIS: f_table_schema='' AND f_table_name=<layer> AND f_geometry_column=<geometry column>
    assert (styles["f_table_schema"] == "").all() and (styles["f_table_catalog"] == "").all()
    assert all(styles["f_geometry_column"] == styles["f_table_name"].map(geom))
    assert contents["layer_styles"] == "attributes"
    assert cols == ["id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
                    "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"]
    assert styles.groupby("f_table_name")["useAsDefault"].sum().to_dict() == {"hotspots": 1, "per_centre": 1}


def test_hotspot_style_is_categorized_by_class(gpkg):
    path, _ = gpkg
    styles = read_layer_styles(path).set_index("styleName")
    r = parse_qml(styles.loc["Hot-spot classes", "styleQML"]).find("renderer-v2")
    assert r.get("type") == "categorizedSymbol" and r.get("attr") == "hotspot"
    cats = [(c.get("value"), c.get("symbol")) for c in r.find("categories")]
    assert [v for v, _ in cats] == list(HOTSPOT_CLASSES[:7])
    syms = {s.get("name"): s for s in r.find("symbols")}
    for value, sym in cats:
        color = next(o.get("value") for o in syms[sym].iter("Option") if o.get("name") == "color")
        expected = tuple(int(HOTSPOT_COLORS[value][i:i + 2], 16) for i in (1, 3, 5))
        assert tuple(int(x) for x in color.split(",")[:3]) == expected
        assert syms[sym].get("type") == "marker"
    sld = ET.fromstring(styles.loc["Hot-spot classes", "styleSLD"].encode())
    assert sld.tag.endswith("StyledLayerDescriptor") and len(list(sld.iter("{http://www.opengis.net/se}Rule"))) == 7


def test_ssi_style_is_graduated(gpkg, per_centre):
    path, _ = gpkg
    styles = read_layer_styles(path).set_index("styleName")
    for name, attr in (("Relative SSI", "relative"), ("Base SSI", "base"), ("Performance (acc)", "acc")):
        r = parse_qml(styles.loc[name, "styleQML"]).find("renderer-v2")
        assert r.get("type") == "graduatedSymbol" and r.get("attr") == attr
        ranges = [(float(x.get("lower")), float(x.get("upper"))) for x in r.iter("range")]
        assert len(ranges) == 5
        assert ranges[0][0] == pytest.approx(per_centre[attr].min())
        assert ranges[-1][1] == pytest.approx(per_centre[attr].max())
        assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
        ET.fromstring(styles.loc[name, "styleSLD"].encode())


def test_qml_builders_escape_and_degenerate_values():
    qml = categorized_qml('a"<b>', {"x & <y>": "red"})
    r = parse_qml(qml).find("renderer-v2")
    assert r.get("attr") == 'a"<b>' and r.find("categories")[0].get("value") == "x & <y>"
    r = parse_qml(graduated_qml("v", [1.0, 1.0, 1.0])).find("renderer-v2")
    assert len(list(r.iter("range"))) == 1
    with pytest.raises(GeoBiasError, match="no finite values"):
        graduated_qml("v", [np.nan])


def test_polygon_layers_and_extra_layers(tmp_path):
    from shapely.geometry import box

    polys = gpd.GeoDataFrame({"relative": [0.1, 0.9, 0.5]},
                             geometry=[box(0, 0, 1, 1), box(2, 2, 3, 3), box(4, 4, 5, 5)], crs=4326)
    pts = gpd.GeoDataFrame({"v": [1]}, geometry=gpd.points_from_xy([0], [0]), crs=4326)
    out = to_gpkg(tmp_path / "p.gpkg", polys, layers={"samples": pts})
    styles = read_layer_styles(out)
    assert styles["f_table_name"].tolist() == ["per_centre"]
    sym = parse_qml(styles["styleQML"][0]).find("renderer-v2/symbols/symbol")
    assert sym.get("type") == "fill"
    assert {n for n, _ in pyogrio.list_layers(out)} == {"per_centre", "samples", "layer_styles"}


def test_atomic_and_errors(per_centre, tmp_path):
    target = tmp_path / "a.gpkg"
    to_gpkg(target, per_centre)
    before = target.read_bytes()
    with pytest.raises(GeoBiasError, match="exists; pass overwrite=True"):
        to_gpkg(target, per_centre)  # no clobbering by default
    with pytest.raises(GeoBiasError, match="value column"):
        to_gpkg(target, per_centre, value="nope")
    with pytest.raises(GeoBiasError, match="nothing to write"):
        to_gpkg(target)
    with pytest.raises(GeoBiasError, match=".gpkg"):
        to_gpkg(tmp_path / "a.sqlite", per_centre)
    with pytest.raises(GeoBiasError, match="hotspots must be"):
        to_gpkg(target, hotspots=per_centre)
    with pytest.raises(GeoBiasError, match="used twice"):
        to_gpkg(target, per_centre, layers={"per_centre": per_centre})
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["a.gpkg"]
    to_gpkg(target, per_centre.iloc[:2], overwrite=True)
    assert len(pyogrio.read_dataframe(target, layer="per_centre")) == 2
    assert os.listdir(tmp_path) == ["a.gpkg"]


@pytest.mark.parametrize("classes", [0, True, 2.5])
def test_bad_class_counts_are_refused(classes):
    with pytest.raises(GeoBiasError, match="classes must be an integer >= 1"):
        graduated_qml("relative", [0.0, 0.5, 1.0], classes=classes)
