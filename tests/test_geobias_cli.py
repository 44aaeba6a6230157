"""The geobias command line: outputs atomic, inputs safe, no silent clobbering."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import geopandas as gpd
import geobias
import geobias.cli
from geobias.cli import build_parser, main


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
    assert main(args) == 1  # a library error, not a usage error
    err = capsys.readouterr().err
    assert "--overwrite" in err and "overwrite=True" not in err
    assert out.stat().st_mtime_ns == before
    assert main(args + ["--overwrite"]) == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".per_centre")]


def test_audit_never_overwrites_its_input(csvs, capsys):
    original = csvs[0].read_bytes()
    assert main(["audit", str(csvs[0]), "--out", str(csvs[0]), "--overwrite", "--quiet"]) == 1
    assert "input" in capsys.readouterr().err
    assert csvs[0].read_bytes() == original


def test_audit_csv_output_and_errors(csvs, tmp_path, capsys):
    out = tmp_path / "pc.csv"
    assert main(["audit", str(csvs[0]), "--out", str(out), "--quiet"]) == 0
    assert pd.read_csv(out).shape[0] == 120
    assert main(["audit", str(csvs[0]), "--value", "nope", "--quiet"]) == 1
    assert "value column 'nope' not found" in capsys.readouterr().err
    assert main(["audit", str(tmp_path / "missing.csv"), "--quiet"]) == 1


def test_compare_prints_table(csvs, tmp_path, capsys):
    out = tmp_path / "table.csv"
    assert main(["compare", *map(str, csvs), "--quiet", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "eval_no_prior" in text and "base" in text and "relative" in text
    table = pd.read_csv(out, index_col=0)
    assert list(table.index) == ["eval_model_a", "eval_model_b", "eval_no_prior"]


def test_threshold_takes_any_number_or_a_scale(tmp_path, capsys):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"lon": rng.uniform(0, 2, 80), "lat": rng.uniform(40, 42, 80),
                       "err_km": rng.exponential(800, 80)})
    csv = tmp_path / "geoloc.csv"
    df.to_csv(csv)
    outs = {}
    for t in ("1e3", "1000", "1000.0", "country"):
        out = tmp_path / f"pc_{t}.csv"
        assert main(["audit", str(csv), "--value", "err_km", "--threshold", t, "--out", str(out), "--quiet"]) == 0
        outs[t] = pd.read_csv(out)
    pd.testing.assert_frame_equal(outs["1e3"], outs["1000"])
    pd.testing.assert_frame_equal(outs["1e3"], outs["1000.0"])
    assert not outs["1e3"].equals(outs["country"])  # 750 km: other marks
    capsys.readouterr()
    assert main(["audit", str(csv), "--value", "err_km", "--threshold", "village", "--quiet"]) == 2
    assert "neither a number of km nor a scale level" in capsys.readouterr().err
    assert main(["audit", str(csv), "--value", "err_km", "--threshold", "-5", "--quiet"]) == 1
    assert "--threshold must be a finite number > 0, got -5.0" in capsys.readouterr().err  # in flag words


def test_version_usage_errors_and_interrupt(csvs, monkeypatch, capsys):
    with pytest.raises(SystemExit) as info:  # argparse's own --version, as geoencode's
        build_parser().parse_args(["--version"])
    assert info.value.code == 0
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("geobias ")
    assert main(["audit"]) == 2
    assert main(["audit", str(csvs[0]), "--k", "four"]) == 2

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(geobias.cli, "audit", interrupted)
    capsys.readouterr()
    assert main(["audit", str(csvs[0]), "--quiet"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_messages_speak_flags(csvs, tmp_path, capsys):
    c = pd.read_csv(csvs[0], index_col=0).rename(columns={"lon": "E", "lat": "N"})
    odd = tmp_path / "odd.csv"
    c.to_csv(odd)
    assert main(["audit", str(odd), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "--lon/--lat" in err and "lon=" not in err
    assert main(["audit", str(odd), "--lon", "E", "--lat", "N", "--quiet"]) == 0


def test_torchspatial_coordinate_names(csvs, tmp_path, capsys):
    for p in csvs:
        f = pd.read_csv(p, index_col=0).rename(columns={"lon": "gt_longitude", "lat": "gt_latitude"})
        f.to_csv(tmp_path / f"gt_{p.name}")
    assert main(["compare", *(str(tmp_path / f"gt_{p.name}") for p in csvs), "--quiet"]) == 0
    assert "gt_eval_no_prior" in capsys.readouterr().out


def test_malformed_csv_is_a_library_error(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("lon,lat,hit@1\n1,2,1\n1,2,1,9\n")
    assert main(["audit", str(bad), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "bad.csv" in err and "line 3" in err and "Traceback" not in err


def test_ties_flag_reaches_the_audit(csvs, tmp_path, capsys):
    """--ties reference gives the Python API's ties='reference' values; the default is split."""
    out = {}
    for ties in ("split", "reference"):
        path = tmp_path / f"{ties}.csv"
        assert main(["audit", str(csvs[0]), "--ties", ties, "--out", str(path), "--quiet"]) == 0
        assert f"ties: {ties}" in capsys.readouterr().out
        out[ties] = pd.read_csv(path, index_col=0)
    ref = geobias.audit(csvs[0], ties="reference", progress=False)
    np.testing.assert_allclose(out["reference"]["relative"].to_numpy(), ref.per_centre["relative"].to_numpy(),
                               rtol=1e-9)
    assert main(["audit", str(csvs[0]), "--ties", "first"]) == 2  # a usage error
