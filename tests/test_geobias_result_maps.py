"""The audit result's map methods and the ``geobias audit --map/--figure/--gpkg`` flags."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest

import geobias
from geobias.cli import main


@pytest.fixture(scope="module")
def clustered():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"lon": rng.uniform(0, 6, 400), "lat": rng.uniform(40, 46, 400)})
    # the model fails in the western third only
    df["hit@1"] = (df["lon"] > 2).astype(int)
    return df


def test_hotspots_on_the_audit_weights_find_the_failing_region(clustered):
    res = geobias.audit(clustered, radius_km=80, progress=False)
    hs = res.hotspots(random_state=0, permutations=199)
    frame = hs.frame
    cold = frame["hotspot"].str.startswith("Cold spot")
    assert cold.sum() > 20
    assert (clustered.loc[frame.index[cold], "lon"] < 2.5).mean() > 0.9
    assert frame.index.equals(res.per_centre.index)


def test_explore_figure_and_gpkg(clustered, tmp_path):
    res = geobias.audit(clustered, radius_km=80, progress=False)
    hs = res.hotspots(random_state=0, permutations=99)
    html = res.explore(offline=True, hotspots=hs).get_root().render()
    assert "leaflet" in html.lower()
    fig = res.figure(hotspots=hs)
    assert len(fig.axes) >= 4
    path = res.to_gpkg(tmp_path / "a.gpkg", hotspots=hs)
    with sqlite3.connect(path) as con:
        styled = {r[0] for r in con.execute("select f_table_name from layer_styles")}
    assert len(styled) >= 2


def test_cli_writes_map_figure_gpkg_and_refuses_clobber(clustered, tmp_path, capsys):
    csv = tmp_path / "results.csv"
    clustered.to_csv(csv)
    args = [str(csv), "--radius-km", "80", "--quiet", "--map", str(tmp_path / "m.html"), "--offline",
            "--figure", str(tmp_path / "f.png"), "--gpkg", str(tmp_path / "g.gpkg")]
    assert main(["audit", *args]) == 0
    html = (tmp_path / "m.html").read_text()
    assert "unpkg.com" not in html and "cdn.jsdelivr" not in html  # offline: nothing remote
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"
    before = {p: (tmp_path / p).stat().st_mtime_ns for p in ("m.html", "f.png", "g.gpkg")}
    assert main(["audit", *args]) == 1
    assert "--overwrite" in capsys.readouterr().err
    assert {p: (tmp_path / p).stat().st_mtime_ns for p in before} == before
    assert main(["audit", str(csv), "--quiet", "--gpkg", str(csv)]) == 1
    assert "refusing to overwrite the input" in capsys.readouterr().err
    assert main(["audit", *args, "--overwrite"]) == 0


def test_cli_draws_through_the_audit_methods(clustered, tmp_path, monkeypatch):
    # one wiring of audit -> maps: the command line must not build its own
    calls = []
    for name in ("hotspots", "explore", "figure", "to_gpkg"):
        original = getattr(geobias.GeoBiasAudit, name)

        def spy(self, *args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(geobias.GeoBiasAudit, name, spy)
    csv = tmp_path / "results.csv"
    clustered.to_csv(csv)
    assert main(["audit", str(csv), "--radius-km", "80", "--quiet", "--map", str(tmp_path / "m.html"),
                 "--figure", str(tmp_path / "f.svg"), "--gpkg", str(tmp_path / "g.gpkg")]) == 0
    assert calls == ["hotspots", "explore", "figure", "to_gpkg"]
