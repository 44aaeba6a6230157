"""compare(): Table-2 style table; geolocalization thresholds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import geobias
from geobias import GeoBiasError, SCALES


@pytest.fixture(scope="module")
def models():
    rng = np.random.default_rng(0)
    n = 300
    xy = pd.DataFrame({"lon": rng.uniform(0, 4, n), "lat": rng.uniform(40, 44, n)})
    cluster = ((xy.lon - 2) ** 2 + (xy.lat - 42) ** 2 < 1).to_numpy()
    unaware = pd.DataFrame({"hit@1": rng.integers(0, 2, n).astype(float)})  # no coordinates
    random_model = xy.assign(**{"hit@1": rng.integers(0, 2, n).astype(float)})
    biased = xy.assign(**{"hit@1": (~cluster).astype(float)})
    return {"No Prior": unaware, "random": random_model, "biased": biased}


def test_table_and_flags(models):
    table = geobias.compare(models, marks="pm1", radius_km=150, progress=False)
    assert list(table.index) == ["No Prior", "random", "biased"]
    assert list(table.columns) == ["hit@1", "base", "relative", "base_flag", "relative_flag"]
    assert table.attrs["baseline"] == "No Prior"
    assert bool(table.loc["biased", "relative_flag"])
    assert not bool(table.loc["No Prior", "relative_flag"])
    # unmarked scores over all samples only depend on the (shared) locations
    assert table["base"].nunique() == 1


def test_missing_coordinates_must_align(models):
    bad = dict(models, **{"No Prior": models["No Prior"].iloc[:10]})
    with pytest.raises(GeoBiasError, match="same samples"):
        geobias.compare(bad, progress=False)


def test_geolocalization_scales():
    rng = np.random.default_rng(1)
    n = 200
    df = pd.DataFrame({"lon": rng.uniform(0, 3, n), "lat": rng.uniform(0, 3, n),
                       "haversine_distance_km": rng.exponential(300, n)})
    table = geobias.audit_geolocalization(df, progress=False)
    assert list(table.index) == list(SCALES)
    assert list(table["threshold_km"]) == [1.0, 25.0, 200.0, 750.0, 2500.0]
    assert (np.diff(table["accuracy"].to_numpy()) >= 0).all()
    marks = geobias.make_marks(np.array([0.5, 25.0, 30.0]), threshold=SCALES["city"])
    assert marks.tolist() == [1.0, -1.0, -1.0]


@pytest.mark.parametrize("names", [("gt_longitude", "gt_latitude"), ("lng", "Latitude")])
def test_coordinate_aliases_count_as_coordinates(models, names, tmp_path):
    # the aliases the audit reads are the aliases compare borrows coordinates from
    aliased = {n: (m.rename(columns=dict(zip(("lon", "lat"), names))) if "lon" in m else m) for n, m in models.items()}
    paths = {}
    for n, m in aliased.items():
        paths[n] = tmp_path / f"{n}.csv"
        m.to_csv(paths[n])
    table = geobias.compare(paths, marks="pm1", radius_km=150, progress=False)
    ref = geobias.compare(models, marks="pm1", radius_km=150, progress=False)
    pd.testing.assert_frame_equal(table, ref, check_exact=False, rtol=1e-12)


def test_coordinates_are_borrowed_from_a_geodataframe(models):
    import geopandas as gpd

    xy = models["random"]
    donor = gpd.GeoDataFrame(xy[["hit@1"]], geometry=gpd.points_from_xy(xy["lon"], xy["lat"]), crs=4326).to_crs(3857)
    table = geobias.compare({"No Prior": models["No Prior"], "random": donor}, radius_km=150, progress=False)
    ref = geobias.compare({"No Prior": models["No Prior"], "random": xy}, radius_km=150, progress=False)
    np.testing.assert_allclose(table[["base", "relative"]], ref[["base", "relative"]], rtol=1e-9)


@pytest.mark.parametrize("ratio", [0, -1.3, float("inf"), True])
def test_bad_flag_ratio_is_refused_before_the_audits(models, ratio):
    with pytest.raises(GeoBiasError, match="flag_ratio must be a finite number > 0"):
        geobias.compare(models, flag_ratio=ratio, progress=False)
