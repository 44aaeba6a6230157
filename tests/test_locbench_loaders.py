"""LocBench loaders on tiny synthetic fixtures written in the published layout (tests/locbench_fixtures.py)."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import geoencode
from geoencode.bench import (
    LOCBENCH_DATASETS,
    LocBenchError,
    LocBenchFileNotFoundError,
    LocBenchSplit,
    list_locbench,
    load_locbench,
    locbench_files,
)

import locbench_fixtures as fx

NAN = math.nan


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("locbench")
    fx.write_all(path)
    return path


@pytest.fixture
def fresh(tmp_path) -> Path:
    """An empty root for tests that write (and then break) one family."""
    return tmp_path


def _rows_from_feats(split: LocBenchSplit) -> np.ndarray:
    """Feature row i encodes i (fixture convention)."""
    return np.rint(split.image_feats[:, 0]).astype(int)


def _rows_from_preds(split: LocBenchSplit) -> np.ndarray:
    """Prediction row i has 0.1 * (i + 1) in column i (fixture convention)."""
    dense = split.image_preds.toarray() if sp.issparse(split.image_preds) else split.image_preds
    cols = dense[:, :-1].argmax(axis=1)
    np.testing.assert_allclose(dense[np.arange(len(cols)), cols], 0.1 * (cols + 1), rtol=1e-6)
    np.testing.assert_allclose(dense.sum(axis=1), 1.0, rtol=1e-5)
    return cols


def _assert_locs(actual: np.ndarray, expected: list) -> None:
    np.testing.assert_array_equal(actual, np.array(expected, dtype=float))  # NaN == NaN here


# --- registry --------------------------------------------------------------------------------------


def test_registry_has_the_17_datasets():
    table = list_locbench()
    assert len(table) == len(LOCBENCH_DATASETS) == 17
    assert list(table.index[:7]) == ["birdsnap", "birdsnap_ebird", "nabirds", "inat_2017", "inat_2018", "yfcc",
                                     "fmow"]
    assert (table["task"] == "classification").sum() == 7 and (table["task"] == "regression").sum() == 10
    assert table.loc["nabirds", "title"] == "NABirds†"
    assert table.loc["mosaiks_forest_cover", "label"] == "forest"
    assert table.loc["sustainbench_under5_mort", "label"] == "under5_mort_normalized"
    assert table.loc["inat_2018", "num_classes"] == 8142
    assert set(table["family"]) == {"birds", "inat", "yfcc", "fmow", "mosaiks", "sustainbench"}


@pytest.mark.parametrize("name", list(LOCBENCH_DATASETS))
def test_locbench_files_match_registry_templates(name):
    spec = LOCBENCH_DATASETS[name]
    templates = set(spec.files)
    for split in spec.splits:
        for rel in locbench_files(name, split, features=True).values():
            assert rel.startswith(spec.directory + "/")
            assert any(rel == t.format(split=split) for t in templates), (rel, templates)


def test_names_titles_and_aliases_resolve(root):
    assert load_locbench(root, "BirdSnap†").dataset == "birdsnap_ebird"
    assert load_locbench(root, "NABirds†").dataset == "nabirds"
    assert load_locbench(root, "iNat2017").dataset == "inat_2017"
    assert load_locbench(root, "mosaiks_forest").dataset == "mosaiks_forest_cover"


def test_bench_package_exports():
    import geoencode.bench as bench

    assert set(bench.__all__) >= {"load_locbench", "LocBenchSplit", "LOCBENCH_DATASETS", "list_locbench"}
    assert issubclass(LocBenchError, geoencode.GeoEncodeError) and issubclass(LocBenchError, ValueError)
    assert issubclass(LocBenchFileNotFoundError, FileNotFoundError)


# --- every dataset loads, default split -----------------------------------------------------------

EXPECTED_DEFAULT = {  # name -> (split, N, n_missing_locs, num_classes, preds width or None, feats width)
    "birdsnap": ("test", 4, 2, 500, 500, None),
    "birdsnap_ebird": ("test", 4, 0, 500, 500, None),
    "nabirds": ("test", 4, 0, 555, 555, None),
    "inat_2017": ("val", 4, 1, 5089, 5089, None),
    "inat_2018": ("val", 4, 1, 8142, 8142, None),
    "yfcc": ("test", 3, 0, 100, 100, None),
    "fmow": ("val", 3, 0, 62, 62, None),
    "mosaiks_population": ("test", 22, 0, None, None, 2048),
    "mosaiks_elevation": ("test", 22, 0, None, None, 2048),
    "mosaiks_forest_cover": ("test", 22, 0, None, None, 2048),
    "mosaiks_nightlights": ("test", 22, 0, None, None, 2048),
    "sustainbench_asset_index": ("test", 18, 0, None, None, 1),
    "sustainbench_women_bmi": ("test", 19, 0, None, None, 1),
    "sustainbench_water_index": ("test", 19, 0, None, None, 1),
    "sustainbench_under5_mort": ("test", 19, 0, None, None, 1),
    "sustainbench_sanitation_index": ("test", 19, 0, None, None, 1),
    "sustainbench_women_edu": ("test", 19, 0, None, None, 1),
}


def test_expected_table_covers_every_dataset():
    assert set(EXPECTED_DEFAULT) == set(LOCBENCH_DATASETS)


@pytest.mark.parametrize("name", list(EXPECTED_DEFAULT))
def test_every_dataset_loads_with_the_right_shapes(root, name):
    split_name, n, n_missing, num_classes, pred_width, feat_width = EXPECTED_DEFAULT[name]
    ds = load_locbench(root, name)
    assert (ds.dataset, ds.split, len(ds), ds.n_missing_locs, ds.num_classes) == (name, split_name, n, n_missing,
                                                                                 num_classes)
    assert ds.locs.shape == (n, 2) and ds.locs.dtype == np.float64
    assert ds.rows.shape == (n,) and ds.rows.dtype == np.int64 and ds.ids.shape == (n,)
    if num_classes is None:
        assert ds.task == "regression" and ds.labels.dtype == np.float64 and ds.image_preds is None
        assert ds.image_feats.shape == (n, feat_width) and ds.image_feats.dtype == np.float32
        assert ds.classes is None and ds.users is None and ds.label_name
    else:
        assert ds.task == "classification" and ds.labels.dtype == np.int64
        assert ds.image_preds.shape == (n, pred_width) and ds.image_preds.dtype == np.float32
        assert ds.image_feats is None  # features are opt-in for classification
        assert ds.users.dtype == np.int64 and ds.dates.dtype == np.float32 and ds.classes
        assert ((ds.labels >= 0) & (ds.labels < num_classes)).all()
        np.testing.assert_array_equal(_rows_from_preds(ds), ds.rows)
    assert all(p.is_absolute() and p.is_file() for p in ds.files.values())
    assert f"{n} sample" in repr(ds) and f"{n_missing} without a location" in repr(ds)


# --- iNat -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2017, 2018])
def test_inat_train_filters_by_lon_and_user_and_aligns(root, year):
    ds = load_locbench(root, f"inat_{year}", "train", features=True)
    # ids 11 (no lon) and 13 (no user) are dropped; 12 kept with a NaN date; 14 kept as [151.2, nan].
    assert ds.ids.tolist() == [10, 12, 14]
    assert ds.rows.tolist() == [0, 2, 4]
    assert ds.labels.tolist() == [3, 4088, 2]  # annotations are stored in reverse order: mapping is by id
    _assert_locs(ds.locs, [[-120.5, 37.1], [5.0, 50.0], [151.2, NAN]])
    assert ds.users.tolist() == [7, 8, 9]
    np.testing.assert_allclose(ds.dates, [0.42, NAN, 0.9], rtol=1e-6)
    np.testing.assert_array_equal(_rows_from_feats(ds), ds.rows)
    np.testing.assert_array_equal(_rows_from_preds(ds), ds.rows)  # defect 2: train preds subset too
    assert ds.classes == {0: "sp0", 1: "sp1", 2: "sp2", 3: "sp3"}
    assert ds.n_missing_locs == 1


def test_inat_val_keeps_all_rows_by_default(root):
    ds = load_locbench(root, "inat_2017")
    assert ds.split == "val" and ds.ids.tolist() == [20, 21, 22, 23]
    _assert_locs(ds.locs, [[2.35, 48.85], [NAN, NAN], [-74.0, 40.7], [139.7, 35.7]])
    assert ds.labels.tolist() == [5, 0, 5088, 1]
    assert ds.has_loc.tolist() == [True, False, True, True]
    filtered = load_locbench(root, "inat_2017", remove_invalid=True, features=True)
    assert filtered.ids.tolist() == [20, 22, 23] and filtered.rows.tolist() == [0, 2, 3]
    np.testing.assert_array_equal(_rows_from_feats(filtered), [0, 2, 3])


def test_inat_train_unfiltered_keeps_missing(root):
    ds = load_locbench(root, "inat_2018", "train", remove_invalid=False)
    assert ds.ids.tolist() == [10, 11, 12, 13, 14]
    assert ds.users.tolist() == [7, 7, 8, -1, 9]
    assert np.isnan(ds.locs[1]).all() and ds.n_missing_locs == 2


def test_sparse_predictions_stay_sparse(root):
    ds = load_locbench(root, "inat_2018", "train", sparse=True)
    assert sp.issparse(ds.image_preds) and ds.image_preds.shape == (3, 8142)
    dense = load_locbench(root, "inat_2018", "train").image_preds
    np.testing.assert_array_equal(ds.image_preds.toarray(), dense)
    assert sp.issparse(ds.subset([0, 2]).image_preds)


# --- fMoW -----------------------------------------------------------------------------------------


def test_fmow_val(root):
    ds = load_locbench(root, "fmow", features=True)
    assert ds.ids.tolist() == [200, 201, 202] and ds.labels.tolist() == [61, 0, 7]
    _assert_locs(ds.locs, [[-3.7, 40.4], [12.5, 41.9], [30.0, 31.0]])
    assert ds.users.tolist() == [0, 0, 0] and np.isnan(ds.dates[2])
    assert ds.classes == {0: "airport", 61: "zoo", 5: "dam", 7: "farm"}
    assert ds.image_preds.shape == (3, 62) and ds.files["predictions"].parent.name == "feature_moco"
    assert ds.files["features"].parent.name == "features_inception_pretrain"  # defect 3
    np.testing.assert_array_equal(_rows_from_feats(ds), [0, 1, 2])


def test_fmow_train_has_no_predictions(root):
    ds = load_locbench(root, "fmow", "train", features=True)  # defect 1: no UnboundLocalError
    assert ds.image_preds is None and "predictions" not in ds.files
    assert ds.ids.tolist() == [100, 101] and _rows_from_feats(ds).tolist() == [0, 1]


def test_fmow_test_split_is_not_published(root):
    with pytest.raises(LocBenchError, match="fMoW test split is not published"):
        load_locbench(root, "fmow", "test")


# --- birds ----------------------------------------------------------------------------------------


def test_birdsnap_orig_meta_test(root):
    ds = load_locbench(root, "birdsnap", features=True)
    assert ds.meta_type == "orig_meta"
    assert ds.ids.tolist() == ["t0.jpg", "t2.jpg", "t3.jpg", "t4.jpg"]  # valid_image=false entry skipped
    assert ds.labels.tolist() == [0, 1, 499, 7]
    _assert_locs(ds.locs, [[-80.1, 40.2], [NAN, NAN], [10.0, 20.0], [12.0, NAN]])
    assert ds.users.tolist() == [3, -1, 5, 6]
    assert ds.classes[499] == "bird499" and len(ds.classes) == 500
    np.testing.assert_array_equal(_rows_from_feats(ds), [0, 1, 2, 3])
    filtered = load_locbench(root, "birdsnap", remove_invalid=True, features=True)
    # invalid = NaN lon, user < 0 or NaN date; lat is not checked (t4 has lat null and is kept)
    assert filtered.ids.tolist() == ["t0.jpg", "t3.jpg", "t4.jpg"] and filtered.rows.tolist() == [0, 2, 3]
    np.testing.assert_array_equal(_rows_from_feats(filtered), [0, 2, 3])
    np.testing.assert_array_equal(_rows_from_preds(filtered), [0, 2, 3])


def test_birdsnap_ebird_meta_reads_the_same_files(root):
    ds = load_locbench(root, "birdsnap_ebird")
    same = load_locbench(root, "birdsnap", meta_type="ebird_meta")
    np.testing.assert_array_equal(ds.locs, same.locs)
    _assert_locs(ds.locs, [[-81.0, 41.0], [-70.0, 42.0], [11.0, 21.0], [13.0, 23.0]])
    assert ds.users.tolist() == [9, 4, -1, 1]
    filtered = load_locbench(root, "birdsnap_ebird", remove_invalid=True)
    assert filtered.ids.tolist() == ["t0.jpg", "t4.jpg"]  # t2: no date, t3: no user
    np.testing.assert_array_equal(_rows_from_preds(filtered), [0, 3])
    assert ds.files == load_locbench(root, "birdsnap").files


def test_birds_train_is_filtered_by_default(root):
    orig = load_locbench(root, "birdsnap", "train")
    assert orig.ids.tolist() == ["a.jpg", "d.jpg"] and orig.rows.tolist() == [0, 2]  # b.jpg: no date
    np.testing.assert_array_equal(_rows_from_preds(orig), [0, 2])
    nab = load_locbench(root, "nabirds", "train")
    assert nab.ids.tolist() == ["a.jpg", "b.jpg", "d.jpg"] and nab.image_preds.shape == (3, 555)


# --- YFCC -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("split,csv_rows", [("train", [0, 3, 7]), ("val", [2, 6]), ("test", [1, 4, 5])])
def test_yfcc_rows_of_each_split_in_file_order(root, split, csv_rows):
    ds = load_locbench(root, "yfcc", split, features=True)
    table = fx.YFCC_ROWS
    assert ds.ids.tolist() == csv_rows and ds.rows.tolist() == list(range(len(csv_rows)))
    _assert_locs(ds.locs, [table[r][1:3] for r in csv_rows])
    assert ds.labels.tolist() == [table[r][3] for r in csv_rows]
    assert (ds.users == -1).all() and (ds.dates == 0).all()
    np.testing.assert_array_equal(_rows_from_feats(ds), ds.rows)
    assert ds.classes[99] == "concept99"


def test_yfcc_test_known_values(root):
    ds = load_locbench(root, "yfcc")
    _assert_locs(ds.locs, [[-74.0, 40.7], [151.2, -33.9], [-0.1, 51.5]])
    assert ds.labels.tolist() == [0, 9, 42]


# --- MOSAIKS --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,dataset", list(fx.MOSAIKS_LABELS.items()))
def test_mosaiks_full_split_aligned_with_x(root, name, dataset):
    ds = load_locbench(root, dataset)
    table = fx.mosaiks_table(name)
    expected_rows = np.flatnonzero(table["split"] == "test")
    assert ds.label_name == name and ds.files["table"].name == f"Y_{name}.csv"
    np.testing.assert_array_equal(ds.rows, expected_rows)
    np.testing.assert_array_equal(_rows_from_feats(ds), expected_rows)  # X row r is CSV row r
    np.testing.assert_array_equal(ds.locs, table.loc[expected_rows, ["lon", "lat"]].to_numpy())
    np.testing.assert_array_equal(ds.labels, table.loc[expected_rows, name].to_numpy())
    train = load_locbench(root, dataset, "train")
    assert len(train) == 44 and np.isnan(train.labels).sum() == 1  # row 5: NaN label passes through


def test_mosaiks_resample_is_the_seeded_reference_draw(root):
    ds = load_locbench(root, "mosaiks_forest_cover", "train", resample=True)
    full = load_locbench(root, "mosaiks_forest_cover", "train")
    np.random.seed(0)
    pick = np.random.choice(44, 44 // 20, replace=False)  # what the reference does after np.random.seed(0)
    np.testing.assert_array_equal(ds.rows, full.rows[pick])
    np.testing.assert_array_equal(_rows_from_feats(ds), full.rows[pick])
    np.testing.assert_array_equal(ds.labels, full.labels[pick])
    assert len(load_locbench(root, "mosaiks_forest_cover", "test", resample=True)) == 22 // 20
    again = load_locbench(root, "mosaiks_forest_cover", "train", resample=True)
    np.testing.assert_array_equal(again.rows, ds.rows)
    other = [load_locbench(root, "mosaiks_forest_cover", "train", resample=True, seed=s).rows.tolist()
             for s in range(1, 6)]
    assert any(o != ds.rows.tolist() for o in other)


# --- SustainBench ---------------------------------------------------------------------------------


@pytest.mark.parametrize("task", fx.SUSTAINBENCH_TASKS)
@pytest.mark.parametrize("split", ["train", "test"])
def test_sustainbench_per_task_dropna(root, task, split):
    ds = load_locbench(root, f"sustainbench_{task}", split)
    table = fx.sustainbench_table(split)
    kept = table.dropna(subset=[f"{task}_normalized"])
    assert ds.files["table"].name == ("dhs_trainval_labels.csv" if split == "train" else "dhs_test_labels.csv")
    assert ds.ids.tolist() == kept["DHSID_EA"].tolist()
    np.testing.assert_array_equal(ds.rows, kept.index.to_numpy())
    np.testing.assert_array_equal(ds.locs, kept[["lon", "lat"]].to_numpy())
    np.testing.assert_array_equal(ds.labels, kept[f"{task}_normalized"].to_numpy())
    np.testing.assert_array_equal(ds.image_feats[:, 0], kept["nl_mean"].to_numpy(np.float32))  # NaN kept


def test_sustainbench_resample_is_the_intended_ten_percent(root):
    ds = load_locbench(root, "sustainbench_women_bmi", "train", resample=True)
    kept = fx.sustainbench_table("train").dropna(subset=["women_bmi_normalized"])
    intended = kept.sample(frac=0.1, random_state=42)
    assert ds.ids.tolist() == intended["DHSID_EA"].tolist() and len(ds) == 2
    np.testing.assert_array_equal(ds.labels, intended["women_bmi_normalized"].to_numpy())


# --- layout variants and side effects -------------------------------------------------------------


def test_files_one_level_deeper_and_dataset_dir_itself(fresh):
    staging = fresh / "staging"
    fx.write_yfcc(staging)
    (fresh / "deep" / "yfcc").mkdir(parents=True)
    shutil.copytree(staging / "yfcc", fresh / "deep" / "yfcc" / "yfcc_unpacked")
    deep = load_locbench(fresh / "deep", "yfcc")
    assert deep.data_dir == (fresh / "deep" / "yfcc" / "yfcc_unpacked").absolute() and len(deep) == 3
    direct = load_locbench(staging / "yfcc", "yfcc")
    np.testing.assert_array_equal(direct.locs, deep.locs)


def test_loading_writes_nothing(root):
    before = sorted((p, p.stat().st_mtime_ns) for p in root.rglob("*"))
    for name in LOCBENCH_DATASETS:
        load_locbench(root, name)
    assert sorted((p, p.stat().st_mtime_ns) for p in root.rglob("*")) == before


def test_subset_and_has_loc(root):
    ds = load_locbench(root, "birdsnap", features=True)
    sub = ds.subset(ds.has_loc)
    assert len(sub) == 2 and sub.n_missing_locs == 0 and sub.ids.tolist() == ["t0.jpg", "t3.jpg"]
    assert sub.image_preds.shape == (2, 500) and sub.image_feats.shape == (2, 4)
    with pytest.raises(LocBenchError, match="boolean mask"):
        ds.subset(np.ones(3, bool))


# --- argument errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs,match", [
    ({"dataset": "inat_2021"}, "unknown LocBench dataset 'inat_2021'"),
    ({"dataset": "inat_2017", "split": "test"}, "not public"),
    ({"dataset": "mosaiks_population", "split": "val"}, "forces eval_split='test'"),
    ({"dataset": "yfcc", "meta_type": "ebird_meta"}, "bird datasets only"),
    ({"dataset": "birdsnap", "meta_type": "other"}, "'orig_meta' or 'ebird_meta'"),
    ({"dataset": "yfcc", "resample": True}, "regression datasets"),
    ({"dataset": "mosaiks_population", "seed": 3}, "resample=True"),
    ({"dataset": "mosaiks_population", "features": False}, "without its input"),
    ({"dataset": "sustainbench_women_bmi", "remove_invalid": True}, "classification datasets only"),
])
def test_bad_arguments(root, kwargs, match):
    with pytest.raises(LocBenchError, match=match):
        load_locbench(root, **kwargs)


# --- missing files --------------------------------------------------------------------------------


def test_missing_data_dir(fresh):
    missing = fresh / "nope"
    with pytest.raises(LocBenchFileNotFoundError) as err:
        load_locbench(missing, "birdsnap")
    msg = str(err.value)
    assert str(missing.absolute()) in msg and "birdsnap/birdsnap_with_loc_2019.json" in msg


def test_missing_dataset_dir(fresh):
    with pytest.raises(LocBenchFileNotFoundError) as err:
        load_locbench(fresh, "nabirds")
    msg = str(err.value)
    assert str((fresh / "nabirds" / "nabirds_with_loc_2019.json").absolute()) in msg
    assert "does not exist" in msg and "<data_dir>/nabirds/features_inception/nabirds_test_preds_sparse.npz" in msg


@pytest.mark.parametrize("dataset,rel", [
    ("inat_2017", "inat_2017/val2017_locations.json"),
    ("inat_2017", "inat_2017/categories2017.json"),
    ("inat_2017", "inat_2017/features_inception/inat2017_val_preds_sparse.npz"),
    ("fmow", "fmow/feature_moco/fmow_val_preds.npy"),
    ("birdsnap", "birdsnap/features_inception/birdsnap_test_preds_sparse.npz"),
    ("yfcc", "yfcc/class_names.csv"),
    ("yfcc", "yfcc/features_inception/YFCC_test_preds.npy"),
    ("mosaiks_nightlights", "mosaiks/X_nightlights.npy"),
    ("sustainbench_women_edu", "sustainbench/dhs_test_labels.csv"),
])
def test_missing_file_is_named(fresh, dataset, rel):
    _write_family(fresh, dataset)
    (fresh / rel).unlink()
    with pytest.raises(LocBenchFileNotFoundError) as err:
        load_locbench(fresh, dataset)
    msg = str(err.value)
    assert str((fresh / rel).absolute()) in msg and "expects:" in msg and f"<data_dir>/{rel}" in msg


def test_missing_features_only_when_requested(fresh):
    _write_family(fresh, "birdsnap")
    (fresh / "birdsnap/features_inception/birdsnap_test_net_feats.npy").unlink()
    assert load_locbench(fresh, "birdsnap").image_feats is None
    with pytest.raises(LocBenchFileNotFoundError, match="birdsnap_test_net_feats.npy"):
        load_locbench(fresh, "birdsnap", features=True)


# --- malformed files ------------------------------------------------------------------------------


def _write_family(root: Path, dataset: str) -> None:
    fam = LOCBENCH_DATASETS[dataset].family
    if fam == "inat":
        fx.write_inat(root, int(dataset[-4:]))
    elif fam == "birds":
        fx.write_birds(root, LOCBENCH_DATASETS[dataset].directory)
    else:
        getattr(fx, f"write_{fam}")(root)


def _edit_json(path: Path, edit) -> None:
    obj = json.loads(path.read_text())
    edit(obj)
    path.write_text(json.dumps(obj))


def test_prediction_rows_must_match_samples(fresh):
    fx.write_inat(fresh, 2017)
    fx._npz(fresh / "inat_2017/features_inception/inat2017_val_preds_sparse.npz", fx.preds(3, 5089))
    with pytest.raises(LocBenchError) as err:
        load_locbench(fresh, "inat_2017")
    msg = str(err.value)
    assert "inat2017_val_preds_sparse.npz" in msg and "has 3 rows" in msg and "has 4 samples" in msg
    assert "val2017.json" in msg


def test_prediction_width_must_match_classes(fresh):
    fx.write_yfcc(fresh)
    fx._npy(fresh / "yfcc/features_inception/YFCC_test_preds.npy", fx.preds(3, 99))
    with pytest.raises(LocBenchError, match=r"YFCC_test_preds\.npy: has 99 columns but this dataset has 100 classes"):
        load_locbench(fresh, "yfcc")


def test_bird_feature_rows_count_valid_images_only(fresh):
    fx.write_birds(fresh, "birdsnap")
    fx._npy(fresh / "birdsnap/features_inception/birdsnap_test_net_feats.npy", fx.feats(5))  # 5 entries, 4 valid
    with pytest.raises(LocBenchError, match=r"has 5 rows but birdsnap_with_loc_2019\.json \(valid_image entries"):
        load_locbench(fresh, "birdsnap", features=True)


def test_mosaiks_x_must_cover_all_csv_rows(fresh):
    fx.write_mosaiks(fresh)
    fx._npy(fresh / "mosaiks/X_elevation.npy", fx.feats(22, 8))
    with pytest.raises(LocBenchError, match=r"X_elevation\.npy: has 22 rows but Y_elevation\.csv \(all splits\) "
                                            r"has 66"):
        load_locbench(fresh, "mosaiks_elevation")


def test_features_must_be_2d(fresh):
    fx.write_fmow(fresh)
    np.save(fresh / "fmow/features_inception_pretrain/fmow_val_pretrain_net_feats.npy", np.zeros(3))
    with pytest.raises(LocBenchError, match=r"fmow_val_pretrain_net_feats\.npy: expected a 2-D array.*shape \(3,\)"):
        load_locbench(fresh, "fmow", features=True)


def test_predictions_must_be_probabilities(fresh):
    fx.write_fmow(fresh)
    fx._npy(fresh / "fmow/feature_moco/fmow_val_preds.npy", np.full((3, 62), -2.0, np.float32))
    with pytest.raises(LocBenchError, match=r"fmow_val_preds\.npy: expected softmax probabilities"):
        load_locbench(fresh, "fmow")


def test_corrupt_npy_and_npz(fresh):
    fx.write_birds(fresh, "nabirds")
    (fresh / "nabirds/features_inception/nabirds_test_preds_sparse.npz").write_bytes(b"not a zip")
    with pytest.raises(LocBenchError, match=r"nabirds_test_preds_sparse\.npz: cannot be read"):
        load_locbench(fresh, "nabirds")
    (fresh / "nabirds/features_inception/nabirds_test_net_feats.npy").write_text("garbage")
    with pytest.raises(LocBenchError, match=r"nabirds_test_net_feats\.npy: cannot be read as a \.npy"):
        load_locbench(fresh, "nabirds", predictions=False, features=True)


def test_invalid_json(fresh):
    fx.write_inat(fresh, 2018)
    (fresh / "inat_2018/val2018.json").write_text('{"images": [')
    with pytest.raises(LocBenchError, match=r"val2018\.json: not valid JSON"):
        load_locbench(fresh, "inat_2018")


@pytest.mark.parametrize("edit,file,match", [
    (lambda o: o.pop("annotations"), "val2017.json", r"val2017\.json: the top level has no key 'annotations'"),
    (lambda o: o["images"][1].pop("id"), "val2017.json", r"val2017\.json: images\[1\] has no key 'id'"),
    (lambda o: o["annotations"][0].pop("category_id"), "val2017.json", r"annotations\[0\] has no key 'category_id'"),
    (lambda o: o["annotations"].pop(), "val2017.json", r"image id 20 \(images\[0\]\) has no entry in 'annotations'"),
    (lambda o: o["annotations"].append(dict(o["annotations"][0])), "val2017.json", "more than one annotation"),
    (lambda o: o[0].pop("user_id"), "val2017_locations.json",
     r"val2017_locations\.json: the entry with id 21 has no key 'user_id'"),
    (lambda o: o.pop(0), "val2017_locations.json", r"val2017_locations\.json: no entry with id 21"),
    (lambda o: o[0].update(lat="north"), "val2017_locations.json", r"'lat' should be a number or null, found 'north'"),
    (lambda o: o[1].update(user_id=1.5), "val2017_locations.json", r"'user_id' should be an integer, found 1\.5"),
    (lambda o: o[0].pop("name"), "categories2017.json", r"categories2017\.json: entry \[0\] has no key 'name'"),
])
def test_inat_json_schema_errors_name_key_and_file(fresh, edit, file, match):
    fx.write_inat(fresh, 2017)
    _edit_json(fresh / "inat_2017" / file, edit)
    with pytest.raises(LocBenchError, match=match) as err:
        load_locbench(fresh, "inat_2017")
    assert str((fresh / "inat_2017" / file).absolute()) in str(err.value)


@pytest.mark.parametrize("edit,dataset,match", [
    (lambda o: o.pop("test"), "birdsnap", r"the top level has no key 'test'"),
    (lambda o: o.pop("classes"), "birdsnap", r"the top level has no key 'classes'"),
    (lambda o: o["test"][0].pop("valid_image"), "birdsnap", r"test\[0\] has no key 'valid_image'"),
    (lambda o: o["test"][3].pop("ebird_meta"), "birdsnap_ebird", r"test\[3\] has no key 'ebird_meta'"),
    (lambda o: o["test"][4]["orig_meta"].pop("date"), "birdsnap", r"test\[4\]\['orig_meta'\] has no key 'date'"),
    (lambda o: o["test"][0].update(class_id=500), "birdsnap", r"class id\(s\) outside \[0, 500\).*'t0\.jpg'"),
    (lambda o: o.update(test={"a": 1}), "birdsnap", r"'test' should be a JSON list"),
])
def test_bird_json_schema_errors(fresh, edit, dataset, match):
    fx.write_birds(fresh, "birdsnap")
    path = fresh / "birdsnap/birdsnap_with_loc_2019.json"
    _edit_json(path, edit)
    with pytest.raises(LocBenchError, match=match) as err:
        load_locbench(fresh, dataset)
    assert str(path.absolute()) in str(err.value)


def test_fmow_category_must_be_a_dict(fresh):
    fx.write_fmow(fresh)
    (fresh / "fmow/category.json").write_text('[{"id": 0, "name": "airport"}]')
    with pytest.raises(LocBenchError, match=r"category\.json: expected an object \{class_name: class_id\}"):
        load_locbench(fresh, "fmow")


@pytest.mark.parametrize("dataset,rel,drop", [
    ("yfcc", "yfcc/train_test_split.csv", "class"),
    ("yfcc", "yfcc/class_names.csv", "name"),
    ("mosaiks_forest_cover", "mosaiks/Y_forest.csv", "forest"),
    ("mosaiks_population", "mosaiks/Y_population.csv", "split"),
    ("sustainbench_water_index", "sustainbench/dhs_test_labels.csv", "water_index_normalized"),
    ("sustainbench_asset_index", "sustainbench/dhs_test_labels.csv", "nl_mean"),
])
def test_csv_missing_column(fresh, dataset, rel, drop):
    _write_family(fresh, dataset)
    path = fresh / rel
    pd.read_csv(path).drop(columns=[drop]).to_csv(path, index=False)
    with pytest.raises(LocBenchError) as err:
        load_locbench(fresh, dataset)
    msg = str(err.value)
    assert str(path.absolute()) in msg and f"missing column(s) ['{drop}']" in msg and "columns found" in msg


def test_yfcc_split_without_rows(fresh):
    fx.write_yfcc(fresh)
    path = fresh / "yfcc/train_test_split.csv"
    table = pd.read_csv(path)
    table[table["split"] != "val"].to_csv(path, index=False)
    with pytest.raises(LocBenchError, match=r"no rows with split == 'val'; split values found: \['test', 'train'\]"):
        load_locbench(fresh, "yfcc", "val")


def test_non_numeric_csv_column(fresh):
    fx.write_sustainbench(fresh)
    path = fresh / "sustainbench/dhs_test_labels.csv"
    table = pd.read_csv(path)
    table["lat"] = table["lat"].astype(str)
    table.loc[4, "lat"] = "12N"
    table.to_csv(path, index=False)
    with pytest.raises(LocBenchError, match=r"dhs_test_labels\.csv: column 'lat' should be numeric"):
        load_locbench(fresh, "sustainbench_women_edu")


# --- coordinate checks ----------------------------------------------------------------------------


def test_latitude_out_of_range_suggests_swap(fresh):
    fx.write_yfcc(fresh)
    path = fresh / "yfcc/train_test_split.csv"
    table = pd.read_csv(path)
    table[["lon", "lat"]] = table[["lat", "lon"]].to_numpy()  # swapped columns
    table.to_csv(path, index=False)
    with pytest.raises(LocBenchError) as err:
        load_locbench(fresh, "yfcc")
    msg = str(err.value)
    assert "train_test_split.csv" in msg and "latitude outside [-90, 90]" in msg and "look swapped" in msg
    assert "id 4: lon=-33.9, lat=151.2" in msg


def test_projected_coordinates_rejected(fresh):
    fx.write_fmow(fresh)
    _edit_json(fresh / "fmow/val_location.json", lambda o: o[0].update(lon=450000.0, lat=4500000.0))
    with pytest.raises(LocBenchError, match=r"val_location\.json: 1 sample\(s\) with a latitude outside.*"
                                            r"id 201.*projected CRS"):
        load_locbench(fresh, "fmow")


def test_longitude_out_of_range(fresh):
    fx.write_birds(fresh, "birdsnap")
    _edit_json(fresh / "birdsnap/birdsnap_with_loc_2019.json", lambda o: o["test"][0]["orig_meta"].update(lon=200.0))
    with pytest.raises(LocBenchError, match=r"longitude outside \[-180, 180\] \(id 't0\.jpg': lon=200"):
        load_locbench(fresh, "birdsnap")


def test_class_id_out_of_range_in_inat(fresh):
    fx.write_inat(fresh, 2017)
    _edit_json(fresh / "inat_2017/val2017.json", lambda o: o["annotations"][0].update(category_id=5089))
    with pytest.raises(LocBenchError, match=r"val2017\.json: 1 class id\(s\) outside \[0, 5089\)"):
        load_locbench(fresh, "inat_2017")


def test_every_family_has_one_layout_and_one_reader():
    from geoencode.bench.locbench.layout import LAYOUTS
    from geoencode.bench.locbench.readers import READERS

    families = {d.family for d in LOCBENCH_DATASETS.values()}
    assert families == set(LAYOUTS) == set(READERS) == {"birds", "inat", "fmow", "yfcc", "mosaiks", "sustainbench"}


def test_old_import_path_and_pickled_errors():
    import pickle

    import geoencode.bench.locbench as lb

    assert lb.LocBenchError is LocBenchError and lb.load_locbench is load_locbench
    for reducer in ("plain", "tblib"):  # tblib's is what dask.distributed installs for every exception
        if reducer == "tblib":
            pickling_support = pytest.importorskip("tblib.pickling_support")
            pickling_support.install(LocBenchFileNotFoundError("x"))
        err = pickle.loads(pickle.dumps(LocBenchFileNotFoundError("x.json not found")))
        assert type(err) is LocBenchFileNotFoundError and str(err) == "x.json not found"
        assert isinstance(err, FileNotFoundError) and isinstance(err, LocBenchError)
        assert isinstance(err, geoencode.GeoEncodeError) and isinstance(err, ValueError)
