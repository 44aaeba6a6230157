"""CRS discipline: any CRS → EPSG:4326 lon/lat, datums transformed, naive data refused, Z dropped."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

import geoencode
import geoencode.gis  # noqa: F401  (registers the accessor)
from geoencode import GeoEncodeError, GeoEncodeWarning
from geoencode.gis import is_wgs84, to_wgs84, transform_lonlat

LONLAT = np.array([[2.2945, 48.8584], [-74.0445, 40.6892], [151.2153, -33.8568], [-0.1276, 51.5072]])


@pytest.fixture
def points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"name": ["eiffel", "liberty", "opera", "london"]},
                            geometry=gpd.points_from_xy(LONLAT[:, 0], LONLAT[:, 1]), crs=4326,
                            index=[10, 3, 7, 1])


@pytest.mark.parametrize("crs", ["EPSG:3857", "EPSG:32631", "ESRI:54009", "EPSG:8857", "ESRI:102003"])
def test_projected_points_give_the_same_features(points, crs):
    ref = points.geo.encode("sphereC", frequency_num=16, dtype="float64")
    got = points.to_crs(crs).geo.encode("sphereC", frequency_num=16, dtype="float64")
    pd.testing.assert_index_equal(got.index, points.index)
    np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), atol=1e-5)  # PROJ round trips: ~1e-8°


def test_utm_known_coordinates():
    # the Eiffel tower in UTM 31N (EPSG:32631) from PROJ, and its lon/lat
    lon, lat = pyproj.Transformer.from_crs(32631, 4326, always_xy=True).transform(448251.9, 5411932.7)
    g = gpd.GeoSeries([shapely.Point(448251.9, 5411932.7)], crs=32631)
    ll = g.geo.lonlat()
    assert ll.loc[0, "lon"] == pytest.approx(lon, abs=1e-9) and ll.loc[0, "lat"] == pytest.approx(lat, abs=1e-9)
    assert ll.loc[0, "lon"] == pytest.approx(2.2945, abs=1e-3) and ll.loc[0, "lat"] == pytest.approx(48.8584, abs=1e-3)
    pe = geoencode.position_encoder("sphereC", frequency_num=8)
    np.testing.assert_allclose(g.geo.encode(pe, dtype="float64").to_numpy(),
                               pe(np.array([[lon, lat]])).numpy(), atol=1e-12)


def test_geographic_crs_axis_order_is_lon_lat():
    """EPSG:4326's authority order is lat/lon; GeoPandas x is still lon and so is ours."""
    g = gpd.GeoSeries([shapely.Point(2.35, 48.85)], crs="EPSG:4326")
    assert g.geo.lonlat().iloc[0].tolist() == [2.35, 48.85]
    g84 = gpd.GeoSeries([shapely.Point(2.35, 48.85)], crs="OGC:CRS84")
    assert g84.geo.lonlat().iloc[0].tolist() == [2.35, 48.85]


@pytest.mark.parametrize("epsg", [4269, 4258, 4277, 4326])
def test_other_datums_are_transformed_like_pyproj(epsg):
    lon, lat = -1.5, 52.5 if epsg != 4269 else (-100.0, 40.0)
    if epsg == 4269:
        lon, lat = -100.0, 40.0
    g = gpd.GeoSeries([shapely.Point(lon, lat)], crs=epsg)
    exp = pyproj.Transformer.from_crs(epsg, 4326, always_xy=True).transform(lon, lat)
    np.testing.assert_allclose(g.geo.lonlat().iloc[0].to_numpy(), exp, atol=1e-12)


def test_osgb36_is_shifted_not_relabelled():
    g = gpd.GeoSeries([shapely.Point(-1.5, 52.5)], crs=4277)  # OSGB36: ~100 m from WGS 84
    got = g.geo.lonlat().iloc[0].to_numpy()
    assert np.abs(got - [-1.5, 52.5]).max() > 5e-4


def test_naive_data_refused_with_the_fix():
    g = gpd.GeoDataFrame(geometry=[shapely.Point(2, 48)])
    with pytest.raises(GeoEncodeError, match="set_crs"):
        g.geo.encode("xyz")
    with pytest.raises(GeoEncodeError, match="assume_crs"):
        g.geo.encode("xyz")
    ok = g.geo.encode("xyz", assume_crs=4326)
    ref = gpd.GeoDataFrame(geometry=[shapely.Point(2, 48)], crs=4326).geo.encode("xyz")
    pd.testing.assert_frame_equal(ok, ref)
    utm = gpd.GeoSeries([shapely.Point(448251.9, 5411932.7)])
    assert utm.geo.lonlat(assume_crs="EPSG:32631").iloc[0, 0] == pytest.approx(2.2945, abs=1e-3)


def test_assume_crs_does_not_override_a_set_crs():
    g = gpd.GeoSeries([shapely.Point(2, 48)], crs=4326)
    assert g.geo.lonlat(assume_crs=3857).iloc[0].tolist() == [2.0, 48.0]


def test_bad_assume_crs():
    g = gpd.GeoSeries([shapely.Point(2, 48)])
    with pytest.raises(GeoEncodeError, match="not a CRS"):
        g.geo.lonlat(assume_crs="EPSG:nope")


def test_z_dropped_with_warning():
    g = gpd.GeoSeries([shapely.Point(2, 48, 100.0), shapely.Point(3, 49, 5.0)], crs=4979)
    with pytest.warns(GeoEncodeWarning, match="Z"):
        out = g.geo.encode("xyz")
    ref = gpd.GeoSeries([shapely.Point(2, 48), shapely.Point(3, 49)], crs=4326).geo.encode("xyz")
    np.testing.assert_allclose(out.to_numpy(), ref.to_numpy(), atol=1e-6)


def test_out_of_domain_points_named():
    # UTM zone 31 cannot transform a point 100,000 km east
    g = gpd.GeoSeries([shapely.Point(448251.9, 5411932.7), shapely.Point(1e11, 1e11)], crs=32631, index=["ok", "far"])
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = g.geo.lonlat(errors="coerce")
    except GeoEncodeError:  # PROJ versions differ on whether this is transformable at all
        return
    if not np.isfinite(out.loc["far"]).all():
        assert any("far" in str(w.message) for w in caught)  # coerce warns, naming the row
        with pytest.raises(GeoEncodeError, match="far"):
            g.geo.lonlat()


def test_helpers():
    assert is_wgs84("EPSG:4326") and is_wgs84("OGC:CRS84") and not is_wgs84(4269)
    lon, lat = transform_lonlat(np.array([0.0]), np.array([0.0]), 3857)
    assert lon[0] == 0 and lat[0] == 0
    with pytest.raises(GeoEncodeError, match="GeoSeries"):
        to_wgs84([shapely.Point(0, 0)])


def test_dataframe_with_projected_columns():
    df = pd.DataFrame({"x": [448251.9], "y": [5411932.7]})
    ll = df.geo.lonlat(assume_crs=32631)
    assert ll.iloc[0, 0] == pytest.approx(2.2945, abs=1e-3)
