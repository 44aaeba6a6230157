"""The vectorised fast path equals the plain per-centre oracle (tests/geobias_oracle.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from geobias_oracle import oracle_audit, oracle_moments
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geobias
from geobias.null_model import null_moments, value_classes


def _audit(df, radius_km, k, preset, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", geobias.GeoBiasWarning)
        return geobias.audit(df, value="v", radius_km=radius_km, k=k, preset=preset,
                             progress=False, n_jobs=1, **kw)


@st.composite
def datasets(draw):
    n = draw(st.integers(3, 45))
    # a few distinct sites, then samples drawn from them (duplicates) or jittered
    n_sites = draw(st.integers(1, n))
    lon0 = draw(st.floats(-170, 170))
    lat0 = draw(st.floats(-70, 70))
    span = draw(st.sampled_from([0.05, 0.3, 1.0]))
    site_lon = [lon0 + draw(st.floats(0, span)) for _ in range(n_sites)]
    site_lat = [lat0 + draw(st.floats(0, span)) for _ in range(n_sites)]
    pick = [draw(st.integers(0, n_sites - 1)) for _ in range(n)]
    kind = draw(st.sampled_from(["binary", "pm", "continuous"]))
    if kind == "continuous":
        v = [draw(st.sampled_from([0.1, 0.25, 0.5, 0.9, 1.0])) for _ in range(n)]
    else:
        v = [float(draw(st.integers(0, 1))) for _ in range(n)]
    df = pd.DataFrame({"lon": np.array(site_lon)[pick], "lat": np.array(site_lat)[pick], "v": v})
    return df, kind


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=datasets(), k=st.sampled_from([2, 4, 5]), radius_km=st.sampled_from([20.0, 60.0, 150.0]),
       cap=st.sampled_from([None, 5, 100]))
def test_fast_path_equals_oracle(data, k, radius_km, cap):
    """Both tie modes equal their oracle; off the tie-sensitive centres they equal each other."""
    df, kind = data
    order = "distance" if cap is not None and cap < len(df) else "position"
    kw = dict(max_neighbors=cap, neighbour_order=order)
    if kind == "pm":
        kw["marks"] = "pm1"
    lat, lon = df["lat"].to_numpy() / 180 * np.pi, df["lon"].to_numpy() / 180 * np.pi
    marks = 2 * df["v"].to_numpy() - 1 if kind == "pm" else df["v"].to_numpy()
    got = {}
    for ties in ("split", "reference"):
        res = got[ties] = _audit(df, radius_km, k, "geobs", ties=ties, **kw).per_centre
        expected = oracle_audit(lat, lon, marks, radius_km / 6371.0, k=k, max_neighbors=cap, ties=ties)
        np.testing.assert_array_equal(res["n_neighbours"].to_numpy(), expected[:, 2])
        np.testing.assert_allclose(res["base"].to_numpy(), expected[:, 0], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(res["relative"].to_numpy(), expected[:, 1], rtol=1e-9, atol=1e-9)
    calm = ~got["split"]["tie_sensitive"].to_numpy()
    np.testing.assert_array_equal(got["split"]["tie_sensitive"], got["reference"]["tie_sensitive"])
    for key in ("base", "relative", "n_neighbours"):
        np.testing.assert_allclose(got["split"][key].to_numpy()[calm], got["reference"][key].to_numpy()[calm],
                                   rtol=1e-12, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(data=datasets(), radius_km=st.sampled_from([30.0, 120.0]))
def test_density_variant_equals_oracle(data, radius_km):
    df, kind = data
    if kind == "continuous":
        df = df.assign(v=(df["v"] > 0.5).astype(float))
    if (df["v"] == 1).all():
        df.loc[df.index[0], "v"] = 0.0
    lat, lon = np.radians(df["lat"].to_numpy()), np.radians(df["lon"].to_numpy())
    centres = np.flatnonzero(df["v"].to_numpy() == 0)
    for ties in ("split", "reference"):
        res = _audit(df, radius_km, 4, "torchspatial2024", ties=ties)
        expected = oracle_audit(lat, lon, 2 * df["v"].to_numpy() - 1, radius_km / 6371.0, centres=centres,
                                probability="density", std_offset=0.0, ties=ties)
        np.testing.assert_allclose(res.per_centre["base"].to_numpy(), expected[:, 0], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(res.per_centre["relative"].to_numpy(), expected[:, 1], rtol=1e-9, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.sampled_from([-1.0, 0.0, 0.3, 1.0, 2.5]), min_size=1, max_size=30),
       n_bg=st.integers(0, 200), k=st.integers(1, 6))
def test_null_moments_equal_oracle(values, n_bg, k):
    marks = np.array(values)
    cls, cnt = value_classes(marks[None], n_bg)
    mu, var = null_moments(cls, cnt, k)
    mu_o, var_o = oracle_moments(np.concatenate([marks, np.zeros(n_bg)]), k)
    assert mu[0] == pytest.approx(mu_o, rel=1e-9, abs=1e-9)
    assert var[0] == pytest.approx(var_o, rel=1e-9, abs=1e-9)


def test_duplicates_beyond_k_keep_k_plus_one():
    """Seven identical points: the reference's out-degree-5 quirk is reproduced."""
    df = pd.DataFrame({"lon": [10.0] * 7 + [10.2, 10.4], "lat": [45.0] * 7 + [45.1, 45.0],
                       "v": [1, 0, 1, 0, 1, 1, 0, 1, 0]})
    res = _audit(df, 50.0, 4, "geobs", ties="reference")
    lat, lon = df["lat"].to_numpy() / 180 * np.pi, df["lon"].to_numpy() / 180 * np.pi
    expected = oracle_audit(lat, lon, df["v"].to_numpy(), 50 / 6371.0, max_neighbors=100)
    np.testing.assert_allclose(res.per_centre["relative"].to_numpy(), expected[:, 1], rtol=1e-9)
