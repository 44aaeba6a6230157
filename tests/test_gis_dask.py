"""The accessor on dask_geopandas frames: per partition, correct meta, same results."""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import geoencode
import geoencode.gis
from geoencode import GeoEncodeError

dask_geopandas = pytest.importorskip("dask_geopandas")
import dask  # noqa: E402
import dask.dataframe as dd  # noqa: E402


@pytest.fixture(autouse=True)
def _sync():
    with dask.config.set(scheduler="synchronous"):
        yield


@pytest.fixture
def gdf() -> gpd.GeoDataFrame:
    rng = np.random.default_rng(1)
    pts = gpd.points_from_xy(rng.uniform(-170, 170, 40), rng.uniform(-80, 80, 40))
    geoms = [p.buffer(1.0) if i % 3 == 0 else p for i, p in enumerate(pts)]
    return gpd.GeoDataFrame({"v": np.arange(40)}, geometry=geoms, crs=4326,
                            index=pd.Index([f"id{i}" for i in range(40)])).to_crs(3857)


@pytest.mark.parametrize("how", ["centroid", "aggregate"])
def test_dask_equals_in_memory(gdf, how):
    ddf = dask_geopandas.from_geopandas(gdf, npartitions=4)
    lazy = ddf.geo.encode("sphereC", frequency_num=4, how=how, n_samples=6)
    assert isinstance(lazy, dd.DataFrame)
    expected = gdf.geo.encode("sphereC", frequency_num=4, how=how, n_samples=6)
    # meta is right before computing
    assert list(lazy.columns) == list(expected.columns)
    assert (lazy.dtypes == np.float32).all()
    got = lazy.compute()  # from_geopandas sorts by index and uses Arrow strings
    pd.testing.assert_frame_equal(got.loc[list(expected.index)], expected, check_index_type=False)


def test_dask_geoseries_and_model(gdf):
    model = geoencode.build("xyz", out_dim=5)
    ds = dask_geopandas.from_geopandas(gdf, npartitions=3).geometry
    got = ds.geo.encode(model, prefix="e", dtype="float64").compute()
    exp = gdf.geometry.geo.encode(model, prefix="e", dtype="float64")
    # a float32 network may round differently for other batch shapes (BLAS blocking)
    pd.testing.assert_frame_equal(got.loc[list(exp.index)], exp, check_index_type=False, check_exact=False,
                                  rtol=1e-5, atol=1e-5)


def test_plain_dask_dataframe_with_lon_lat():
    df = pd.DataFrame({"lon": [0.0, 10.0, 20.0], "lat": [0.0, 5.0, 10.0]})
    got = dd.from_pandas(df, npartitions=2).geo.encode("xyz").compute()
    pd.testing.assert_frame_equal(got, df.geo.encode("xyz"))


def test_dask_errors(gdf):
    ddf = dask_geopandas.from_geopandas(gdf, npartitions=2)
    with pytest.raises(GeoEncodeError, match="Dask DataFrame"):
        ddf.geo.encode("xyz", return_type="numpy")
    bad = gdf.copy()
    bad.loc["id3", "geometry"] = None
    lazy = dask_geopandas.from_geopandas(bad, npartitions=2).geo.encode("xyz")
    with pytest.raises(GeoEncodeError, match="id3"):
        lazy.compute()


def test_registered_when_dask_is_imported_after_geoencode():
    code = (
        "import sys, geoencode.gis\n"
        "assert 'dask_geopandas' not in sys.modules and 'dask.dataframe' not in sys.modules\n"
        "import dask_geopandas, dask.dataframe as dd\n"
        "assert hasattr(dask_geopandas.GeoDataFrame, 'geo') and hasattr(dask_geopandas.GeoSeries, 'geo')\n"
        "assert hasattr(dd.DataFrame, 'geo') and not hasattr(dd.Series, 'geo')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
