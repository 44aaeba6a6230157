"""``geoencode bench offline`` and ``geoencode bench locbench`` end to end."""

from __future__ import annotations

import pandas as pd

from geoencode.cli import main

from locbench_fixtures import write_all


def test_bench_offline_writes_results_and_refuses_clobber(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["bench", "offline", "--task", "checkerboard", "--encoder", "xyz", "--nn", "linear", "--seeds", "2",
            "--max-epochs", "2", "--out", str(out), "--quiet"]
    assert main(args) == 0
    table = pd.read_csv(out / "results.csv")
    assert table[["task", "encoder", "nn", "seed"]].values.tolist() == [["checkerboard", "xyz", "linear", 0],
                                                                      ["checkerboard", "xyz", "linear", 1]]
    assert {"test_top1", "test_top3", "test_mrr", "train_seconds"} <= set(table.columns)
    assert (out / "checkerboard_xyz_linear_seed1_test.csv").exists()
    assert "test_top1" in capsys.readouterr().out
    assert main(args) == 1
    assert "overwrite" in capsys.readouterr().err
    assert main(args + ["--overwrite"]) == 0


def test_bench_locbench(tmp_path, capsys):
    root = tmp_path / "data"
    write_all(root)
    out = tmp_path / "out"
    rc = main(["bench", "locbench", "--data-dir", str(root), "--dataset", "nabirds", "--encoder", "sphereC+",
               "--param", "frequency_num=4", "--param", "hidden_dim=16", "--epochs", "2", "--out", str(out), "--quiet"])
    assert rc == 0
    printed = capsys.readouterr().out
    assert "No Prior" in printed and "Sphere2Vec-sphereC+" in printed
    assert (out / "eval_nabirds_test_Sphere2Vec-sphereC+.csv").exists()
    assert main(["bench", "locbench", "--data-dir", str(tmp_path / "missing"), "--dataset", "nabirds",
                 "--encoder", "xyz", "--out", str(out), "--quiet"]) == 1
    assert "missing" in capsys.readouterr().err
