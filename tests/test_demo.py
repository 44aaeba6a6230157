"""``examples/demo.py`` (``make demo``): its grid thinning and its refusal to clobber outputs."""

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


def test_regular_subset_keeps_every_step_th_row_and_column(demo):
    lon, lat = np.meshgrid(np.arange(6.0), np.arange(4.0))  # row-major grid: 4 rows of 6 columns
    frame = pd.DataFrame({"lon": lon.ravel(), "lat": lat.ravel()})
    sub = demo.regular_subset(frame, 2)
    assert sub[["lon", "lat"]].values.tolist() == [[0, 0], [2, 0], [4, 0], [0, 2], [2, 2], [4, 2]]
    pd.testing.assert_frame_equal(demo.regular_subset(frame, 1), frame)


def test_existing_outputs_are_not_replaced_without_overwrite(demo, tmp_path, capsys):
    (tmp_path / "results.csv").write_text("keep me")
    with pytest.raises(SystemExit) as exc:
        demo.main(["--out", str(tmp_path)])
    assert exc.value.code == 2
    assert "--overwrite" in capsys.readouterr().err
    assert (tmp_path / "results.csv").read_text() == "keep me"
