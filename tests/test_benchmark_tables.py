"""The offline benchmark's result pages: two scripts share one page, and our runs sit beside the authors'."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

BENCHMARKS = str(Path(__file__).resolve().parents[1] / "benchmarks")
# Only for these two imports, and last on the path: benchmarks/geobias.py must never shadow the package.
sys.path.append(BENCHMARKS)
try:
    import _sections
    import debias as debias_bench
    import offline_recipes
finally:
    sys.path.remove(BENCHMARKS)


def test_each_script_replaces_only_its_own_section(tmp_path):
    page = tmp_path / "offline_landocean.md"
    _sections.write_section(page, "landocean", _sections.DEFAULT, f"{_sections.DEFAULT_TITLE}\n\nshared table v1")
    _sections.write_section(page, "landocean", _sections.RECIPES, f"{_sections.RECIPES} (paper)\n\nrecipes v1")
    _sections.write_section(page, "landocean", _sections.DEFAULT, f"{_sections.DEFAULT_TITLE}\n\nshared table v2")
    text = page.read_text()
    assert text.startswith("# Offline benchmark: landocean\n\n")
    assert "recipes v1" in text and "shared table v2" in text and "shared table v1" not in text
    assert text.index(_sections.RECIPES) < text.index(_sections.DEFAULT)  # fixed order, whoever wrote last
    _sections.write_section(page, "landocean", _sections.RECIPES, f"{_sections.RECIPES} (paper)\n\nrecipes v2")
    sections = _sections.read_sections(page.read_text())
    assert sections[_sections.RECIPES].strip().endswith("recipes v2")
    assert sections[_sections.DEFAULT].strip().endswith("shared table v2")


def test_a_page_from_before_the_sections_keeps_its_table_as_the_shared_one():
    old = "# Offline benchmark: country\n\n57 runs (3 seeds) ...\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    sections = _sections.read_sections(old)
    assert list(sections) == [_sections.DEFAULT]
    assert sections[_sections.DEFAULT].startswith(_sections.DEFAULT_TITLE)
    assert "| 1 | 2 |" in sections[_sections.DEFAULT]


def _ours(enc: str, nn: str, accs: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"task": "landocean", "encoder": enc, "nn": nn, "seed": range(len(accs)),
                         "test_accuracy": accs, "polar_accuracy": accs, "recipe": "paper",
                         "train_seconds": 2.0, "steps_per_second": 100.0, "epochs": 200, "best_epoch": 170})


def test_the_table_puts_the_authors_runs_beside_ours_and_flags_the_tolerance():
    ours = pd.concat([_ours("spherical_harmonics", "siren", [95.7, 95.8, 95.9]),
                      _ours("wrap", "fcnet", [93.0, 93.1, 93.2]),
                      _ours("spherical_harmonics", "ffn", [95.5])])
    theirs = pd.DataFrame({"pe": ["sphericalharmonics", "sphericalharmonics", "wrap"], "nn": ["siren", "siren", "fcnet"],
                           "seed": [0, 1, 0], "accuracy": [0.9570, 0.9580, 0.9350], "train_seconds": [36.0, 40.0, 90.0]})
    table = offline_recipes.table(ours, theirs).set_index("pair")
    sh = table.loc["spherical_harmonics + siren"]
    assert sh["authors' code"] == "95.75 ± 0.07" and sh["gap"] == "+0.05" and sh["within 0.3"] == "yes"
    assert sh["seeds (ours / theirs)"] == "3 / 2" and sh["authors' train s / run"] == pytest.approx(38.0)
    assert sh["× faster"] == "19.0"
    assert sh["issue 14 value"] == "95.74 ± 0.01"
    wrap = table.loc["wrap + fcnet"]
    assert wrap["gap"] == "-0.40" and wrap["within 0.3"] == "no"
    # Their code has no ffn network: no authors' value, and no verdict.
    ffn = table.loc["spherical_harmonics + ffn"]
    assert ffn["authors' code"] == "–" and ffn["within 0.3"] == "–" and ffn["seeds (ours / theirs)"] == "1 / –"


def _arms(task, loss, marks, weight, acc, rel, err, val_acc, val_rel):
    """Rows of one (setting, seed): accuracy, relative and error scores per arm, plain/control/debiased."""
    return [{"task": task, "encoder": "e", "nn": "n", "loss": loss, "marks": marks, "weight": weight,
             "threshold": 0.5, "seed": 0, "arm": arm, "test_accuracy": a, "relative_gbs": r, "error_gbs": e,
             "val_accuracy": va, "val_relative_gbs": vr, "val_error_gbs": e, "base_gbs": 4.0,
             "epoch_seconds": 1.0 + (arm == "debiased"), "sri_scale_grid": 0.0, "gbs_radius_km": 250.0,
             "skipped_steps": 0}
            for arm, a, r, e, va, vr in zip(("plain", "control", "debiased"), acc, rel, err, val_acc, val_rel)]


def test_debias_table_pairs_arms_and_chooses_on_validation_only():
    rows = pd.DataFrame(
        # lowers the test score most but costs 2 validation points: never chosen
        _arms("t", "ssi", "hits", 1.0, (90, 91, 90), (3, 3, 1), (1, 1, 1), (90, 91, 89), (3, 3, 1.5))
        # allowed (-0.4 points on validation), lowers the validation score by 10 %
        + _arms("t", "marked_ssi", "errors", 0.1, (90, 91, 91), (3, 3, 2.9), (1, 1, 0.5), (90, 91, 90.6),
                (3, 3, 2.7)))
    p = debias_bench.paired(rows)
    assert len(p) == 2
    ssi = p[p["loss"] == "ssi"].iloc[0]
    assert ssi["rel_change_%"] == pytest.approx(100 * (1 / 3 - 1)) and ssi["acc_change"] == -1
    assert ssi["cost_ratio"] == 2.0
    chosen = debias_bench.choose(rows, "t")
    assert (chosen["loss"], chosen["marks"], chosen["weight"]) == ("marked_ssi", "errors", 0.1)
    assert chosen["val_rel_change_%"] == pytest.approx(-10.0)
    strict = rows.assign(val_accuracy=rows["val_accuracy"] - (rows["arm"] == "debiased") * 5)
    assert debias_bench.choose(strict, "t") is None
