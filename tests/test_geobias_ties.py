"""``ties="split"`` (the default) is a function of the data: invariances that must hold exactly.

The reference's kNN graph depends on the input order, the last bit of each distance and the
machine wherever distances tie (spec §4b). The default must not: per-centre values may change
by no more than summation order (1e-9 relative) under a row permutation, longitudes shifted by
±360°, a 1e-10° jitter, float32 storage of float32-representable coordinates, and parallel runs.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geobias
from geocommon.knn_ties import split_weights, tie_tolerance

RTOL = 1e-9


def _audit(df, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", geobias.GeoBiasWarning)
        return geobias.audit(df, value="v", progress=False, **{"n_jobs": 1, **kw})


def tied_frame(seed: int = 0, n_random: int = 150) -> pd.DataFrame:
    """A regular 0.25° grid, duplicated sites and random points: ties of every kind."""
    rng = np.random.default_rng(seed)
    g = np.arange(0.0, 2.0, 0.25)
    glon, glat = [a.ravel() for a in np.meshgrid(g, g)]
    dup = rng.integers(0, glon.size, 40)
    lon = np.concatenate([glon, glon[dup], rng.uniform(0, 2, n_random)])
    lat = np.concatenate([glat, glat[dup], rng.uniform(0, 2, n_random)])
    # float32-representable coordinates, so that float32 storage is the same data
    lon, lat = lon.astype(np.float32).astype(float), lat.astype(np.float32).astype(float)
    return pd.DataFrame({"lon": lon, "lat": lat, "v": rng.integers(0, 2, lon.size).astype(float)},
                        index=[f"s{i}" for i in range(lon.size)])


def assert_same(a, b) -> None:
    pa, pb = a.per_centre, b.per_centre.loc[a.per_centre.index]
    for key in ("base", "relative", "n_neighbours", "local_mean"):
        np.testing.assert_allclose(pb[key].to_numpy(), pa[key].to_numpy(), rtol=RTOL, atol=1e-12, err_msg=key)
    np.testing.assert_array_equal(pb["tie_sensitive"].to_numpy(), pa["tie_sensitive"].to_numpy())
    assert a.n_tie_sensitive == b.n_tie_sensitive


PRESETS = ["geobs", "torchspatial2024"]


@pytest.fixture(scope="module", params=PRESETS)
def base_case(request):
    df = tied_frame()
    res = _audit(df, preset=request.param)
    assert 0 < res.n_tie_sensitive < res.n_centres  # the data does exercise ties
    return request.param, df, res


def test_row_permutation(base_case):
    preset, df, res = base_case
    for seed in (1, 2):
        perm = np.random.default_rng(seed).permutation(len(df))
        assert_same(res, _audit(df.iloc[perm], preset=preset))


def test_longitudes_shifted_by_360(base_case):
    preset, df, res = base_case
    shifted = df.assign(lon=df["lon"] + np.where(np.arange(len(df)) % 2, 360.0, -360.0))
    out = _audit(shifted, preset=preset)
    assert out.n_wrapped == len(df)
    assert_same(res, out)


def test_jitter_far_below_tolerance(base_case):
    preset, df, res = base_case
    rng = np.random.default_rng(3)
    jit = df.assign(lon=df["lon"] + rng.choice([-1e-10, 1e-10], len(df)),
                    lat=df["lat"] + rng.choice([-1e-10, 1e-10], len(df)))
    assert_same(res, _audit(jit, preset=preset))


def test_float32_storage(base_case):
    preset, df, res = base_case
    f32 = df.astype({"lon": np.float32, "lat": np.float32})
    assert_same(res, _audit(f32, preset=preset))


def test_process_pool_and_dask(base_case):
    preset, df, res = base_case
    assert_same(res, _audit(df, preset=preset, n_jobs=2, chunk_size=37))
    distributed = pytest.importorskip("dask.distributed")
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None) as client:
        assert_same(res, _audit(df, preset=preset, client=client, chunk_size=53))


def test_modes_agree_off_tie_sensitive_centres(base_case):
    preset, df, res = base_case
    ref = _audit(df, preset=preset, ties="reference")
    calm = ~res.per_centre["tie_sensitive"].to_numpy()
    for key in ("base", "relative", "n_neighbours"):
        np.testing.assert_allclose(ref.per_centre[key].to_numpy()[calm], res.per_centre[key].to_numpy()[calm],
                                   rtol=1e-12, atol=0)
    # and the modes do differ somewhere, or the flag would be vacuous
    diff = ~np.isclose(ref.per_centre["relative"], res.per_centre["relative"], rtol=1e-9, equal_nan=True)
    assert diff.any() and not (diff & calm).any()


def test_repr_and_params_report_ties(base_case):
    _, _, res = base_case
    assert f"tie-sensitive centres: {res.n_tie_sensitive} of {res.n_centres}" in repr(res)
    assert res.params["ties"] == "split"
    assert res.per_centre["tie_sensitive"].sum() == res.n_tie_sensitive


def test_presets_never_choose_ties():
    assert all("ties" not in p for p in geobias.PRESETS.values())
    with pytest.raises(geobias.GeoBiasError, match="ties="):
        _audit(tied_frame(n_random=5), ties="first")


def test_split_weights_rows_sum_to_k():
    rng = np.random.default_rng(0)
    d = rng.choice([0.0, 1.0, 1.0 + 1e-12, 2.0, 3.0], size=(200, 9))
    for k in (1, 3, 4):
        w, cut = split_weights(d, k)
        np.testing.assert_allclose(w.sum(axis=1), k, rtol=1e-12)
        assert (w <= 1).all() and (w >= 0).all()
        dk = np.sort(d, axis=1)[:, k - 1 : k]
        # everything clearly closer than the k-th gets 1, everything clearly farther 0
        np.testing.assert_array_equal(w[d < dk - tie_tolerance(dk)], 1.0)
        np.testing.assert_array_equal(w[d > dk + tie_tolerance(dk)], 0.0)


@st.composite
def tied_data(draw):
    n_grid = draw(st.integers(2, 5))
    step = draw(st.sampled_from([0.05, 0.2, 0.5]))
    g = np.arange(n_grid) * step
    glon, glat = [a.ravel() for a in np.meshgrid(g, g)]
    lon0, lat0 = draw(st.floats(-179, 177)), draw(st.floats(-60, 60))
    n_dup = draw(st.integers(0, 12))
    dup = [draw(st.integers(0, glon.size - 1)) for _ in range(n_dup)]
    lon = np.concatenate([glon, glon[dup]]) + lon0
    lat = np.concatenate([glat, glat[dup]]) + lat0
    v = [float(draw(st.integers(0, 1))) for _ in range(lon.size)]
    return pd.DataFrame({"lon": lon, "lat": lat, "v": v}, index=[f"r{i}" for i in range(lon.size)])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=tied_data(), seed=st.integers(0, 2**16), radius_km=st.sampled_from([15.0, 60.0]),
       cap=st.sampled_from([None, 6]))
def test_property_invariance(df, seed, radius_km, cap):
    """Random grids with forced duplicates: shuffle + jitter + a 360° shift change nothing."""
    rng = np.random.default_rng(seed)
    kw = dict(preset="geobs", radius_km=radius_km, max_neighbors=cap, k=3)
    res = _audit(df, **kw)
    moved = df.iloc[rng.permutation(len(df))]
    moved = moved.assign(lon=moved["lon"] + rng.choice([-1e-10, 1e-10], len(df)) + 360.0 * rng.choice([-1, 0, 1]),
                         lat=moved["lat"] + rng.choice([-1e-10, 1e-10], len(df)))
    assert_same(res, _audit(moved, **kw))


@pytest.mark.parametrize("preset", PRESETS)
def test_compiled_kernel_equals_numpy_path(preset, monkeypatch):
    """The numba kernel and the batched numpy fallback give the same scores and flags."""
    kernel = pytest.importorskip("geobias.split_kernel")
    if not kernel.AVAILABLE:
        pytest.skip("numba not installed")
    import sys

    import geobias.ssi as ssi

    df = tied_frame(seed=5)
    compiled = _audit(df, preset=preset)
    run_module = sys.modules["geobias.audit_run"]
    monkeypatch.setattr(run_module, "ssi_per_centre",
                        lambda *a, **kw: ssi.ssi_per_centre(*a, **{**kw, "engine": "numpy"}))
    plain = _audit(df, preset=preset)
    assert_same(plain, compiled)
