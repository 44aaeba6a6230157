"""The geobias command line: outputs atomic, inputs safe, no silent clobbering."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import geopandas as gpd
from geobias.cli import main


@pytest.fixture()
def csvs(tmp_path):
    rng = np.random.default_rng(0)
    n = 120
    lon, lat = rng.uniform(0, 2, n), rng.uniform(40, 42, n)
    a = pd.DataFrame({"lon": lon, "lat": lat, "hit@1": rng.integers(0, 2, n).astype(float)})
    b = a.assign(**{"hit@1": rng.integers(0, 2, n).astype(float)})
    c = pd.DataFrame({"hit@1": rng.integers(0, 2, n).astype(float)})
    paths = []
    for name, f in (("model_a", a), ("model_b", b), ("no_prior", c)):
        p = tmp_path / f"eval_{name}.csv"
        f.to_csv(p)  # TorchSpatial style: unnamed index column
        paths.append(p)
    return paths


def test_audit_writes_gpkg_and_refuses_to_clobber(csvs, tmp_path, capsys):
    out = tmp_path / "per_centre.gpkg"
    args = ["audit", str(csvs[0]), "--value", "hit@1", "--radius-km", "100", "--k", "4",
            "--preset", "geobs", "--out", str(out), "--quiet"]
    assert main(args) == 0
    gdf = gpd.read_file(out)
    assert len(gdf) == 120 and {"base", "relative", "n_neighbours", "local_mean"} <= set(gdf.columns)
    assert gdf.crs.to_epsg() == 4326
    assert "base (unmarked SSI)" in capsys.readouterr().out
    before = out.stat().st_mtime_ns
    assert main(args) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert out.stat().st_mtime_ns == before
    assert main(args + ["--overwrite"]) == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".per_centre")]


def test_audit_never_overwrites_its_input(csvs, capsys):
    original = csvs[0].read_bytes()
    assert main(["audit", str(csvs[0]), "--out", str(csvs[0]), "--overwrite", "--quiet"]) == 2
    assert "input" in capsys.readouterr().err
    assert csvs[0].read_bytes() == original


def test_audit_csv_output_and_errors(csvs, tmp_path, capsys):
    out = tmp_path / "pc.csv"
    assert main(["audit", str(csvs[0]), "--out", str(out), "--quiet"]) == 0
    assert pd.read_csv(out).shape[0] == 120
    assert main(["audit", str(csvs[0]), "--value", "nope", "--quiet"]) == 2
    assert "value column 'nope' not found" in capsys.readouterr().err
    assert main(["audit", str(tmp_path / "missing.csv"), "--quiet"]) == 2


def test_compare_prints_table(csvs, tmp_path, capsys):
    out = tmp_path / "table.csv"
    assert main(["compare", *map(str, csvs), "--quiet", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "eval_no_prior" in text and "base" in text and "relative" in text
    table = pd.read_csv(out, index_col=0)
    assert list(table.index) == ["eval_model_a", "eval_model_b", "eval_no_prior"]
