"""Hot-spot analysis (geobias.hotspots): esda Gi* / local Moran on GeoDataFrames with PySAL weights."""

from __future__ import annotations

import inspect
import warnings

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from libpysal.graph import Graph

from geobias.errors import GeoBiasError, GeoBiasWarning
from geobias.hotspots import (
    HOTSPOT_CLASSES,
    HOTSPOT_COLORS,
    HotSpots,
    classify,
    great_circle_weights,
    hotspots,
    lonlat_degrees,
)


def grid(values: np.ndarray | None = None, n: int = 10, index=None) -> gpd.GeoDataFrame:
    """n x n points over Europe; default values rise from west to east."""
    lon, lat = np.meshgrid(np.arange(float(n)), np.arange(40.0, 40.0 + n))
    lon, lat = lon.ravel(), lat.ravel()
    if values is None:
        values = lon / n + 0.05
    return gpd.GeoDataFrame({"acc": values}, geometry=gpd.points_from_xy(lon, lat), crs=4326, index=index)


def test_gradient_gives_cold_west_hot_east():
    g = grid()
    hs = hotspots(g, "acc", k=8, random_state=0)
    assert isinstance(hs, HotSpots)
    lon = g.geometry.x.to_numpy()
    west = hs.frame["hotspot"].to_numpy()[lon == 0]
    east = hs.frame["hotspot"].to_numpy()[lon == 9]
    assert set(west) == {"Cold spot (99% confidence)"}
    assert set(east) == {"Hot spot (99% confidence)"}
    assert (hs.frame.loc[lon == 9, "bin"] == 3).all() and (hs.frame.loc[lon == 0, "bin"] == -3).all()
    assert hs.counts().sum() == len(g)
    assert list(hs.counts().index) == list(HOTSPOT_CLASSES)
    assert set(HOTSPOT_COLORS) == set(HOTSPOT_CLASSES)


def test_z_is_getis_ord_gi_star_and_matches_esda_binary():
    g = grid(np.random.default_rng(1).random(100))
    w = great_circle_weights(g, k=6)
    hs = hotspots(g, "acc", w=w, random_state=3)
    ref = esda.G_Local(g["acc"].to_numpy(), w.assign_self_weight(1), transform="B", star=True,
                       permutations=0)
    np.testing.assert_allclose(hs.z, ref.Zs, rtol=1e-10)
    # and the textbook formula (ArcGIS GiZScore)
    W = w.assign_self_weight(1).sparse.toarray()
    y = g["acc"].to_numpy()
    n, ybar = y.size, y.mean()
    s = np.sqrt((y**2).mean() - ybar**2)
    z = (W @ y - ybar * W.sum(1)) / (s * np.sqrt((n * (W**2).sum(1) - W.sum(1) ** 2) / (n - 1)))
    np.testing.assert_allclose(hs.z, z, rtol=1e-10)


def test_seed_makes_permutations_reproducible():
    g = grid(np.random.default_rng(2).random(100))
    a = hotspots(g, "acc", k=6, random_state=7)
    b = hotspots(g, "acc", k=6, random_state=7)
    np.testing.assert_array_equal(a.p, b.p)
    assert (a.frame["hotspot"] == b.frame["hotspot"]).all()
    p = a.p
    assert ((p > 0) & (p <= 1)).all()
    assert p.min() >= 2 / 1000  # two-sided, 999 permutations


def test_ties_do_not_make_discrete_data_significant():
    """0/1 hits: an all-miss neighbourhood is common under randomness, not a cold spot."""
    rng = np.random.default_rng(0)
    y = (rng.random(100) < 0.3).astype(float)  # 70 % misses
    g = grid(y)
    hs = hotspots(g, "acc", k=4, random_state=0)
    w = great_circle_weights(g, k=4)
    card = w.assign_self_weight(1)
    all_miss = np.array([y[[g.index.get_loc(j) for j in card[i].index]].sum() == 0 for i in g.index])
    assert all_miss.any()
    # P(5 misses in a row) ~ 0.7**5 = 0.17: two-sided p well above 0.1
    assert (hs.p[all_miss] > 0.1).all()
    assert (hs.frame.loc[all_miss, "hotspot"] == "Not significant").all()
    # esda's folded p_sim counts the ties as extreme and would call them significant
    assert (hs.p_sim[all_miss] < 0.05).any()


def test_given_graph_is_aligned_by_label_not_position():
    labels = [f"s{i}" for i in range(100)]
    g = grid(np.random.default_rng(3).random(100), index=labels)
    w = great_circle_weights(g, k=5)
    # the same graph with its ids in another order
    adj = w.adjacency.reset_index()
    shuffled = adj.sample(frac=1.0, random_state=0)
    w2 = Graph.from_arrays(shuffled["focal"].to_numpy(), shuffled["neighbor"].to_numpy(), shuffled["weight"].to_numpy())
    assert list(w2.unique_ids) != labels
    a = hotspots(g, "acc", w=w, random_state=1)
    b = hotspots(g, "acc", w=w2, random_state=1)
    assert b.frame.index.tolist() == labels
    np.testing.assert_allclose(a.frame["z"].to_numpy(), b.frame["z"].to_numpy())
    assert b.w is w2


def test_weights_object_w_is_accepted():
    g = grid(np.random.default_rng(4).random(100))
    gr = great_circle_weights(g, k=5)
    a = hotspots(g, "acc", w=gr, permutations=0)
    b = hotspots(g, "acc", w=gr.to_W(), permutations=0)
    np.testing.assert_allclose(a.z, b.z)


def test_audit_style_graph_with_self_loops():
    """The audit's neighbourhood graph lists each centre as its own neighbour."""
    g = grid(np.random.default_rng(5).random(100))
    w = great_circle_weights(g, radius_km=160)
    with_self = w.assign_self_weight(1)
    gi_a = hotspots(g, "acc", w=w, permutations=0)
    gi_b = hotspots(g, "acc", w=with_self, permutations=0)
    np.testing.assert_allclose(gi_a.z, gi_b.z)  # Gi* includes self either way
    mo_a = hotspots(g, "acc", w=w, method="moran", random_state=0)
    mo_b = hotspots(g, "acc", w=with_self, method="moran", random_state=0)
    np.testing.assert_allclose(mo_a.p, mo_b.p)  # local Moran excludes self either way
    assert (mo_a.frame["n_neighbours"] == mo_b.frame["n_neighbours"]).all()


def test_fdr_is_more_conservative():
    g = grid(np.random.default_rng(6).random(100) + np.linspace(0, 0.6, 100))
    plain = hotspots(g, "acc", k=8, random_state=0)
    fdr = hotspots(g, "acc", k=8, random_state=0, fdr=True)
    sig = lambda h: int((h.frame["hotspot"] != "Not significant").sum())  # noqa: E731
    assert sig(fdr) <= sig(plain)
    assert sig(plain) > 0


def test_local_moran_clusters_and_outliers():
    y = np.where(grid().geometry.x.to_numpy() >= 5, 1.0, 0.0) + np.random.default_rng(0).normal(0, 0.05, 100)
    y[np.argmin(np.abs(grid().geometry.x - 8) + np.abs(grid().geometry.y - 45))] = -0.2  # a low point among highs
    g = grid(y)
    hs = hotspots(g, "acc", k=8, method="moran", random_state=0)
    fr = hs.frame
    assert "quadrant" in fr.columns
    assert (fr.loc[fr["hotspot"].astype(str).str.startswith("Hot"), "quadrant"] == "HH").all()
    assert (fr.loc[fr["hotspot"].astype(str).str.startswith("Cold"), "quadrant"] == "LL").all()
    assert (fr["hotspot"] == "Low-high outlier").sum() >= 1
    assert fr["hotspot"].astype(str).str.startswith("Hot").sum() > 5


def test_analytic_inference():
    g = grid()
    hs = hotspots(g, "acc", k=8, permutations=0)
    from scipy import stats

    np.testing.assert_allclose(hs.p, 2 * stats.norm.sf(np.abs(hs.z)))
    assert hs.p_sim is None
    m = hotspots(g, "acc", k=8, permutations=0, method="moran")
    assert np.isfinite(m.z).all()


def test_frame_keeps_index_crs_and_geometry():
    g = grid(index=pd.Index([f"r{i}" for i in range(100)], name="sample")).to_crs(3857)
    hs = hotspots(g, "acc", k=8, random_state=0)
    assert hs.frame.index.equals(g.index)
    assert hs.frame.crs == g.crs
    assert hs.frame.columns.tolist() == ["geometry", "acc", "z", "p", "hotspot", "bin", "n_neighbours"]
    assert isinstance(hs.frame["hotspot"].dtype, pd.CategoricalDtype)
    assert "gi_star" in repr(hs) and hs.label == "Gi* hot spots of 'acc'"
    # weights built on lon/lat even though the frame is projected: 8 neighbours each
    assert (hs.frame["n_neighbours"] == 8).all()


def test_output_column_name_clash():
    g = grid().rename(columns={"acc": "z"})
    hs = hotspots(g, "z", k=4, permutations=0)
    assert "z_value" in hs.frame.columns and hs.value_column == "z_value"


def test_great_circle_weights_cross_the_antimeridian():
    g = gpd.GeoDataFrame(geometry=gpd.points_from_xy([179.9, -179.9, 0.0], [0.0, 0.0, 0.0]), crs=4326)
    w = great_circle_weights(g, radius_km=50)
    assert ("0", "1") not in w.adjacency.index  # ids are the integer labels
    assert w.adjacency.loc[(0, 1)] == 1 and w.adjacency.loc[(1, 0)] == 1
    assert w.isolates.tolist() == [2]


def test_isolates_warn_and_stay_untested():
    lon = np.r_[np.arange(10.0) * 0.1, 60.0]
    g = gpd.GeoDataFrame({"acc": np.r_[np.linspace(0, 1, 10), 0.5]},
                         geometry=gpd.points_from_xy(lon, np.zeros(11)), crs=4326)
    with pytest.warns(GeoBiasWarning, match="no neighbours"):
        hs = hotspots(g, "acc", radius_km=30, random_state=0)
    assert np.isnan(hs.frame.loc[10, "p"]) and hs.frame.loc[10, "hotspot"] == "Not significant"
    assert hs.frame.loc[10, "n_neighbours"] == 0
    with pytest.raises(GeoBiasError, match="none of the 11 locations has a neighbour.*larger radius_km"):
        hotspots(g, "acc", radius_km=5, random_state=0)


def test_k_and_radius_combined_caps_both():
    g = grid()
    w = great_circle_weights(g, k=3, radius_km=120)
    card = w.cardinalities.to_numpy()
    assert card.max() <= 3 and card.min() >= 2


def test_classify_levels_and_fdr():
    z = np.array([3, 2.2, 1.8, 0.1, -1.7, -2.1, -3, np.nan])
    p = np.array([0.005, 0.03, 0.08, 0.5, 0.09, 0.04, 0.001, np.nan])
    out = classify(z, p).tolist()
    assert out == [
        "Hot spot (99% confidence)", "Hot spot (95% confidence)", "Hot spot (90% confidence)",
        "Not significant", "Cold spot (90% confidence)", "Cold spot (95% confidence)",
        "Cold spot (99% confidence)", "Not significant",
    ]
    strict = classify(z, p, fdr=True)
    assert (pd.Series(strict) != "Not significant").sum() <= (pd.Series(out) != "Not significant").sum()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"column": "nope"}, "column 'nope' not found"),
        ({"column": "acc", "method": "kriging"}, "method must be"),
        ({"column": "acc", "k": 100}, "k=100 needs at least"),
        ({"column": "acc", "k": 0}, "k must be a positive integer"),
        ({"column": "acc", "radius_km": -5}, "radius_km must be a positive"),
        ({"column": "acc", "permutations": -1}, "permutations must be"),
        ({"column": "acc", "random_state": "x"}, "random_state must be"),
        ({"column": "acc", "permutations": True}, r"permutations must be an integer >= 0 \(not a bool\), got True"),
        ({"column": "acc", "permutations": 9.5}, r"permutations must be an integer >= 0, got 9\.5 \(float\)"),
        ({"column": "acc", "random_state": True}, r"random_state must be an integer \(not a bool\), got True"),
    ],
)
def test_bad_parameters_are_named(kwargs, match):
    with pytest.raises(GeoBiasError, match=match):
        hotspots(grid(), **kwargs)


def test_bad_inputs_are_explained():
    g = grid()
    with pytest.raises(GeoBiasError, match="set_crs"):
        hotspots(g.set_crs(None, allow_override=True), "acc")
    nan = g.copy()
    nan.loc[[3, 17], "acc"] = np.nan
    with pytest.raises(GeoBiasError, match=r"rows \[3, 17\]"):
        hotspots(nan, "acc")
    with pytest.raises(GeoBiasError, match="non-negative"):
        hotspots(g.assign(acc=g["acc"] - 0.5), "acc")
    hotspots(g.assign(acc=g["acc"] - 0.5), "acc", method="moran", permutations=0)  # fine for Moran
    with pytest.raises(GeoBiasError, match="constant"):
        hotspots(g.assign(acc=1.0), "acc")
    with pytest.raises(GeoBiasError, match="numeric"):
        hotspots(g.assign(acc="x"), "acc")
    with pytest.raises(GeoBiasError, match="not both"):
        hotspots(g, "acc", w=great_circle_weights(g, k=3), k=3)
    with pytest.raises(GeoBiasError, match="subgraph"):
        hotspots(g.iloc[:50], "acc", w=great_circle_weights(g, k=3))
    with pytest.raises(GeoBiasError, match="libpysal"):
        hotspots(g, "acc", w=np.eye(100))
    with pytest.raises(GeoBiasError, match="duplicate"):
        hotspots(pd.concat([g, g]), "acc")
    with pytest.raises(GeoBiasError, match="GeoDataFrame"):
        hotspots(pd.DataFrame(g.drop(columns="geometry")), "acc")


def test_no_stray_warnings_on_clean_input():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hotspots(grid(), "acc", k=8, random_state=0)
        hotspots(grid(), "acc", k=8, random_state=0, method="moran")


def test_hotspots_passes_every_keyword_to_the_class():
    g = grid()
    kw = dict(method="moran", k=5, permutations=99, random_state=1, fdr=True)
    hs, cls = hotspots(g, "acc", **kw), HotSpots(g, "acc", **kw)
    assert (hs.method, hs.permutations, hs.random_state, hs.fdr) == ("moran", 99, 1, True)
    assert hs.w.cardinalities.max() == 5
    pd.testing.assert_frame_equal(hs.frame, cls.frame)
    assert inspect.signature(hotspots).parameters == inspect.signature(HotSpots).parameters


def test_classes_keep_their_old_import_path():
    import geobias.hotspot_classes as classes
    import geobias.hotspots as old

    for name in ("HOTSPOT_CLASSES", "HOTSPOT_COLORS", "classify", "_BIN_OF", "_LEVELS"):
        assert getattr(old, name) is getattr(classes, name), name
    assert set(classes.HOTSPOT_COLORS) == set(classes.HOTSPOT_CLASSES)
    assert [classes._BIN_OF[c] for c in classes.HOTSPOT_CLASSES] == [3, 2, 1, 0, -1, -2, -3, 0, 0]


def test_lonlat_degrees_from_any_crs_and_geometry():
    polygon = gpd.GeoSeries([shapely.box(9.0, 49.0, 11.0, 51.0)], crs=4326)
    g = gpd.GeoDataFrame(geometry=pd.concat([gpd.GeoSeries(gpd.points_from_xy([2.3522], [48.8566]), crs=4326),
                                             polygon], ignore_index=True), crs=4326)
    ll = lonlat_degrees(g.to_crs(3857))
    np.testing.assert_allclose(ll[0], [2.3522, 48.8566], atol=1e-9)
    assert shapely.box(9.0, 49.0, 11.0, 51.0).contains(shapely.Point(ll[1]))  # a representative point
    with pytest.raises(GeoBiasError, match="no CRS"):
        lonlat_degrees(g.set_crs(None, allow_override=True))
