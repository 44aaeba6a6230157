"""One reader per dataset family, each following TorchSpatial's ``main/datasets.py`` for that family.

A reader takes the resolved file paths (role → path, see :func:`~geoencode.bench.locbench.locbench_files`)
and returns the full native-order arrays plus the reference's filter mask; :data:`READERS` maps
each family to its reader.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import LocBenchError
from .layout import _abs
from .parsing import (
    _float, _int, _load_dense, _lonlat, _need, _need_list, _numeric, _read_csv, _read_json, _short,
)
from .registry import LocBenchDataset

__all__ = ["READERS"]


@dataclass
class _Native:
    """Arrays in the native row order of the prediction/feature files (before filtering)."""

    locs: np.ndarray
    labels: np.ndarray
    ids: np.ndarray
    valid: np.ndarray  # the reference's remove-invalid filter
    coord_file: Path
    label_file: Path
    against: str  # how error messages name the annotation source
    users: np.ndarray | None = None
    dates: np.ndarray | None = None
    classes: dict[int, str] | None = None
    rows: np.ndarray | None = None  # positions into the feature rows (regression); default arange
    feats: np.ndarray | None = None  # regression features already aligned with the rows above


def _read_coco(paths: dict[str, Path], spec: LocBenchDataset, split: str, meta_type: str,
               features: bool) -> _Native:
    """iNat / fMoW (``load_inat_data``): COCO-style annotations + a location list, in ``images`` order."""
    ann_path, loc_path, cat_path = (paths[k] for k in ("annotations", "locations", "categories"))
    expect = "a COCO-style object with 'images' [{id, ...}] and 'annotations' [{image_id, category_id, ...}]"
    ann = _read_json(ann_path, expect)
    images = _need_list(_need(ann, "images", ann_path, "the top level", f" ({expect})"), ann_path, "'images'")
    annotations = _need_list(_need(ann, "annotations", ann_path, "the top level", f" ({expect})"), ann_path,
                             "'annotations'")
    mapping: dict[int, int] = {}
    for j, a in enumerate(annotations):
        where = f"annotations[{j}]"
        image_id = _int(_need(a, "image_id", ann_path, where), ann_path, f"{where}['image_id']")
        if image_id in mapping:
            raise LocBenchError(f"{_abs(ann_path)}: image id {image_id} has more than one annotation "
                                f"({where} repeats it); expected exactly one annotation per image")
        mapping[image_id] = _int(_need(a, "category_id", ann_path, where), ann_path, f"{where}['category_id']")

    loc_expect = "a JSON list of {id, lon, lat, date_c, user_id}"
    loc_list = _need_list(_read_json(loc_path, loc_expect), loc_path, "the top level")
    by_id: dict[int, Any] = {}
    for j, entry in enumerate(loc_list):
        by_id[_int(_need(entry, "id", loc_path, f"entry [{j}]", f" ({loc_expect})"), loc_path,
                   f"entry [{j}]['id']")] = entry

    n = len(images)
    locs = np.empty((n, 2))
    labels = np.empty(n, dtype=np.int64)
    ids = np.empty(n, dtype=np.int64)
    users = np.empty(n, dtype=np.int64)
    dates = np.empty(n, dtype=np.float32)
    valid = np.empty(n, dtype=bool)
    for i, image in enumerate(images):
        image_id = _int(_need(image, "id", ann_path, f"images[{i}]"), ann_path, f"images[{i}]['id']")
        if image_id not in mapping:
            raise LocBenchError(f"{_abs(ann_path)}: image id {image_id} (images[{i}]) has no entry in "
                                "'annotations'; expected exactly one annotation per image")
        entry = by_id.get(image_id)
        if entry is None:
            raise LocBenchError(f"{_abs(loc_path)}: no entry with id {image_id}, which {ann_path.name} lists as "
                                f"images[{i}]; expected one {{id, lon, lat, date_c, user_id}} per image")
        where = f"the entry with id {image_id}"
        lon = _float(_need(entry, "lon", loc_path, where), loc_path, f"{where}: 'lon'")
        lat = _float(_need(entry, "lat", loc_path, where), loc_path, f"{where}: 'lat'")
        date = _float(_need(entry, "date_c", loc_path, where), loc_path, f"{where}: 'date_c'")
        user_raw = _need(entry, "user_id", loc_path, where)
        user = _int(user_raw, loc_path, f"{where}: 'user_id'", missing=-1)
        # Reference: dropped iff lon is None or user_id is None (lat and date_c are not checked).
        no_user = user_raw is None or (isinstance(user_raw, float) and math.isnan(user_raw))
        valid[i] = not (math.isnan(lon) or no_user)
        locs[i] = (math.nan, math.nan) if math.isnan(lon) else (lon, lat)
        labels[i], ids[i], users[i], dates[i] = mapping[image_id], image_id, user, date

    if spec.family == "fmow":  # category.json: {name: id}
        cats = _read_json(cat_path, "an object {class_name: class_id}")
        if not isinstance(cats, Mapping):
            raise LocBenchError(f"{_abs(cat_path)}: expected an object {{class_name: class_id}}, found "
                                f"{type(cats).__name__} {_short(cats)}")
        classes = {_int(v, cat_path, f"the id of {k!r}"): str(k) for k, v in cats.items()}
    else:  # categoriesYYYY.json: [{id, name}]
        cat_list = _need_list(_read_json(cat_path, "a JSON list of {id, name}"), cat_path, "the top level")
        classes = {}
        for j, c in enumerate(cat_list):
            where = f"entry [{j}]"
            classes[_int(_need(c, "id", cat_path, where, " ({id, name})"), cat_path, f"{where}['id']")] = str(
                _need(c, "name", cat_path, where, " ({id, name})"))
    return _Native(locs, labels, ids, valid, loc_path, ann_path, f"{ann_path.name} ('images')", users, dates,
                   classes)


def _read_birds(paths: dict[str, Path], spec: LocBenchDataset, split: str, meta_type: str,
                features: bool) -> _Native:
    """BirdSnap / NABirds (``load_bird_data``): one JSON; rows are the ``valid_image`` entries of the split."""
    path = paths["annotations"]
    expect = ("an object with 'train'/'val'/'test' lists of {valid_image, im_path, class_id, orig_meta, "
              "ebird_meta} and 'classes'")
    js = _read_json(path, expect)
    entries = _need_list(_need(js, split, path, "the top level", f" ({expect})"), path, f"{split!r}")
    class_names = _need_list(_need(js, "classes", path, "the top level", f" ({expect})"), path, "'classes'")
    data = []
    for j, e in enumerate(entries):
        if _need(e, "valid_image", path, f"{split}[{j}]"):
            data.append((j, e))
    n = len(data)
    locs = np.empty((n, 2))
    labels = np.empty(n, dtype=np.int64)
    users = np.empty(n, dtype=np.int64)
    dates = np.empty(n, dtype=np.float32)
    ids = np.empty(n, dtype=object)
    for i, (j, e) in enumerate(data):
        where = f"{split}[{j}]"
        ids[i] = str(_need(e, "im_path", path, where))
        labels[i] = _int(_need(e, "class_id", path, where), path, f"{where}['class_id']")
        meta = _need(e, meta_type, path, where, f" (meta_type={meta_type!r})")
        mwhere = f"{where}[{meta_type!r}]"
        locs[i] = (_float(_need(meta, "lon", path, mwhere), path, f"{mwhere}['lon']"),
                   _float(_need(meta, "lat", path, mwhere), path, f"{mwhere}['lat']"))
        dates[i] = _float(_need(meta, "date", path, mwhere), path, f"{mwhere}['date']")
        users[i] = _int(_need(meta, "user_id", path, mwhere), path, f"{mwhere}['user_id']", missing=-1)
    # Reference: valid = ~isnan(lon) & (user >= 0) & ~isnan(date) (lat is not checked).
    valid = ~np.isnan(locs[:, 0]) & (users >= 0) & ~np.isnan(dates)
    classes = dict(enumerate(str(c) for c in class_names))
    return _Native(locs, labels, ids, valid, path, path, f"{path.name} (valid_image entries of {split!r})", users,
                   dates, classes)


def _split_rows(frame: pd.DataFrame, split: str, path: Path) -> pd.DataFrame:
    sel = frame[frame["split"] == split]
    if sel.empty:
        raise LocBenchError(f"{_abs(path)}: no rows with split == {split!r}; split values found: "
                            f"{sorted(map(str, frame['split'].dropna().unique()))[:10]}")
    return sel


def _read_yfcc(paths: dict[str, Path], spec: LocBenchDataset, split: str, meta_type: str,
               features: bool) -> _Native:
    """YFCC (``load_yfcc_data``): one CSV of all splits; the rows of the split, never filtered."""
    path = paths["table"]
    frame = _read_csv(path, ["split", "lon", "lat", "class"])
    sel = _split_rows(frame, split, path)
    locs = _lonlat(sel, path)
    cls = _numeric(sel, "class", path)
    if np.isnan(cls).any() or (cls != np.round(cls)).any():
        raise LocBenchError(f"{_abs(path)}: column 'class' should hold integer class ids, found "
                            f"{_short(cls[np.isnan(cls) | (cls != np.round(cls))][:3].tolist())}")
    names_path = paths["class_names"]
    names = _read_csv(names_path, ["id", "name"])
    classes = {int(i): str(nm) for i, nm in zip(_numeric(names, "id", names_path), names["name"])}
    n = len(sel)
    ids = sel.index.to_numpy(dtype=np.int64)
    # Reference: no filtering, users all -1, dates all 0.
    return _Native(locs, cls.astype(np.int64), ids, np.ones(n, bool), path, path,
                   f"{path.name} (rows with split == {split!r})", np.full(n, -1, np.int64),
                   np.zeros(n, np.float32), classes)


def _read_mosaiks(paths: dict[str, Path], spec: LocBenchDataset, split: str, meta_type: str,
                  features: bool) -> _Native:
    """MOSAIKS: a label CSV of all splits and one feature matrix whose rows are the CSV's rows."""
    path = paths["table"]
    frame = _read_csv(path, ["split", "lon", "lat", spec.label])
    sel = _split_rows(frame, split, path)
    rows = np.flatnonzero((frame["split"] == split).to_numpy())  # CSV row positions = rows of X
    feats = _load_dense(paths["features"], len(frame), "(rows of the CSV, all splits, 2048) image features",
                        f"{path.name} (all splits)") if features else None
    return _Native(_lonlat(sel, path), _numeric(sel, spec.label, path), rows.astype(np.int64), np.ones(len(sel), bool),
                   path, path, path.name, rows=rows, feats=feats)


def _read_sustainbench(paths: dict[str, Path], spec: LocBenchDataset, split: str, meta_type: str,
                       features: bool) -> _Native:
    """SustainBench: one CSV per split; the features are its ``nl_mean`` column, rows without a label dropped."""
    path = paths["table"]
    col = spec.label
    frame = _read_csv(path, ["lon", "lat", "nl_mean", col])
    labels_all = _numeric(frame, col, path)
    keep = np.flatnonzero(~np.isnan(labels_all))  # reference: dropna(subset=[col])
    sel = frame.iloc[keep]
    locs = _lonlat(sel, path)
    ids = sel["DHSID_EA"].astype(str).to_numpy(dtype=object) if "DHSID_EA" in sel.columns else keep.astype(np.int64)
    feats = _numeric(sel, "nl_mean", path).astype(np.float32)[:, None]
    return _Native(locs, labels_all[keep], ids, np.ones(len(sel), bool), path, path, path.name,
                   rows=keep.astype(np.int64), feats=feats)


Reader = Callable[[dict[str, Path], LocBenchDataset, str, str, bool], _Native]

#: Dataset family (:attr:`LocBenchDataset.family`) → its reader.
READERS: dict[str, Reader] = {
    "birds": _read_birds, "inat": _read_coco, "fmow": _read_coco, "yfcc": _read_yfcc, "mosaiks": _read_mosaiks,
    "sustainbench": _read_sustainbench,
}
