"""Greedy great-circle thinning (geobias.thinning): spacing, maximality, determinism, edge cases."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics.pairwise import haversine_distances

from geobias.errors import GeoBiasError
from geobias.sphere import EARTH_RADIUS_KM
from geobias.thinning import neighbour_counts, thin_by_distance


def km_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle distances (km) between lon/lat degree rows, by scikit-learn (an independent formula)."""
    return haversine_distances(np.radians(a[:, ::-1]), np.radians(b[:, ::-1])) * EARTH_RADIUS_KM


def random_points(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pts = np.c_[rng.uniform(-180, 180, n), np.degrees(np.arcsin(rng.uniform(-1, 1, n)))]
    # crowd the poles and the antimeridian, where planar shortcuts go wrong
    pts[: n // 10, 1] = rng.uniform(85, 90, n // 10) * rng.choice([-1, 1], n // 10)
    pts[n // 10: n // 5, 0] = rng.uniform(178, 182, n // 10) - 360 * (rng.random(n // 10) < 0.5)
    return pts


@pytest.mark.parametrize("min_km", [50.0, 400.0, 2500.0])
def test_kept_points_are_far_apart_and_every_dropped_point_is_covered(min_km):
    pts = random_points(3000)
    pos = thin_by_distance(pts, min_km, return_positions=True)
    assert pos.dtype == np.intp and np.all(np.diff(pos) > 0)
    kept, dropped = pts[pos], np.delete(pts, pos, axis=0)
    d = km_matrix(kept, kept)
    np.fill_diagonal(d, np.inf)
    assert d.min() >= min_km * (1 - 1e-9)  # no two kept points closer than min_km
    assert len(dropped) and km_matrix(dropped, kept).min(axis=1).max() < min_km  # maximal
    np.testing.assert_array_equal(thin_by_distance(pts, min_km), kept)


def test_deterministic_and_order_decides_which_point_is_kept():
    pts = random_points(2000, seed=1)
    a = thin_by_distance(pts, 300.0, return_positions=True)
    np.testing.assert_array_equal(a, thin_by_distance(pts.copy(), 300.0, return_positions=True))
    # the default order is the seeded permutation; other seeds and orders keep other points
    np.testing.assert_array_equal(a, thin_by_distance(pts, 300.0, order=np.random.default_rng(0).permutation(2000),
                                                      return_positions=True))
    b = thin_by_distance(pts, 300.0, random_state=1, return_positions=True)
    np.testing.assert_array_equal(b, thin_by_distance(pts, 300.0, random_state=1, return_positions=True))
    rows = thin_by_distance(pts, 300.0, order="rows", return_positions=True)
    assert not np.array_equal(a, b) and not np.array_equal(a, rows)
    for kept in (b, rows):
        d = km_matrix(pts[kept], pts[kept])
        np.fill_diagonal(d, np.inf)
        assert d.min() >= 300.0 * (1 - 1e-9)
    pair = np.array([[10.0, 45.0], [10.5, 45.0]])  # 39 km apart
    assert thin_by_distance(pair, 100.0, order="rows", return_positions=True).tolist() == [0]
    assert thin_by_distance(pair, 100.0, order=[1, 0], return_positions=True).tolist() == [1]
    assert len(thin_by_distance(pair, 100.0, random_state=None)) == 1


def test_antimeridian_and_poles():
    across = np.array([[179.9, 0.0], [-179.9, 0.0]])  # 22 km apart, 359.8° apart in longitude
    assert thin_by_distance(across, 50.0, order="rows", return_positions=True).tolist() == [0]
    assert len(thin_by_distance(across, 50.0)) == 1
    assert thin_by_distance(across, 20.0, return_positions=True).tolist() == [0, 1]
    same = [[-180.0, 10.0], [180.0, 10.0], [540.0, 10.0]]  # one place, three longitudes
    assert thin_by_distance(same, 1.0, order="rows", return_positions=True).tolist() == [0]
    pole = np.array([[0.0, 90.0], [120.0, 90.0], [-60.0, 89.9], [0.0, -90.0], [45.0, -89.95]])
    assert thin_by_distance(pole, 50.0, order="rows", return_positions=True).tolist() == [0, 3]
    assert len(thin_by_distance(pole, 50.0)) == 2
    assert neighbour_counts(pole, 50.0).tolist() == [3, 3, 3, 2, 2]
    assert neighbour_counts(across, 30.0).tolist() == [2, 2]


def test_frames_keep_their_type_labels_and_columns():
    df = pd.DataFrame({"longitude": [0.0, 0.5, 3.0, 179.95, -179.95], "latitude": [0.0] * 5,
                       "hit@1": [1, 0, 1, 1, 0]}, index=list("abcde"))
    out = thin_by_distance(df, 100.0, order="rows")
    assert type(out) is pd.DataFrame and out.index.tolist() == ["a", "c", "d"]
    pd.testing.assert_frame_equal(out, df.loc[["a", "c", "d"]])
    gdf = gpd.GeoDataFrame(df[["hit@1"]], geometry=gpd.points_from_xy(df["longitude"], df["latitude"]), crs=4326)
    g = thin_by_distance(gdf.to_crs(3857), 100.0, order="rows")  # projected input: distances still on the sphere
    assert isinstance(g, gpd.GeoDataFrame) and g.index.tolist() == ["a", "c", "d"] and g.crs.to_epsg() == 3857
    renamed = df.rename(columns={"longitude": "x", "latitude": "y"})
    assert thin_by_distance(renamed, 100.0, order="rows", lon="x", lat="y", return_positions=True).tolist() == [0, 2, 3]
    kept = thin_by_distance(df, 100.0)  # a random order keeps one of each close pair, labels intact
    assert len(kept) == 3 and "c" in kept.index and kept.index.is_monotonic_increasing


@pytest.mark.parametrize("order", ["random", "rows"])
def test_thinning_evens_out_neighbourhood_sizes_of_a_polar_crowded_grid(order):
    # an equal-area-like grid: 1° in longitude, rows spaced as sin(lat), so points crowd at the poles
    lat = np.degrees(np.arcsin(np.linspace(-0.999, 0.999, 60)))
    lon, lat = np.meshgrid(np.arange(-180.0, 180.0, 1.0), lat)
    grid = np.c_[lon.ravel(), lat.ravel()]
    before = neighbour_counts(grid, 800.0)
    kept = thin_by_distance(grid, 350.0, order=order)
    after = neighbour_counts(kept, 800.0)
    assert before.max() / np.median(before) > 3
    assert after.max() / np.median(after) < 2


def test_empty_input():
    assert thin_by_distance(np.empty((0, 2)), 10.0, return_positions=True).tolist() == []
    assert thin_by_distance(pd.DataFrame({"lon": [], "lat": []}), 10.0).empty
    assert neighbour_counts(np.empty((0, 2)), 10.0).tolist() == []


@pytest.mark.parametrize("min_km", [0, -5.0, float("nan"), float("inf"), True, "100"])
def test_bad_min_km(min_km):
    with pytest.raises(GeoBiasError, match="min_km must be a finite number > 0"):
        thin_by_distance([[0.0, 0.0]], min_km)


def test_non_finite_coordinates_name_the_rows():
    pts = np.array([[0.0, 0.0], [np.nan, 1.0], [2.0, np.inf], [3.0, 3.0]])
    with pytest.raises(GeoBiasError, match=r"non-finite coordinates .* rows \[1, 2\] \(2 rows in all\)"):
        thin_by_distance(pts, 10.0)
    df = pd.DataFrame({"lon": [0.0, None, 1.0], "lat": [0.0, 1.0, 1.0]}, index=["x", "y", "z"])
    with pytest.raises(GeoBiasError, match=r"rows \['y'\]"):
        thin_by_distance(df, 10.0)
    with pytest.raises(GeoBiasError, match=r"non-finite .* rows \['y'\]"):
        neighbour_counts(df, 10.0)
    with pytest.raises(GeoBiasError, match=r"latitudes outside \[-90, 90\] in rows \[1\]"):
        thin_by_distance([[0.0, 0.0], [10.0, 95.0]], 10.0)


def test_bad_shapes_and_orders():
    with pytest.raises(GeoBiasError, match=r"\(n, 2\) array"):
        thin_by_distance(np.zeros((3, 3)), 10.0)
    with pytest.raises(GeoBiasError, match=r"\(n, 2\) array"):
        thin_by_distance(object(), 10.0)
    with pytest.raises(GeoBiasError, match="permutation"):
        thin_by_distance([[0.0, 0.0], [1.0, 0.0]], 10.0, order=[0, 0])
    with pytest.raises(GeoBiasError, match="permutation"):
        thin_by_distance([[0.0, 0.0], [1.0, 0.0]], 10.0, order=[0.0, 1.0])
    with pytest.raises(GeoBiasError, match="order must be 'random', 'rows'"):
        thin_by_distance([[0.0, 0.0], [1.0, 0.0]], 10.0, order="shuffled")
    with pytest.raises(GeoBiasError, match="radius_km must be a finite number > 0"):
        neighbour_counts([[0.0, 0.0]], 0.0)
