"""folium maps (geobias.maps.explore), offline pages and HTML escaping."""

from __future__ import annotations

import json
import os
import re

import folium
import geopandas as gpd
import pytest
from shapely.geometry import box

from geobias.errors import GeoBiasError
from geobias.hotspots import hotspots
from geocommon.atomic import current_umask
from geobias.maps import explore, is_offline, make_offline, remote_resources, save_map
from geobias.maps.leaflet import AuditLayer, _Legend
from geobias.maps.offline import leaflet_assets
from conftest import synthetic_per_centre

CDN_HOSTS = ("cdn.jsdelivr.net", "cdnjs.cloudflare.com", "code.jquery.com", "netdna.bootstrapcdn.com",
             "unpkg.com", "tile.openstreetmap.org", "basemaps.cartocdn.com", "fonts.googleapis.com")

PAYLOADS = [
    "<script>alert('xss')</script>",
    '" onmouseover="alert(1)',
    "' onfocus='alert(2)' autofocus='",
    "<img src=x onerror=alert(3)>",
    "</script><script>alert(4)</script>",
]


@pytest.fixture(scope="module")
def per_centre() -> gpd.GeoDataFrame:
    return synthetic_per_centre(40, site=[f"site {i}" for i in range(40)])


@pytest.fixture(scope="module")
def hs(per_centre):
    return hotspots(per_centre, "acc", k=6, random_state=0)


def layers(m: folium.Map) -> list[AuditLayer]:
    return [c for c in m._children.values() if isinstance(c, AuditLayer)]


def tooltips(m: folium.Map) -> list[str]:
    """The tooltip HTML of every feature of every interactive layer (shared tables resolved)."""
    return [lyr.tips.tips[f["properties"]["i"]] if lyr.tips is not None else f["properties"]["t"]
            for lyr in layers(m) if lyr.interactive for f in lyr.data["features"]]


def test_returns_a_map_with_one_layer_per_quantity(per_centre, hs):
    m = explore(per_centre, "acc", hotspots=hs)
    assert isinstance(m, folium.Map)
    names = [lyr.layer_name for lyr in layers(m)]
    assert names == ["Performance (acc)", "Base SSI", "Relative SSI", "Hot spots (acc)"]
    assert all(len(lyr.data["features"]) == len(per_centre) for lyr in layers(m))
    assert [lyr.show for lyr in layers(m)] == [True, False, False, False]
    assert sum(isinstance(c, folium.LayerControl) for c in m._children.values()) == 1
    legends = [c for lyr in layers(m) for c in lyr._children.values() if isinstance(c, _Legend)]
    assert len(legends) == 4
    html = m.get_root().render()
    assert html.count("L.control.layers(") == 1
    assert "Hot spot (99% confidence)" in html or "Not significant" in html


def test_tooltips_list_value_ssi_class_and_n(per_centre, hs):
    m = explore(per_centre, "acc", hotspots=hs, tooltip=["site"])
    tip = tooltips(m)[0]
    for label in ("Row", "acc", "Base SSI", "Relative SSI", "Neighbours (n)", "Hot spot", "site"):
        assert f"<th>{label}</th>" in tip
    hot_tip = tooltips(m)[-1]
    assert "<th>z</th>" in hot_tip and "<th>p</th>" in hot_tip
    # colours are per feature, hex
    assert all(re.fullmatch(r"#[0-9a-f]{6}", f["properties"]["c"]) for f in layers(m)[0].data["features"])


def test_show_and_layer_selection(per_centre, hs):
    m = explore(per_centre, "acc", hotspots=hs, show="all")
    assert all(lyr.show for lyr in layers(m))
    m = explore(per_centre, "acc", ssi=["relative"], hotspots=hs, show=["hotspots"])
    assert [(lyr.layer_name, lyr.show) for lyr in layers(m)] == [
        ("Performance (acc)", False), ("Relative SSI", False), ("Hot spots (acc)", True)]
    with pytest.raises(GeoBiasError, match="unknown layers"):
        explore(per_centre, "acc", show=["nope"])
    with pytest.raises(GeoBiasError, match="show must be"):
        explore(per_centre, "acc", show="some")


def test_m_adds_to_an_existing_map(per_centre, hs):
    m = folium.Map(tiles=None)
    folium.LayerControl().add_to(m)
    out = explore(per_centre, "acc", m=m, name="model A")
    assert out is m
    explore(per_centre, "acc", hotspots=hs, m=m, name="model B")
    names = [lyr.layer_name for lyr in layers(m)]
    assert "model A: Performance (acc)" in names and "model B: Hot spots (acc)" in names
    controls = [k for k, c in m._children.items() if isinstance(c, folium.LayerControl)]
    assert len(controls) == 1 and list(m._children)[-1] == controls[0]  # moved last, not duplicated


def test_offline_page_loads_nothing_from_the_network(per_centre, hs, tmp_path):
    m = explore(per_centre, "acc", hotspots=hs, offline=True)
    assert is_offline(m)
    out = save_map(m, tmp_path / "map.html")
    html = out.read_text(encoding="utf-8")
    assert remote_resources(html) == []
    for host in CDN_HOSTS:
        assert host not in html
    assert not re.search(r"<(script|link)[^>]+(src|href)=", html)
    js, css = leaflet_assets()
    assert js[:200] in html and "Leaflet 1.9.4" in html and "data:image/png;base64," in html
    assert "Natural Earth 1:110m (offline)" in html
    # the online default does use the CDNs and a tile server (what offline removes)
    online = explore(per_centre, "acc").get_root().render()
    assert any(h in online for h in CDN_HOSTS) and remote_resources(online)


def test_make_offline_on_a_user_map_removes_tiles():
    m = folium.Map(tiles="OpenStreetMap")
    make_offline(m)
    assert make_offline(m) is m  # idempotent
    html = m.get_root().render()
    assert remote_resources(html) == []
    assert html.count("Leaflet 1.9.4") >= 1


def test_save_map_is_atomic_and_checks_offline_pages(per_centre, tmp_path):
    target = tmp_path / "map.html"
    target.write_text("old")
    m = explore(per_centre, "acc", offline=True)
    folium.TileLayer("OpenStreetMap").add_to(m)  # a plugin/tile layer added afterwards
    with pytest.raises(GeoBiasError, match="remote resources"):
        save_map(m, target, overwrite=True)
    assert target.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["map.html"]  # no temporary file left
    with pytest.raises(GeoBiasError, match="already exists; pass overwrite=True"):
        save_map(explore(per_centre, "acc"), target)  # no clobbering by default
    assert target.read_text() == "old"
    save_map(explore(per_centre, "acc"), target, overwrite=True)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(os.listdir(tmp_path)) == ["map.html"]
    nested = save_map(explore(per_centre, "acc"), tmp_path / "new" / "m.html")  # folders are created
    assert nested.stat().st_mode & 0o777 == 0o666 & ~current_umask()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_user_strings_are_escaped(per_centre, payload):
    """Payloads in column names, values, row labels and the layer-name prefix are shown, never run."""
    g = per_centre.copy()
    g.index = [payload if i == 0 else f"r{i}" for i in range(len(g))]
    g = g.rename(columns={"acc": f"acc {payload}", "site": payload})
    g[payload] = [payload] * len(g)
    hs_ = hotspots(g, f"acc {payload}", k=6, random_state=0)
    m = explore(g, f"acc {payload}", hotspots=hs_, tooltip=[payload], name=payload, offline=True)
    html = m.get_root().render()
    # the raw payload never appears in the page, in any encoding a browser would execute
    for needle in (payload, "<script>alert", "<img src=x", 'onmouseover="', "onmouseover=\\\"",
                   "onfocus='", "</script><script>alert"):
        assert needle not in html, needle
    # ... and is shown escaped in every tooltip, legend and layer name
    escaped = payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") \
        .replace('"', "&quot;").replace("'", "&#x27;")
    tips = tooltips(m)
    assert all("<script" not in t and "<img" not in t for t in tips)
    assert all(escaped in t for t in tips[: len(g)])
    assert all(lyr.layer_name.startswith(escaped) for lyr in layers(m) if lyr.interactive)
    legends = [c.html for lyr in layers(m) for c in lyr._children.values() if isinstance(c, _Legend)]
    assert legends and all(escaped in h and "<script" not in h for h in legends)
    # the embedded JSON decodes back to the escaped strings (Jinja's HTML-safe tojson)
    starts = [mt.end() for mt in re.finditer(r"L\.geoJSON\(", html)]
    assert len(starts) == len(layers(m))
    decoded = [json.JSONDecoder().raw_decode(html, i)[0] for i in starts]
    table = re.search(r"var geo_bias_tips_\w+ = ", html)
    assert table is not None
    shared = json.JSONDecoder().raw_decode(html, table.end())[0]
    embedded = [f["properties"].get("t") or shared[f["properties"]["i"]] for d in decoded
                for f in d["features"] if "i" in f["properties"] or f["properties"].get("t")]
    assert embedded == tooltips(m)


def test_non_point_and_projected_geometries(per_centre):
    polys = gpd.GeoDataFrame({"relative": [0.1, 0.9]}, geometry=[box(0, 40, 5, 45), box(10, 50, 15, 55)],
                             crs=4326).to_crs(3035)
    m = explore(polys)
    feats = layers(m)[0].data["features"]
    assert feats[0]["geometry"]["type"] == "Polygon"
    xs = [pt[0] for pt in feats[0]["geometry"]["coordinates"][0]]
    assert -1 < min(xs) and max(xs) < 6  # back in degrees
    proj = explore(per_centre.to_crs(3857), "acc")
    lon = layers(proj)[0].data["features"][0]["geometry"]["coordinates"][0]
    assert abs(lon - per_centre.geometry.x.iloc[0]) < 1e-5


def test_bad_inputs(per_centre):
    with pytest.raises(GeoBiasError, match="value column 'nope' not found"):
        explore(per_centre, "nope")
    with pytest.raises(GeoBiasError, match="ssi column"):
        explore(per_centre, "acc", ssi=["x"])
    with pytest.raises(GeoBiasError, match="set_crs"):
        explore(per_centre.set_crs(None, allow_override=True), "acc")
    with pytest.raises(GeoBiasError, match="folium.Map"):
        explore(per_centre, "acc", m="map")
    with pytest.raises(GeoBiasError, match="nothing to map"):
        explore(per_centre[["geometry", "n_neighbours"]])
    with pytest.raises(GeoBiasError, match="numeric"):
        explore(per_centre, "site")
    with pytest.raises(GeoBiasError, match="hotspots must be"):
        explore(per_centre, "acc", hotspots=per_centre)
    with pytest.raises(GeoBiasError, match="empty"):
        explore(per_centre.iloc[:0], "acc")


@pytest.mark.parametrize("radius", [0, -1.0, float("nan"), True])
def test_bad_marker_radius_is_refused(per_centre, radius):
    with pytest.raises(GeoBiasError, match="radius must be a finite number > 0"):
        explore(per_centre, "acc", radius=radius)


def _legend_html(m: folium.Map, layer_name: str) -> str:
    lyr = next(lyr for lyr in layers(m) if lyr.layer_name == layer_name)
    return next(c.html for c in lyr._children.values() if isinstance(c, _Legend))


def test_ssi_colour_scale_is_clipped_to_percentiles(per_centre):
    import numpy as np

    g = per_centre.copy()
    g.loc[g.index[3], "base"] = 80.0  # one outlying centre
    lo, hi = np.percentile(g["base"], [2, 98], method="nearest")
    m = explore(g, "acc")
    legend = _legend_html(m, "Base SSI")
    assert hi < 1 and f"Base SSI (colour clipped to 2nd–98th percentile: {lo:.3g}–{hi:.3g})" in legend
    assert f"<span>{hi:.3g}</span>" in legend and "<span>80</span>" not in legend  # the outlier sets no tick
    base = next(lyr for lyr in layers(m) if lyr.layer_name == "Base SSI")
    colors = [f["properties"]["c"] for f in base.data["features"]]
    top = colors[int(np.argmax(np.where(np.arange(len(g)) == 3, -np.inf, g["base"])))]
    assert colors[3] == top  # past the range: the end colour
    assert len(set(colors)) > len(g) // 2  # the other centres spread over the scale
    assert "clipped" not in _legend_html(m, "Performance (acc)")
    full = explore(g, "acc", clip_percentiles=None)
    legend = _legend_html(full, "Base SSI")
    assert "clipped" not in legend and "<span>80</span>" in legend
    with pytest.raises(GeoBiasError, match="clip_percentiles must be None"):
        explore(g, "acc", clip_percentiles=(90, 10))
