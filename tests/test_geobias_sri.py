"""SRI by the intended definition (spec §7)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import geobias
from geobias import GeoBiasError
from geobias.sri import kl_divergence, partition_ids


def test_kl_zero_for_identical_histograms():
    assert kl_divergence(np.array([3.0, 5.0]), np.array([3.0, 5.0])) == pytest.approx(0, abs=1e-7)
    assert kl_divergence(np.array([1.0, 1.0]), np.array([1.0, 0.0])) > 1


def test_partitions():
    z = np.zeros(4)
    ids, n = partition_ids("distance-lag", z, z, z, z, np.array([0.0, 0.009, 0.011, 0.05]), 0.03, lag=0.01)
    assert ids.tolist() == [0, 0, 1, -1] and n == 3
    # bearings: north-east, south-east, south-west, north-west of the centre
    lat = np.array([0.01, -0.01, -0.01, 0.01]); lon = np.array([0.01, 0.01, -0.01, -0.01])
    ids, n = partition_ids("direction-sector", lat, lon, z, z, np.full(4, 0.014), 0.05, n_splits=4)
    assert n == 4 and len(set(ids.tolist())) == 4
    ids, n = partition_ids("scale-grid", lat, lon, z, z, np.full(4, 0.014), 0.02, scale=0.01)
    assert n == 16 and len(set(ids.tolist())) == 4


@pytest.mark.parametrize("partition", ["scale-grid", "distance-lag", "direction-sector"])
def test_sri_detects_structure(partition):
    rng = np.random.default_rng(0)
    n = 1500
    lon, lat = rng.uniform(0, 10, n), rng.uniform(0, 10, n)
    east = lon > 5
    random_df = pd.DataFrame({"lon": lon, "lat": lat, "hit@1": rng.integers(0, 2, n)})
    split_df = random_df.assign(**{"hit@1": east.astype(int)})
    kw = dict(radius_km=250, scale_km=80, lag_km=80, threshold=10)
    r_rand = geobias.sri(random_df, partition=partition, **kw)
    r_split = geobias.sri(split_df, partition=partition, **kw)
    assert r_split.value_sri > 2 * r_rand.value_sri
    assert np.isfinite(r_rand.value_sri) and r_rand.n_unscored < n
    assert "SRI" in repr(r_split)


@pytest.mark.parametrize("kwargs, message", [
    ({"radius_km": 0.0}, r"radius_km must be a finite number > 0, got 0.0"),
    ({"lag_km": float("inf")}, r"lag_km must be a finite number > 0, got inf"),
    ({"k_part": True}, r"k_part must be an integer >= 1 \(not a bool\)"),
    ({"n_splits": 2.5}, r"n_splits must be an integer >= 1, got 2.5"),
    ({"threshold": 0}, r"threshold must be an integer >= 1, got 0"),
    ({"bins": 0}, r"bins must be an integer >= 1, got 0"),
    ({"partition": "hexagons"}, r"partition='hexagons' must be one of \['scale-grid'"),
])
def test_bad_parameters_are_refused_before_the_work(kwargs, message):
    df = pd.DataFrame({"lon": [0.0, 0.1], "lat": [0.0, 0.1], "hit@1": [1, 0]})
    with pytest.raises(GeoBiasError, match=message):
        geobias.sri(df, **kwargs)
