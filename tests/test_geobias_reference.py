"""Reproduction of the reference outputs in ../shared/data/geobias_reference (spec §8)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import geobias

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REF = SHARED / "data" / "geobias_reference"
CSV = SHARED / "data" / "torchspatial" / "eval_results" / "classification"

pytestmark = pytest.mark.shared

CASES = [
    ("geobs_birdsnap_ebird_meta_sphereC", "eval_birdsnap_ebird_meta_test_Sphere2Vec-sphereC.csv",
     "geobs", {"base": 20.4689, "relative": 12.5902}),
    ("geobs_birdsnap_orig_meta_sphereC", "eval_birdsnap_orig_meta_test_Sphere2Vec-sphereC.csv",
     "geobs", {"base": 20.7861, "relative": 12.4954}),
    ("torchspatial2024_birdsnap_ebird_meta_sphereC", "eval_birdsnap_ebird_meta_test_Sphere2Vec-sphereC.csv",
     "torchspatial2024", {"base": 52.7763, "relative": 10.9168}),
]


@pytest.fixture(scope="module", params=CASES, ids=[c[0] for c in CASES])
def case(request):
    name, csv, preset, means = request.param
    if not (REF / f"{name}.npz").exists() or not (CSV / csv).exists():
        pytest.skip("../shared reference data not available")
    ref = np.load(REF / f"{name}.npz")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", geobias.GeoBiasWarning)
        res = geobias.audit(CSV / csv, value="hit@1", radius_km=100, k=4, preset=preset,
                            progress=False, n_jobs=1)
    return ref, res, means


def test_per_sample_values(case):
    ref, res, _ = case
    rows = ref["row"] if "row" in ref.files else ref["centre_row"]
    pc = res.per_centre.loc[rows]
    np.testing.assert_array_equal(pc["n_neighbours"].to_numpy(), ref["n_neighbours"])
    for key in ("base", "relative"):
        a, b = pc[key].to_numpy(), ref[key]
        same_nan = np.isnan(a) & np.isnan(b)
        close = np.isclose(a, b, rtol=1e-6, atol=0)
        assert (same_nan | close).mean() >= 0.99, key
    assert set(res.per_centre.index) == set(rows.tolist())


def test_dataset_means(case):
    ref, res, means = case
    for key in ("base", "relative"):
        stored = [float(ref[f]) for f in ref.files if f in (f"{key}_mean", f"{key}_nweighted")]
        expected = float(ref[f"{key}_nweighted"]) if f"{key}_nweighted" in ref.files else float(ref[f"{key}_mean"])
        got = getattr(res, key)
        assert got == pytest.approx(expected, rel=5e-3)
        assert got == pytest.approx(means[key], rel=5e-3)
        assert stored


def test_plain_mean_variant():
    """TorchSpatial Dec 2024: plain mean of the same per-centre values."""
    name = "torchspatial2024_birdsnap_ebird_meta_sphereC"
    if not (REF / f"{name}.npz").exists():
        pytest.skip("../shared reference data not available")
    ref = np.load(REF / f"{name}.npz")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", geobias.GeoBiasWarning)
        res = geobias.audit(CSV / "eval_birdsnap_ebird_meta_test_Sphere2Vec-sphereC.csv",
                            preset="torchspatial2024", aggregation="mean", progress=False)
    assert res.base == pytest.approx(float(ref["base_mean"]), rel=5e-3)
    assert res.relative == pytest.approx(float(ref["relative_mean"]), rel=5e-3)
    assert res.n_skipped == int(np.isnan(ref["base"]).sum())
