"""``examples/demo.py`` (``make demo``): its audit subset and its refusal to clobber outputs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo.py"


@pytest.fixture(scope="module")
def demo():
    spec = importlib.util.spec_from_file_location("geoencode_demo", DEMO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_audit_subset_thins_the_test_grid_to_near_isotropic_neighbourhoods(demo):
    from geoencode.bench.offline import load_task

    grid, _ = load_task("landocean").tests["test"]
    frame = pd.DataFrame({"lon": grid[:, 0], "lat": grid[:, 1], "hit@1": np.arange(len(grid)) % 2})
    sub = demo.audit_subset(frame, demo.THIN_KM)
    assert 4_500 < len(sub) < 6_500  # about as many centres as the old 300 km regular grid (5,684)
    assert sub.index.is_monotonic_increasing and sub.columns.tolist() == frame.columns.tolist()
    before = demo.neighbour_counts(frame, 600.0)
    after = demo.neighbour_counts(sub, 600.0)
    assert before.max() > 1.4 * np.median(before)  # 164 against 114: the polar rows crowd
    assert after.max() <= 2 * np.median(after)  # 18 against 12; the regular subset had 55 against 11
    bands = pd.Series(after).groupby(pd.cut(sub["lat"].to_numpy(), np.arange(-75, 76, 15)), observed=True).mean()
    assert bands.max() - bands.min() <= 0.15 * np.median(after)  # no latitude bands of denser sampling
    pd.testing.assert_frame_equal(demo.audit_subset(sub, demo.THIN_KM), sub)  # already thinned: kept whole
    assert demo.audit_subset(frame, 0) is frame


def test_existing_outputs_are_not_replaced_without_overwrite(demo, tmp_path, capsys):
    (tmp_path / "results.csv").write_text("keep me")
    with pytest.raises(SystemExit) as exc:
        demo.main(["--out", str(tmp_path)])
    assert exc.value.code == 2
    assert "--overwrite" in capsys.readouterr().err
    assert (tmp_path / "results.csv").read_text() == "keep me"


@pytest.fixture(scope="module")
def remedied(demo, tmp_path_factory):
    """The demo's remedy step on a briefly trained model (one extra epoch per arm, to stay cheap)."""
    import torch

    from geoencode.bench.offline import _loss, _model_for, load_task
    from geoencode.training import Trainer

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a small model; more threads only fight the other processes on a busy machine
    try:
        task = load_task("landocean")
        torch.manual_seed(0)
        model = _model_for(task, "spherical_harmonics", "siren", {})
        data = (torch.as_tensor(task.train[0], dtype=torch.float32), torch.as_tensor(task.train[1], dtype=torch.long))
        Trainer(model, _loss(task.kind), max_epochs=3, batch_size=512, seed=0, progress=False).fit(data)
        start = {k: v.clone() for k, v in model.state_dict().items()}
        out = tmp_path_factory.mktemp("remedy")
        table, arms = demo.remedy(out, "spherical_harmonics", model, demo.THIN_KM, 600.0, epochs=1)
    finally:
        torch.set_num_threads(threads)
    return out, model, start, table, arms


def test_remedy_writes_its_outputs_and_leaves_the_model_alone(demo, remedied):
    out, model, start, table, _ = remedied
    assert {"remedy.csv", "remedy_figure.png"} <= set(demo.OUTPUTS)
    assert (out / "remedy_figure.png").stat().st_size > 10_000
    pd.testing.assert_frame_equal(pd.read_csv(out / "remedy.csv"), table, check_dtype=False, atol=1e-12)
    assert table["model"].tolist() == ["spherical_harmonics control", "spherical_harmonics regularised"]
    assert all(np.array_equal(v, start[k]) for k, v in model.state_dict().items())  # both arms trained copies


def test_remedy_table_is_the_audits_of_the_arms(remedied):
    _, _, _, table, arms = remedied
    assert list(arms) == ["control", "regularised"]
    control, reg = arms["control"], arms["regularised"]
    assert "regulariser" in reg["history"][0] and "regulariser" not in control["history"][0]
    assert control["subset"].index.equals(reg["subset"].index)  # the same audited test points
    for row, arm in zip(table.itertuples(), arms.values()):
        assert row.test_accuracy == pytest.approx(100 * arm["frame"]["hit@1"].mean())
        assert len(arm["frame"]) == 51_156
        assert row.audited_accuracy == pytest.approx(100 * arm["subset"]["hit@1"].mean())
        assert row.audited_accuracy == pytest.approx(100 * arm["hits"].summary()["mean_value"])
        assert (row.base_gbs, row.relative_gbs, row.error_gbs) == (arm["hits"].base, arm["hits"].relative,
                                                                   arm["errors"].relative)
    assert table["base_gbs"].nunique() == 1  # base SSI depends on the locations only
    # the error-marked audit is the audit of the failures as the value
    import geobias

    sub = control["subset"].assign(miss=1 - control["subset"]["hit@1"])
    miss = geobias.audit(sub, value="miss", radius_km=600.0, k=4, preset="geobs", progress=False)
    assert miss.relative == pytest.approx(control["errors"].relative, abs=1e-12)


def test_remedy_summary_reads_the_directions_off_the_table(demo, remedied):
    table = remedied[3]
    text = demo.remedy_summary(table)
    c, r = table.iloc[0], table.iloc[1]
    for col, name in (("error_gbs", "error GBS"), ("relative_gbs", "relative GBS")):
        a, b = round(c[col], 3), round(r[col], 3)
        word = "lower" if b < a else "higher" if b > a else "the same"
        assert f"{name} {word} ({a:.3f} → {b:.3f})" in text
    assert f"({c.test_accuracy:.2f} % → {r.test_accuracy:.2f} %)" in text
    assert "geoencode bench debias" in text and "docs/debias.rst" in text
    fixed = table.assign(error_gbs=[0.2, 0.1], relative_gbs=[1.0, 1.0], test_accuracy=[90.0, 91.0])
    assert "error GBS lower (0.200 → 0.100), relative GBS the same (1.000 → 1.000) and test accuracy higher " \
           "(90.00 % → 91.00 %)" in demo.remedy_summary(fixed)
