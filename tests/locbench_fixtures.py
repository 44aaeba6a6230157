"""Tiny synthetic LocBench datasets in exactly the published layout (TorchSpatial ``main/paths.py``).

Each ``write_*`` function writes one family under ``root`` (the LocBench data root) and returns a
dict of the values it wrote, in the *native* order of the prediction/feature files, so that tests can
check shapes, values and alignment. The layout follows ``shared/specs/locbench-layout.md`` §10:

* every family holds at least one sample of each kind the reference filters out;
* JSON entries are in a different order from the images (mapping is by id, not position);
* row ``i`` of every feature file encodes ``i`` (``feats[i] = i + [0, .1, .2, .3]``) and row ``i`` of
  every prediction matrix has ``0.1 * (i + 1)`` in column ``i`` and the rest in the last column, so
  the loader's row selection can be read back from the arrays;
* prediction matrices have the hard-coded class count as width (CSR matrices stay tiny).

Run as a script to write all 17 datasets into a folder: ``python tests/locbench_fixtures.py DIR``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

NUM_CLASSES = {"inat_2017": 5089, "inat_2018": 8142, "fmow": 62, "birdsnap": 500, "nabirds": 555, "yfcc": 100}
FEAT_DIM = 4
MOSAIKS_DIM = 2048
NULL = None


def feats(n: int, dim: int = FEAT_DIM) -> np.ndarray:
    """Row ``i`` is ``i + [0, 0.1, 0.2, ...]`` (float32)."""
    return (np.arange(n)[:, None] + 0.1 * np.arange(dim)[None, :]).astype(np.float32)


def preds(n: int, num_classes: int) -> np.ndarray:
    """Row ``i``: ``0.1 * (i + 1)`` in column ``i``, the rest of the mass in the last column."""
    out = np.zeros((n, num_classes), dtype=np.float32)
    for i in range(n):
        out[i, i] = 0.1 * (i + 1)
        out[i, -1] += 1 - 0.1 * (i + 1)
    return out


def _json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=1))


def _npy(path: Path, arr: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, arr)


def _npz(path: Path, arr: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sp.save_npz(path, sp.csr_matrix(arr))


# --- A. iNat2017 / iNat2018 -------------------------------------------------------------------------

# (id, category_id, lon, lat, date_c, user_id), in images order.
INAT_TRAIN = [
    (10, 3, -120.5, 37.1, 0.42, 7),
    (11, 0, NULL, NULL, 0.1, 7),       # no lon -> dropped
    (12, 4088, 5.0, 50.0, NULL, 8),    # no date -> kept, date NaN
    (13, 1, 1.0, 2.0, 0.3, NULL),      # no user -> dropped
    (14, 2, 151.2, NULL, 0.9, 9),      # lon but no lat -> kept as [151.2, nan]
]
INAT_VAL = [
    (20, 5, 2.35, 48.85, 0.5, 1),
    (21, 0, NULL, NULL, 0.6, 2),       # no lon: NaN row in the full eval split
    (22, 5088, -74.0, 40.7, 0.7, 3),
    (23, 1, 139.7, 35.7, 0.8, 4),
]


def _coco(rows: list[tuple], loc_path: Path, ann_path: Path, user_default: int | None = None) -> None:
    images = [{"id": r[0], "file_name": f"img_{r[0]}.jpg", "width": 10, "height": 10} for r in rows]
    annotations = [{"id": 1000 + r[0], "image_id": r[0], "category_id": r[1]} for r in rows][::-1]
    _json(ann_path, {"info": {"year": 2017}, "images": images, "annotations": annotations, "categories": []})
    locs = [{"id": r[0], "lon": r[2], "lat": r[3], "date_c": r[4], "date": "2017-01-01",
             "user_id": r[5] if user_default is None else user_default} for r in rows]
    locs = locs[1:] + locs[:1] + [{"id": 999, "lon": 0.0, "lat": 0.0, "date_c": 0.0, "user_id": 1}]  # extra id
    _json(loc_path, locs)


def write_inat(root: Path, year: int) -> dict[str, Any]:
    """``inat_<year>/``: train (5 images) and val (4 images) with the files of spec §1."""
    d = root / f"inat_{year}"
    c = NUM_CLASSES[f"inat_{year}"]
    out: dict[str, Any] = {"num_classes": c}
    for split, rows in (("train", INAT_TRAIN), ("val", INAT_VAL)):
        _coco(rows, d / f"{split}{year}_locations.json", d / f"{split}{year}.json")
        _npz(d / "features_inception" / f"inat{year}_{split}_preds_sparse.npz", preds(len(rows), c))
        _npy(d / "features_inception" / f"inat{year}_{split}_net_feats.npy", feats(len(rows)))
        out[split] = rows
    _json(d / f"categories{year}.json", [{"id": i, "name": f"sp{i}", "supercategory": "x"} for i in (0, 1, 2, 3)])
    return out


# --- B. fMoW ----------------------------------------------------------------------------------------

FMOW_TRAIN = [
    (100, 0, 10.0, 10.0, 0.1, 0),
    (101, 61, 20.0, -20.0, 0.2, 0),
    (102, 5, NULL, NULL, 0.3, 0),       # no lon -> dropped from train
]
FMOW_VAL = [
    (200, 61, -3.7, 40.4, 0.4, 0),
    (201, 0, 12.5, 41.9, 0.5, 0),
    (202, 7, 30.0, 31.0, NULL, 0),
]


def write_fmow(root: Path) -> dict[str, Any]:
    """``fmow/``: COCO JSON + ``*_location.json``, ``category.json``, ``feature_moco/`` val preds only."""
    d = root / "fmow"
    c = NUM_CLASSES["fmow"]
    for split, rows in (("train", FMOW_TRAIN), ("val", FMOW_VAL)):
        _coco(rows, d / f"{split}_location.json", d / f"{split}.json")
        _npy(d / "features_inception_pretrain" / f"fmow_{split}_pretrain_net_feats.npy", feats(len(rows)))
    _npy(d / "feature_moco" / "fmow_val_preds.npy", preds(len(FMOW_VAL), c))
    _json(d / "category.json", {"airport": 0, "zoo": 61, "dam": 5, "farm": 7})
    return {"num_classes": c, "train": FMOW_TRAIN, "val": FMOW_VAL}


# --- C. BirdSnap / NABirds --------------------------------------------------------------------------


def _meta(lon, lat, date, user) -> dict[str, Any]:
    return {"lon": lon, "lat": lat, "date": date, "user_id": user}


def bird_entries(num_classes: int) -> dict[str, list[dict[str, Any]]]:
    """Split -> JSON entries (including a ``valid_image: false`` one with nothing else)."""
    last = num_classes - 1
    test = [
        {"valid_image": True, "im_path": "t0.jpg", "class_id": 0, "orig_path": "o",
         "orig_meta": _meta(-80.1, 40.2, 0.5, 3), "ebird_meta": _meta(-81.0, 41.0, 0.6, 9)},
        {"valid_image": False, "im_path": "t1.jpg"},                       # skipped: no feature row
        {"valid_image": True, "im_path": "t2.jpg", "class_id": 1,          # invalid under both metas
         "orig_meta": _meta(NULL, NULL, NULL, NULL), "ebird_meta": _meta(-70.0, 42.0, NULL, 4)},
        {"valid_image": True, "im_path": "t3.jpg", "class_id": last,       # valid orig; ebird: no user
         "orig_meta": _meta(10.0, 20.0, 0.1, 5), "ebird_meta": _meta(11.0, 21.0, 0.2, NULL)},
        {"valid_image": True, "im_path": "t4.jpg", "class_id": 7,          # orig: lat null (not checked)
         "orig_meta": _meta(12.0, NULL, 0.3, 6), "ebird_meta": _meta(13.0, 23.0, 0.4, 1)},
    ]
    train = [
        {"valid_image": True, "im_path": "a.jpg", "class_id": 2,
         "orig_meta": _meta(-100.0, 35.0, 0.25, 11), "ebird_meta": _meta(-101.0, 36.0, 0.3, 12)},
        {"valid_image": True, "im_path": "b.jpg", "class_id": 3,           # orig invalid (no date)
         "orig_meta": _meta(-90.0, 30.0, NULL, 11), "ebird_meta": _meta(-91.0, 31.0, 0.9, 13)},
        {"valid_image": False, "im_path": "c.jpg", "class_id": 4},
        {"valid_image": True, "im_path": "d.jpg", "class_id": 4,
         "orig_meta": _meta(-95.0, 45.0, 0.75, 14), "ebird_meta": _meta(-96.0, 46.0, 0.8, 15)},
    ]
    val = [
        {"valid_image": True, "im_path": "v.jpg", "class_id": 5,
         "orig_meta": _meta(-85.0, 33.0, 0.5, 1), "ebird_meta": _meta(-86.0, 34.0, 0.5, 2)},
    ]
    return {"train": train, "val": val, "test": test}


def write_birds(root: Path, ds: str) -> dict[str, Any]:
    """``<ds>/<ds>_with_loc_2019.json`` + ``features_inception/<ds>_{train,val,test}_*`` (ds: birdsnap/nabirds)."""
    d = root / ds
    c = NUM_CLASSES[ds]
    entries = bird_entries(c)
    _json(d / f"{ds}_with_loc_2019.json", {"info": "synthetic", "classes": [f"bird{i}" for i in range(c)], **entries})
    for split, ents in entries.items():
        n_valid = sum(e["valid_image"] for e in ents)
        _npz(d / "features_inception" / f"{ds}_{split}_preds_sparse.npz", preds(n_valid, c))
        _npy(d / "features_inception" / f"{ds}_{split}_net_feats.npy", feats(n_valid))
    return {"num_classes": c, **entries}


# --- D. YFCC ----------------------------------------------------------------------------------------

YFCC_ROWS = [  # split, lon, lat, class — splits interleaved
    ("train", -122.4, 37.8, 9),
    ("test", -74.0, 40.7, 0),
    ("val", 2.35, 48.85, 3),
    ("train", 139.7, 35.7, 99),
    ("test", 151.2, -33.9, 9),
    ("test", -0.1, 51.5, 42),
    ("val", 18.1, 59.3, 1),
    ("train", -43.2, -22.9, 0),
]


def write_yfcc(root: Path) -> dict[str, Any]:
    """``yfcc/train_test_split.csv``, ``class_names.csv`` and ``features_inception/YFCC_<split>_*.npy``."""
    d = root / "yfcc"
    d.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame(YFCC_ROWS, columns=["split", "lon", "lat", "class"])
    table.insert(0, "photo_id", [f"p{i}" for i in range(len(table))])
    table.to_csv(d / "train_test_split.csv", index=False)
    pd.DataFrame({"id": range(100), "name": [f"concept{i}" for i in range(100)]}).to_csv(d / "class_names.csv",
                                                                                       index=False)
    for split in ("train", "val", "test"):
        n = int((table["split"] == split).sum())
        _npy(d / "features_inception" / f"YFCC_{split}_preds.npy", preds(n, 100))
        _npy(d / "features_inception" / f"YFCC_{split}_net_feats.npy", feats(n))
    return {"num_classes": 100, "table": table}


# --- E. MOSAIKS -------------------------------------------------------------------------------------

MOSAIKS_LABELS = {"population": "mosaiks_population", "elevation": "mosaiks_elevation",
                  "forest": "mosaiks_forest_cover", "nightlights": "mosaiks_nightlights"}
MOSAIKS_ROWS = 66  # 22 test rows (every third) and 44 train rows: n // 20 = 1 and 2


def mosaiks_table(name: str) -> pd.DataFrame:
    r = np.arange(MOSAIKS_ROWS)
    label = r / 100.0 + {"population": 0, "elevation": 1000, "forest": 0.5, "nightlights": 2}[name]
    label[5] = np.nan  # NaN labels pass through (no NaN handling in the reference)
    return pd.DataFrame({"split": np.where(r % 3 == 0, "test", "train"), "lon": -170.0 + 5 * r,
                         "lat": -60.0 + r, name: label})


def write_mosaiks(root: Path) -> dict[str, Any]:
    """``mosaiks/Y_<name>.csv`` and ``mosaiks/X_<name>.npy`` (row ``r`` of X is CSV row ``r``)."""
    d = root / "mosaiks"
    d.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in MOSAIKS_LABELS:
        table = mosaiks_table(name)
        table.to_csv(d / f"Y_{name}.csv", index=False)
        _npy(d / f"X_{name}.npy", feats(MOSAIKS_ROWS, MOSAIKS_DIM))
        out[name] = table
    return out


# --- F. SustainBench --------------------------------------------------------------------------------

SUSTAINBENCH_TASKS = ["asset_index", "women_bmi", "water_index", "under5_mort", "sanitation_index", "women_edu"]


def sustainbench_table(split: str) -> pd.DataFrame:
    n = 25 if split == "train" else 22
    r = np.arange(n)
    table = pd.DataFrame({"DHSID_EA": [f"{split[:2].upper()}-{i:03d}" for i in r], "year": 2015,
                          "lat": -30.0 + 2 * r, "lon": -10.0 + 3 * r, "nl_mean": r * 0.5})
    for k, task in enumerate(SUSTAINBENCH_TASKS):
        raw = r + 10.0 * k
        table[task] = raw
        norm = raw / 100.0
        norm[(r + k) % 7 == 0] = np.nan  # task-specific missing labels -> per-task dropna
        table[f"{task}_normalized"] = norm
    table.loc[3, "nl_mean"] = np.nan  # NaN features are not dropped
    table["urban_rural"] = "U"
    return table


def write_sustainbench(root: Path) -> dict[str, Any]:
    """``sustainbench/dhs_trainval_labels.csv`` (train) and ``dhs_test_labels.csv`` (test)."""
    d = root / "sustainbench"
    d.mkdir(parents=True, exist_ok=True)
    out = {}
    for split, fname in (("train", "dhs_trainval_labels.csv"), ("test", "dhs_test_labels.csv")):
        table = sustainbench_table(split)
        table.to_csv(d / fname, index=False)
        out[split] = table
    return out


def write_all(root: Path) -> dict[str, Any]:
    """All six families (the 17 datasets) under ``root``."""
    root = Path(root)
    return {
        "inat_2017": write_inat(root, 2017), "inat_2018": write_inat(root, 2018), "fmow": write_fmow(root),
        "birdsnap": write_birds(root, "birdsnap"), "nabirds": write_birds(root, "nabirds"),
        "yfcc": write_yfcc(root), "mosaiks": write_mosaiks(root), "sustainbench": write_sustainbench(root),
    }


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "locbench_fixture")
    write_all(target)
    print(f"wrote the 17 LocBench datasets (synthetic) under {target.absolute()}")
