"""Neighbourhood and kNN weights are what libpysal builds on the same points."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from libpysal.graph import Graph

import geobias
from geobias.background import auto_density, background_points, ring_grid, ring_pattern
import pytest

from geobias.knn import _reference_knn, centre_graph, centre_weights, knn_graph, knn_weights
from geobias.weights import radius_neighbourhoods


def adjacency_set(g: Graph) -> set:
    adj = g.adjacency
    adj = adj[adj != 0]
    return set(zip(adj.index.get_level_values(0), adj.index.get_level_values(1)))


def lonlat(n, seed):
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(-20, 20, n), rng.uniform(-10, 10, n)])


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(8, 60), k=st.integers(1, 6))
def test_knn_graph_equals_libpysal(seed, n, k):
    pts = lonlat(n, seed)
    theirs = Graph.build_knn(pts, k=k, metric="haversine")
    for ties in ("reference", "split"):  # random points: no ties, so both are libpysal's graph
        ours = knn_graph(pts, k=k, ties=ties)
        assert adjacency_set(ours) == adjacency_set(theirs)
        assert set(ours.adjacency.to_numpy()) == {1.0}


def test_knn_graph_split_shares_tied_weight():
    """A regular grid ties everywhere: every row still sums to k, tied neighbours share."""
    g = np.arange(0.0, 1.0, 0.1)
    pts = np.column_stack([a.ravel() for a in np.meshgrid(g, np.zeros(1))])  # points on the equator
    pts = np.concatenate([pts, pts[:3]])  # and duplicates
    w = knn_graph(pts, k=3)
    sums = w.adjacency.groupby(level=0).sum()
    np.testing.assert_allclose(sums.to_numpy(), 3.0, rtol=1e-12)
    # an interior grid point: its two equidistant neighbours get 1, the two next ones share 1
    row = w.adjacency.loc[5]
    assert sorted(np.round(row.to_numpy(), 6).tolist()) == [0.5, 0.5, 1.0, 1.0]


def test_radian_builders_are_deprecated_aliases():
    pts = lonlat(20, 4)
    with pytest.warns(DeprecationWarning, match="knn_graph"):
        old = knn_weights(np.radians(pts[:, ::-1]), k=3)
    assert adjacency_set(old) == adjacency_set(knn_graph(pts, k=3, ties="reference"))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(13, 80), cap=st.integers(2, 12),
       radius_km=st.sampled_from([200.0, 800.0, 3000.0]))
def test_radius_neighbourhoods_equal_libpysal(seed, n, cap, radius_km):
    pts = lonlat(n, seed)
    ours = radius_neighbourhoods(pts, radius_km, max_neighbors=cap, convention="numpy")
    # libpysal: the cap - 1 nearest others (haversine ball tree), then the radius cut, plus self
    assert adjacency_set(ours) == _libpysal_radius(pts, cap - 1, radius_km)


def _libpysal_radius(pts, k, radius_km):
    knn = Graph.build_knn(pts, k=k, metric="haversine")
    i = knn.adjacency.index.get_level_values(0).to_numpy()
    j = knn.adjacency.index.get_level_values(1).to_numpy()
    rad = np.radians(pts)
    d = geobias.sphere.haversine(rad[i, 1], rad[i, 0], rad[j, 1], rad[j, 0])
    keep = d <= radius_km / 6371.0
    return set(zip(i[keep], j[keep])) | {(a, a) for a in range(len(pts))}


def test_uncapped_radius_neighbourhoods_equal_libpysal():
    pts = lonlat(50, 3)
    ours = radius_neighbourhoods(pts, 900.0, convention="numpy")
    assert adjacency_set(ours) == _libpysal_radius(pts, 49, 900.0)


def test_centre_weights_equal_libpysal_on_U():
    """The weights over presence ∪ rings of one centre, built both ways."""
    rng = np.random.default_rng(1)
    pres = np.radians(np.column_stack([rng.uniform(44.5, 45.5, 15), rng.uniform(9.5, 10.5, 15)]))
    with pytest.warns(DeprecationWarning):
        _, U = centre_weights(pres, tuple(pres[0]), 100 / 6371.0)
    deg = np.degrees(U[:, ::-1])  # libpysal takes lon/lat degrees, applies np.deg2rad
    # libpysal's own degree conversion (np.deg2rad), so that exact ties see the same floats
    ours = _reference_knn(np.deg2rad(deg[:, ::-1]), 4, np.arange(len(deg)))
    theirs = Graph.build_knn(deg, k=4, metric="haversine")
    # the ring grid has exact distance ties between ring points; libpysal and
    # the reference use the same ball tree on the same floats, so even those agree
    assert adjacency_set(ours) == adjacency_set(theirs)


def test_ring_grid_and_rotation():
    grid = ring_grid(0.1, 100)
    assert grid.shape == (7, 2)
    bg = background_points((0.3, -2.0), 0.1, 1000)
    d = geobias.sphere.haversine(0.3, -2.0, bg[:, 0], bg[:, 1])
    rings = np.unique(np.round(d * np.sqrt(1000), 9))
    np.testing.assert_allclose(rings, np.arange(1, rings.size + 1), atol=1e-6)
    assert auto_density(0.1, 10) == int(np.ceil(50 / (np.pi * 0.01)))
    pat = ring_pattern(0.1, 1000.0, 4)
    assert pat.knn_chord.shape == (pat.size, 4) and np.isfinite(pat.reach)


def test_audit_accepts_and_returns_graphs():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"lon": rng.uniform(0, 2, 80), "lat": rng.uniform(0, 2, 80),
                       "hit@1": rng.integers(0, 2, 80).astype(float)},
                      index=[f"s{i}" for i in range(80)])
    res = geobias.audit(df, progress=False)
    assert isinstance(res.neighbourhoods, Graph)
    assert set(res.neighbourhoods.unique_ids) <= set(df.index)
    again = geobias.audit(df, neighbourhoods=res.neighbourhoods, progress=False)
    np.testing.assert_allclose(again.per_centre["base"], res.per_centre["base"], rtol=1e-9)
    np.testing.assert_allclose(again.per_centre["relative"], res.per_centre["relative"], rtol=1e-9)
    assert list(res.per_centre.index) == list(df.index)


def test_unique_centres_merges_only_identical_position_and_list():
    from geobias.neighbourhoods import unique_centres

    lat = np.array([0.0, 0.0, 0.0, 0.1, 0.0])
    lon = np.array([0.0, 0.0, 0.0, 0.1, 0.0])
    # centres 0, 1, 4 share a position; 0 and 4 share the list, 1's list differs
    # (a user-supplied graph can do that); 3 is elsewhere with 0's list
    lists = [[0, 1], [1, 0], [2], [0, 1], [0, 1]]
    centres = np.array([0, 1, 2, 3, 4])
    indptr = np.concatenate([[0], np.cumsum([len(x) for x in lists])])
    first, inverse = unique_centres(lat, lon, centres, indptr, np.concatenate(lists))
    groups = [sorted(np.flatnonzero(inverse == g).tolist()) for g in range(first.size)]
    assert sorted(groups) == [[0, 4], [1], [2], [3]]
    assert all(first[inverse[g[0]]] == g[0] for g in groups)  # the first of each group represents it


def test_centre_graph_in_degrees_and_km():
    """The degree/km builder places the same rings as the radian one, and splits their ties."""
    rng = np.random.default_rng(2)
    pres = np.column_stack([rng.uniform(9.5, 10.5, 12), rng.uniform(44.5, 45.5, 12)])
    g, pts = centre_graph(pres, tuple(pres[0]), 100.0)
    with pytest.warns(DeprecationWarning):
        _, U = centre_weights(np.radians(pres[:, ::-1]), tuple(np.radians(pres[0, ::-1])), 100 / 6371.0)
    np.testing.assert_allclose(pts, np.degrees(U[:, ::-1]), atol=1e-9)
    np.testing.assert_allclose(g.adjacency.groupby(level=0).sum().to_numpy(), 4.0, rtol=1e-12)
    assert (g.adjacency < 1).any()  # the ring grid has ties, shared out
