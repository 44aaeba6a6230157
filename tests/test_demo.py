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
