"""Offline benchmark tasks: the data follow the published protocols; a short run learns something."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geoencode.bench.offline import (
    fibonacci_lattice, land_mask, load_task, nearest_label, run_offline, sphere_normal_points,
    summarize,
)


def test_landocean_protocol():
    task = load_task("landocean")
    assert task.train[0].shape == task.val[0].shape == (5000, 2)
    grid, labels = task.tests["test"]
    assert grid.shape == (51_156, 2)
    assert grid[:, 1].min() == pytest.approx(-86.0, abs=0.05) and grid[:, 1].max() == pytest.approx(82.3, abs=0.05)
    # Land covers ~29 % of the sphere; the EASE grid is equal-area so its fraction matches too.
    assert 0.25 < task.train[1].mean() < 0.32 and 0.25 < labels.mean() < 0.32
    polar = task.tests["polar"][0]
    assert (np.abs(polar[:, 1]) > 80).all() and len(polar) == 5000
    # seeds 0 and 1 give the reference's points: normalised 3-D Gaussians of RandomState(seed)
    x, y, z = np.random.RandomState(1).normal(size=(3, 5000))
    np.testing.assert_allclose(task.val[0][:, 1], np.rad2deg(np.arctan2(z, np.hypot(x, y))))


def test_land_mask_known_places():
    places = np.array([[2.35, 48.85], [-30.0, 30.0], [135.0, -25.0], [-150.0, 0.0], [0.0, -85.0], [40.0, 88.0]])
    assert land_mask(places).tolist() == [True, False, True, False, True, False]


def test_checkerboard_lattice_and_labels():
    support, labels = fibonacci_lattice(200, 16)
    assert support.shape == (200, 2) and set(labels) == set(range(16))
    assert np.abs(support[:, 0]).max() <= 180 and np.abs(support[:, 1]).max() < 90
    # a support point's own location gets its own label
    np.testing.assert_array_equal(nearest_label(support, support, labels), labels)
    task = load_task("checkerboard")
    assert task.num_outputs == 16 and task.train[0].shape == (10_000, 2) and task.tests["test"][0].shape == (10_000, 2)


def test_country_and_elevation_tasks():
    country = load_task("country")
    assert country.kind == "multiclass" and country.num_outputs == 177
    assert len(country.train[0]) == 5000 and land_mask(country.train[0]).all()
    names = country.info["class_names"]
    france = names.index("France")
    paris_like = country.train[0][country.train[1] == france]
    assert len(paris_like) > 5 and (np.abs(paris_like[:, 1] - 46) < 12).mean() > 0.5  # mainland or overseas
    elev = load_task("elevation")
    assert elev.kind == "regression" and len(elev.train[0]) > 15_000
    assert -500 < elev.train[1].min() and elev.train[1].max() < 5000  # metres


def test_sphere_points_are_uniform():
    pts = sphere_normal_points(100_000, 5)
    assert (np.abs(pts[:, 1]) < 30).mean() == pytest.approx(0.5, abs=0.01)


def test_short_run_learns_and_writes_per_sample_csvs(tmp_path):
    table = run_offline("checkerboard", ["sphereC+"], nns=["ffn"], seeds=2, out_dir=tmp_path,
                        max_epochs=10, patience=10, params={"frequency_num": 8, "min_radius": 0.1, "dropout": 0.0,
                                                                  "hidden_dim": 128, "out_dim": 64})
    assert len(table) == 2 and set(table["seed"]) == {0, 1}
    assert (table["test_top1"] > 30).all()  # chance is 6.25 %
    saved = pd.read_csv(tmp_path / "results.csv")
    assert {"task", "encoder", "nn", "seed", "test_top1", "test_mrr", "train_seconds"} <= set(saved.columns)
    # geo-bias beside accuracy: the Geo-Bias Scores of the written per-sample file, as geobias computes them
    import geobias

    per_sample = pd.read_csv(tmp_path / "checkerboard_Sphere2Vec-sphereC+_ffn_seed0_test.csv", index_col=0)
    ref = geobias.audit(per_sample, value="hit@1", radius_km=600.0, progress=False).summary()
    row = saved[saved["seed"] == 0].iloc[0]
    assert row["gbs_radius_km"] == 600.0
    assert row["test_base_gbs"] == pytest.approx(ref["base"], rel=1e-9)
    assert row["test_relative_gbs"] == pytest.approx(ref["relative"], rel=1e-9)
    per_sample = pd.read_csv(tmp_path / "checkerboard_Sphere2Vec-sphereC+_ffn_seed0_test.csv", index_col=0)
    assert per_sample.columns.tolist() == ["lon", "lat", "true_class_prob", "reciprocal_rank", "hit@1", "hit@3"]
    assert per_sample["hit@1"].mean() * 100 == pytest.approx(table.loc[0, "test_top1"])
    summary = summarize(table)
    assert summary.loc[0, "seeds"] == 2 and "±" in summary.loc[0, "test_top1"]
    with pytest.raises(Exception, match="overwrite"):
        run_offline("checkerboard", ["xyz"], seeds=1, out_dir=tmp_path, max_epochs=1)
