"""Bad input → a clear GeoBiasError or a defined result with a GeoBiasWarning."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import geobias
from geobias import GeoBiasError, GeoBiasWarning


def frame(n=40, seed=0, **cols):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"lon": rng.uniform(10, 11, n), "lat": rng.uniform(45, 46, n),
                       "hit@1": rng.integers(0, 2, n).astype(float)})
    return df.assign(**cols)


def run(df, **kw):
    kw.setdefault("progress", False)
    return geobias.audit(df, **kw)


def test_missing_value_column():
    with pytest.raises(GeoBiasError, match=r"value column 'acc' not found.*hit@1"):
        run(frame(), value="acc")


def test_missing_coordinate_columns():
    with pytest.raises(GeoBiasError, match="no longitude and no latitude column"):
        run(frame().drop(columns=["lon", "lat"]))


def test_nan_performance_dropped_and_counted():
    df = frame()
    df.loc[[3, 17], "hit@1"] = np.nan
    with pytest.warns(GeoBiasWarning, match=r"dropped 2 rows .*rows \[3, 17\]"):
        res = run(df)
    assert res.n_dropped_nan == 2 and res.n_samples == 38
    assert 3 not in res.per_centre.index and np.isfinite(res.base)


def test_rows_without_coordinates_dropped_and_counted():
    df = frame()
    df.loc[[0, 5, 9], "lon"] = np.nan
    with pytest.warns(GeoBiasWarning, match="dropped 3 rows without coordinates"):
        res = run(df)
    assert res.n_dropped_coords == 3
    assert "3 without coordinates dropped" in repr(res)


def test_lat_out_of_range_suggests_swap():
    df = frame()
    df.loc[[3, 17], "lat"] = [120.0, -95.0]
    with pytest.raises(GeoBiasError, match=r"lat outside ±90 in rows \[3, 17\] \(2 rows in all\): lon/lat may be swapped"):
        run(df)


def test_constant_performance_warns_and_is_defined():
    with pytest.warns(GeoBiasWarning, match="constant"):
        res = run(frame(**{"hit@1": 1.0}))
    assert np.isfinite(res.base) and np.isfinite(res.relative)
    np.testing.assert_allclose(res.per_centre["base"], res.per_centre["relative"])


def test_no_low_performance_samples_gives_zero_centres():
    with pytest.warns(GeoBiasWarning, match="no centres"), pytest.warns(GeoBiasWarning, match="constant"):
        res = run(frame(**{"hit@1": 1.0}), preset="torchspatial2024")
    assert res.n_centres == 0 and len(res.per_centre) == 0
    assert "no low-performance samples" in res.message


def test_single_sample_neighbourhood_sigma_zero_is_skipped():
    df = frame(n=30)
    df.loc[0, ["lon", "lat"]] = [-60.0, -30.0]  # isolated failure
    df.loc[0, "hit@1"] = 0.0
    with pytest.warns(GeoBiasWarning, match="undefined score"):
        res = run(df, preset="torchspatial2024")
    assert np.isnan(res.per_centre.loc[0, "base"])
    assert res.n_skipped >= 1 and np.isfinite(res.base) and np.isfinite(res.relative)
    # the two-sided variant keeps sigma' = sigma + 1 > 0: defined everywhere
    res2 = run(df)
    assert np.isfinite(res2.per_centre["base"]).all()


def test_exact_duplicates_are_counted_and_scored():
    df = frame(n=20)
    df = pd.concat([df, df.iloc[:8]], ignore_index=True)
    res = run(df)
    assert res.n_duplicates == 8
    assert np.isfinite(res.per_centre["base"]).all()


def test_k_not_smaller_than_neighbourhood():
    df = frame()
    df.loc[7, ["lon", "lat"]] = [100.0, 0.0]  # alone: 1 presence + 20 ring points
    with pytest.raises(GeoBiasError, match=r"k=25 is not smaller than the neighbourhood size: "
                                           r"centres in rows \[7\]"):
        run(df, k=25)


@pytest.mark.parametrize("radius_km", [10_000, 15_000])
def test_radius_too_large(radius_km):
    with pytest.raises(GeoBiasError, match="radius_km=.* too large"):
        run(frame(), radius_km=radius_km)


@pytest.mark.parametrize("kw, msg", [
    (dict(radius_km=-1), "radius_km"), (dict(k=0), "k must be .*got 0"), (dict(max_neighbors=0), "max_neighbors"),
    (dict(probability="pdf"), "probability"), (dict(aggregation="median"), "aggregation"),
    (dict(preset="nope"), "preset"), (dict(marks="pm1", value="lon"), "binary"),
    (dict(threshold="town"), "scale level"), (dict(density=-3), "density"),
])
def test_parameter_errors_name_the_parameter(kw, msg):
    with pytest.raises(GeoBiasError, match=msg):
        run(frame(), **kw)


def test_non_numeric_values():
    df = frame()
    df["hit@1"] = df["hit@1"].astype(object)
    df.loc[4, "hit@1"] = "yes"
    with pytest.raises(GeoBiasError, match=r"non-numeric entries in rows \[4\]"):
        run(df)


def test_geodataframe_without_crs():
    df = frame()
    gdf = gpd.GeoDataFrame(df[["hit@1"]], geometry=gpd.points_from_xy(df.lon, df.lat))
    with pytest.raises(GeoBiasError, match="set_crs"):
        run(gdf)


def test_projected_geodataframe_is_transformed():
    df = frame()
    gdf = gpd.GeoDataFrame(df[["hit@1"]], geometry=gpd.points_from_xy(df.lon, df.lat), crs=4326)
    a = run(gdf)
    b = run(gdf.to_crs(3857))
    # the round trip moves coordinates by ~1e-15: exact ring-grid ties may flip
    assert np.isclose(a.per_centre["base"], b.per_centre["base"], rtol=1e-6).mean() >= 0.9
    assert a.base == pytest.approx(b.base, rel=5e-3)


def test_no_silent_nan_in_aggregates():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GeoBiasWarning)
        for preset in ("geobs", "torchspatial2024"):
            res = run(frame(n=60, seed=3), preset=preset)
            assert np.isfinite(res.base) and np.isfinite(res.relative)


def test_malformed_csv_names_the_file_the_line_and_the_fix(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("lon,lat,hit@1\n1.0,2.0,1\n1.5,2.5,0\n3.0,4.0,1,7\n")
    with pytest.raises(GeoBiasError, match=r"bad\.csv.*not a valid CSV at line 4.*quote fields") as info:
        geobias.audit(bad, progress=False)
    assert not isinstance(info.value, pd.errors.ParserError)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(GeoBiasError, match=r"empty\.csv.*is empty"):
        geobias.audit(empty, progress=False)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("lon,lat,hit@1,name\n1,2,1,Zürich\n".encode("latin-1"))
    with pytest.raises(GeoBiasError, match="UTF-8"):
        geobias.audit(latin, progress=False)


def test_torchspatial_coordinate_names_are_found():
    df = frame().rename(columns={"lon": "gt_longitude", "lat": "gt_latitude"})
    res = run(df)
    np.testing.assert_allclose(res.per_centre.geometry.x, df["gt_longitude"])


def test_geodataframe_in_a_projected_crs_is_reprojected():
    df = frame()
    gdf = gpd.GeoDataFrame(df[["hit@1"]], geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326)
    same = run(gdf.to_crs(3035))
    ref = run(df)
    np.testing.assert_allclose(same.per_centre.geometry.x, ref.per_centre.geometry.x, atol=1e-9)
    assert same.base == pytest.approx(ref.base, rel=1e-9)


@pytest.mark.parametrize("threshold, message", [(True, r"not a bool"), (-5, r"finite number > 0, got -5"),
                                                (float("nan"), "got nan"), ("village", "not a scale level")])
def test_bad_thresholds(threshold, message):
    with pytest.raises(GeoBiasError, match=message):
        run(frame(), threshold=threshold)
