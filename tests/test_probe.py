"""The probe benchmark: frozen features, linear/MLP probes, summaries and the command line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from geoencode import GeoEncodeError
from geoencode.bench import probe as probe_mod
from geoencode.bench.offline import OfflineTask
from geoencode.bench.probe import ProbeEncoder, embed, run_probe, summarize_probe, to_markdown
from geoencode.registry import position_encoder

SH2 = ProbeEncoder("sh L=2", "sh", {"legendre_poly_num": 2})


def _points(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.c_[rng.uniform(-180, 180, n), np.rad2deg(np.arcsin(rng.uniform(-1, 1, n)))]


@pytest.fixture
def toy_tasks(monkeypatch):
    """Tasks whose answers are linear in degree-1 harmonics: north/south and sin(latitude)."""
    def make(name: str) -> OfflineTask:
        tr, te = _points(600, 0), _points(400, 1)
        if name == "hemisphere":
            lab = lambda p: (p[:, 1] > 0).astype(np.int64)  # noqa: E731
            return OfflineTask(name, "binary", 1, (tr, lab(tr)), (te, lab(te)), {"test": (te, lab(te))})
        val = lambda p: 100.0 * np.sin(np.deg2rad(p[:, 1])) + 5.0  # noqa: E731
        return OfflineTask(name, "regression", 1, (tr, val(tr)), (te, val(te)), {"test": (te, val(te))})

    monkeypatch.setattr(probe_mod, "TASKS", ("hemisphere", "height"))
    monkeypatch.setattr(probe_mod, "load_task", make)


def test_embed_is_the_position_encoder_frozen():
    pts = _points(50, 3)
    got = embed(ProbeEncoder("sh", "sh", {"legendre_poly_num": 3}), pts)
    expected = position_encoder("sh", legendre_poly_num=3)(torch.as_tensor(pts)).numpy().astype(np.float32)
    assert got.dtype == np.float32 and got.shape == (50, 9)
    np.testing.assert_array_equal(got, expected)


def test_seeded_encoders_differ_by_seed_others_do_not():
    pts = _points(20, 4)
    rff = ProbeEncoder("rff", "rff", seeded=True)
    assert not np.allclose(embed(rff, pts, seed=0), embed(rff, pts, seed=1))
    np.testing.assert_array_equal(embed(rff, pts, seed=2), embed(rff, pts, seed=2))
    np.testing.assert_array_equal(embed(SH2, pts, seed=0), embed(SH2, pts, seed=1))


def test_linear_probe_solves_linear_tasks(toy_tasks):
    rows = run_probe(["hemisphere", "height"], [SH2], ["linear"], seeds=2, progress=False)
    assert len(rows) == 4 and set(rows["seed"]) == {0, 1}
    hemi = rows[rows.task == "hemisphere"]
    assert (hemi["test_accuracy"] > 0.97).all()
    height = rows[rows.task == "height"]
    # sin(lat) is exactly Y_1^0 up to scale, so ridge on standardised features fits it almost exactly.
    assert (height["test_r2"] > 0.999).all() and (height["test_rmse"] < 2.0).all()
    assert (rows["embed_seconds"] >= 0).all() and (rows["fit_seconds"] > 0).all()


def test_mlp_probe_runs_on_the_same_features(toy_tasks):
    rows = run_probe(["hemisphere"], [SH2], ["mlp"], seeds=1, progress=False)
    assert rows.loc[0, "test_accuracy"] > 0.9


def test_summary_mean_and_std_over_seeds():
    res = pd.DataFrame({"task": ["t"] * 3, "encoder": ["e"] * 3, "probe": ["linear"] * 3, "seed": [0, 1, 2],
                        "dim": [4] * 3, "embed_seconds": [1.0] * 3, "fit_seconds": [0.5, 1.0, 1.5],
                        "test_accuracy": [0.5, 0.6, 0.7]})
    s = summarize_probe(res)
    assert s.loc[0, "test_accuracy"] == "0.600 ± 0.100" and s.loc[0, "seconds"] == 2.0 and s.loc[0, "seeds"] == 3
    md = to_markdown(s)
    assert md.startswith("### t") and "| e | linear | 0.600 ± 0.100 |" in md


def test_bad_arguments_are_named(toy_tasks):
    with pytest.raises(GeoEncodeError, match="unknown task"):
        run_probe(["nope"], [SH2], ["linear"])
    with pytest.raises(GeoEncodeError, match="unknown probe"):
        run_probe(["hemisphere"], [SH2], ["svm"])


def test_cli_registered_writes_and_refuses_to_clobber(toy_tasks, tmp_path, capsys):
    from geoencode.cli import main

    argv = ["bench", "probe", "--tasks", "hemisphere", "--encoders", "s2=sh:legendre_poly_num=2",
            "--probes", "linear", "--seeds", "1", "--quiet", "--out", str(tmp_path)]
    assert main(argv) == 0
    table = pd.read_csv(tmp_path / "results.csv")
    assert list(table["encoder"]) == ["s2"] and table.loc[0, "test_accuracy"] > 0.97
    assert "### hemisphere" in (tmp_path / "probe.md").read_text()
    before = (tmp_path / "results.csv").read_bytes()
    assert main(argv) == 1
    assert "--overwrite" in capsys.readouterr().err and (tmp_path / "results.csv").read_bytes() == before


def test_encoder_argument_syntax():
    enc = probe_mod._encoder_arg("sh20=sh:legendre_poly_num=20")
    assert (enc.label, enc.name, enc.params) == ("sh20", "sh", {"legendre_poly_num": 20})
    assert probe_mod._encoder_arg("rff").seeded and probe_mod._encoder_arg("geoclip").label == "geoclip"


def test_classification_rows_carry_geo_bias_scores(toy_tasks, monkeypatch):
    from geoencode.training.geo_bias_score import GeoBiasScorer

    scorer = GeoBiasScorer(_points(400, 1), 2000.0)
    monkeypatch.setattr(probe_mod, "GEO_BIAS_RADIUS_KM", {"hemisphere": 2000.0})
    monkeypatch.setattr(probe_mod, "geo_bias_scorer", lambda task, split: scorer)
    rows = run_probe(["hemisphere", "height"], [SH2], ["linear"], seeds=1, progress=False)
    hemi, height = rows[rows.task == "hemisphere"].iloc[0], rows[rows.task == "height"].iloc[0]
    assert hemi["test_base_gbs"] == scorer.base_gbs and np.isfinite(hemi["test_relative_gbs"])
    assert np.isnan(height["test_base_gbs"])  # regression: no hit@1, no score
