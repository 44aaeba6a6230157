"""The LocBench runner on synthetic data in the published layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geoencode.bench.runner import run_locbench

from locbench_fixtures import write_all


@pytest.fixture(scope="module")
def locbench_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("locbench")
    write_all(root)
    return root


def test_classification_run_writes_table_and_per_sample_csvs(locbench_root, tmp_path):
    result = run_locbench(locbench_root, "birdsnap", "sphereC", epochs=2, progress=False, out_dir=tmp_path,
                          params={"frequency_num": 4, "out_dim": 16, "hidden_dim": 16})
    assert result.table["model"].tolist() == ["No Prior", "Sphere2Vec-sphereC", "Sphere2Vec-sphereC (location only)"]
    no_prior = pd.read_csv(tmp_path / "eval_birdsnap_test_no_prior.csv", index_col=0)
    geo = pd.read_csv(tmp_path / "eval_birdsnap_test_Sphere2Vec-sphereC.csv", index_col=0)
    assert geo.columns.tolist() == ["lon", "lat", "true_class_prob", "reciprocal_rank", "hit@1", "hit@3"]
    assert len(no_prior) == len(geo) == result.table.loc[0, "n"]
    assert no_prior["hit@1"].mean() * 100 == pytest.approx(result.table.loc[0, "top1"])
    # geo-aware scores are the image probabilities times P(y|x) ∈ (0, 1): never larger
    located = geo[["lon", "lat"]].notna().all(axis=1)
    assert (geo.loc[located, "true_class_prob"] <= no_prior.loc[located, "true_class_prob"] + 1e-9).all()
    # geo-bias beside accuracy, as geobias computes it on the located rows of each model's file
    import geobias

    for i, frame in enumerate([no_prior, geo]):
        ref = geobias.audit(frame[located], value="hit@1", radius_km=100.0, progress=False).summary()
        assert result.table.loc[i, "base_gbs"] == pytest.approx(ref["base"], rel=1e-9)
        assert result.table.loc[i, "relative_gbs"] == pytest.approx(ref["relative"], rel=1e-9)
    assert result.table["base_gbs"].nunique() == 1  # the same points for every model
    with pytest.raises(Exception, match="overwrite"):
        run_locbench(locbench_root, "birdsnap", "sphereC", epochs=1, progress=False, out_dir=tmp_path)


def test_regression_run(locbench_root, tmp_path):
    result = run_locbench(locbench_root, "mosaiks_elevation", "xyz", epochs=3, progress=False, out_dir=tmp_path)
    assert result.table["model"].tolist() == ["No Prior", "xyz"]
    frame = pd.read_csv(tmp_path / "eval_mosaiks_elevation_test_xyz.csv")
    assert frame.columns.tolist() == ["lon", "lat", "predictions", "labels", "relative_error"]
    np.testing.assert_allclose(frame["relative_error"], (frame["predictions"] - frame["labels"]) / frame["labels"])
    assert np.isfinite(result.table[["r2", "mae", "rmse"]].to_numpy()).all()


def test_regression_drops_rows_without_features(locbench_root):
    result = run_locbench(locbench_root, "sustainbench_asset_index", "xyz", epochs=2, progress=False)
    assert np.isfinite(result.table[["r2", "mae", "rmse"]].to_numpy()).all()


def test_classification_trains_with_a_geo_bias_regulariser(locbench_root):
    from geoencode.training import MarkedSSILoss

    reg = MarkedSSILoss(radius_km=9000.0, weight=1.0, threshold=0.5, min_neighbors=2)  # a tiny fixture
    result = run_locbench(locbench_root, "birdsnap", "sphereC", epochs=2, progress=False, regularisers=[reg],
                          regularise_from=1, params={"frequency_num": 4, "out_dim": 16, "hidden_dim": 16})
    assert reg.steps > 0  # the second epoch was regularised, on the prior's own class probabilities
    assert np.isfinite(result.table["top1"]).all()
