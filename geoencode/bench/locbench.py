"""LocBench dataset loaders: the 17 datasets of TorchSpatial's benchmark, read from a local directory.

LocBench (Wu et al., NeurIPS 2024) has 7 geo-aware image-classification datasets (BirdSnap, BirdSnap†,
NABirds†, iNat2017, iNat2018, YFCC, fMoW) and 10 regression datasets (4 MOSAIKS, 6 SustainBench). Its
files are published on figshare; nothing here downloads them. :func:`load_locbench` reads one split of
one dataset from a user-supplied directory in the published layout (the one TorchSpatial's
``main/paths.py`` and ``main/datasets.py`` read) and returns a :class:`LocBenchSplit`: locations
(lon, lat in degrees), labels, and the precomputed image-model predictions (classification) or image
features (regression), row-aligned.

The reading follows the reference loader exactly — same files, keys, sample order, filtering and
alignment — except for the reference's defects, each decided explicitly:

1. *``train_preds`` is unbound for fMoW* (``UnboundLocalError`` at HEAD). The layout has no fMoW
   train-prediction file, so ``image_preds`` is ``None`` for fMoW ``train``; nothing raises.
2. *``train_preds`` is never subset by ``train_inds``* (misaligned with the locations once invalid rows
   are dropped). Here predictions, features, ids, users and dates are always subset with the same rows
   as the locations: row ``i`` of every array is the same sample.
3. *fMoW features need ``--inat2018_resolution pretrain``*, which the fMoW run scripts omit. fMoW
   features are always read from ``features_inception_pretrain/`` (the only fMoW features published).
4. *SustainBench raises ``NameError: sample_fraction``*. By default the whole table (after the per-task
   ``dropna``) is returned, as before commit b3af90b; ``resample=True`` applies the evident intent,
   ``df.sample(frac=0.1, random_state=42)``.
5. *MOSAIKS subsamples 1/20 of each split with no seed*. By default the whole split is returned;
   ``resample=True`` draws the paper's ``n // 20`` rows with ``np.random.RandomState(seed)`` (default
   seed 0), which is the reference's draw after ``np.random.seed(seed)``.
6. *``np.int`` in the image-loading path*: images are never loaded, so it does not arise.
7. *The HEAD trainer cannot import* (``sampler.py`` deleted): only ``datasets.py`` is followed.
8. *``inat_2021`` has no loader branch*: it is not a LocBench dataset and is rejected as unknown.

Further choices: the loaders never write into the data directory (the reference creates
``sample_idx/`` there); a ``meta_type`` given for a dataset that has none is an error (the reference
silently resets it to ``""``); locations are float64 with the file's values (``.astype(np.float32)``
gives the reference's arrays bit for bit); a ``NaN`` literal in an iNat/fMoW location JSON counts as
``null`` (the reference only tests ``is None``); and the files are validated — row counts, prediction
widths, class ids, coordinate ranges, required keys and columns — with errors that name the file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import GeoEncodeError

__all__ = [
    "LOCBENCH_DATASETS", "LocBenchDataset", "LocBenchError", "LocBenchFileNotFoundError", "LocBenchSplit",
    "list_locbench", "load_locbench", "locbench_files",
]

PathLike = str | Path


class LocBenchError(GeoEncodeError):
    """A LocBench file that is missing or malformed, or a bad argument to :func:`load_locbench`.

    The message names the file (absolute path), what was expected and what was found.
    """


class LocBenchFileNotFoundError(LocBenchError, FileNotFoundError):
    """A LocBench directory or file that is not where the published layout puts it.

    Also a :class:`FileNotFoundError`, so ``except FileNotFoundError`` catches it.
    """


# ------------------------------------------------------------------------------------------------
# Registry
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocBenchDataset:
    """One LocBench dataset: how it is named, where its files are and how it is read.

    Attributes
    ----------
    name : str
        The key :func:`load_locbench` takes (``"birdsnap"``, ``"mosaiks_forest_cover"``, …).
    title : str
        The name in the LocBench paper tables (``"BirdSnap†"``).
    task : str
        ``"classification"`` or ``"regression"``.
    family : str
        Which reader: ``"birds"``, ``"inat"``, ``"yfcc"``, ``"fmow"``, ``"mosaiks"`` or ``"sustainbench"``.
    key : str
        TorchSpatial's ``--dataset`` value.
    directory : str
        The dataset's folder under the data root (``main/paths.py``).
    meta_type : str
        Default location metadata (``"orig_meta"``/``"ebird_meta"`` for the bird datasets, else ``""``).
    default_split : str
        The split the paper evaluates on.
    splits : tuple of str
        The splits that can be loaded.
    num_classes : int or None
        TorchSpatial's hard-coded class count (the width of the prediction files); ``None`` for regression.
    label : str or None
        Regression label column; ``None`` for classification.
    files : tuple of str
        The files read, relative to the data root; ``{split}`` stands for the split name.
    """

    name: str
    title: str
    task: str
    family: str
    key: str
    directory: str
    meta_type: str
    default_split: str
    splits: tuple[str, ...]
    num_classes: int | None
    label: str | None
    files: tuple[str, ...]


def _bird(name: str, title: str, ds: str, meta: str, num_classes: int) -> LocBenchDataset:
    files = (f"{ds}/{ds}_with_loc_2019.json", f"{ds}/features_inception/{ds}_{{split}}_preds_sparse.npz",
             f"{ds}/features_inception/{ds}_{{split}}_net_feats.npy")
    return LocBenchDataset(name, title, "classification", "birds", ds, ds, meta, "test", ("train", "val", "test"),
                           num_classes, None, files)


def _inat(year: int, num_classes: int) -> LocBenchDataset:
    d = f"inat_{year}"
    files = (f"{d}/{{split}}{year}.json", f"{d}/{{split}}{year}_locations.json", f"{d}/categories{year}.json",
             f"{d}/features_inception/inat{year}_{{split}}_preds_sparse.npz",
             f"{d}/features_inception/inat{year}_{{split}}_net_feats.npy")
    return LocBenchDataset(d, f"iNat{year}", "classification", "inat", d, d, "", "val", ("train", "val"),
                           num_classes, None, files)


def _mosaiks(task: str, title: str) -> LocBenchDataset:
    name = task.split("_")[0]  # the reference's name mangling: forest_cover -> forest
    files = (f"mosaiks/Y_{name}.csv", f"mosaiks/X_{name}.npy")
    return LocBenchDataset(f"mosaiks_{task}", f"MOSAIKS {title}", "regression", "mosaiks", f"mosaiks_{task}",
                           "mosaiks", "", "test", ("train", "test"), None, name, files)


def _sustainbench(task: str, title: str) -> LocBenchDataset:
    files = ("sustainbench/dhs_trainval_labels.csv", "sustainbench/dhs_test_labels.csv")
    return LocBenchDataset(f"sustainbench_{task}", f"SustainBench {title}", "regression", "sustainbench",
                           f"sustainbench_{task}", "sustainbench", "", "test", ("train", "test"), None,
                           f"{task}_normalized", files)


_ALL = [
    _bird("birdsnap", "BirdSnap", "birdsnap", "orig_meta", 500),
    _bird("birdsnap_ebird", "BirdSnap†", "birdsnap", "ebird_meta", 500),
    _bird("nabirds", "NABirds†", "nabirds", "ebird_meta", 555),
    _inat(2017, 5089),
    _inat(2018, 8142),
    LocBenchDataset("yfcc", "YFCC", "classification", "yfcc", "yfcc", "yfcc", "", "test", ("train", "val", "test"),
                    100, None, ("yfcc/train_test_split.csv", "yfcc/class_names.csv",
                                "yfcc/features_inception/YFCC_{split}_preds.npy",
                                "yfcc/features_inception/YFCC_{split}_net_feats.npy")),
    LocBenchDataset("fmow", "fMoW", "classification", "fmow", "fmow", "fmow", "", "val", ("train", "val"), 62, None,
                    ("fmow/{split}.json", "fmow/{split}_location.json", "fmow/category.json",
                     "fmow/feature_moco/fmow_{split}_preds.npy",
                     "fmow/features_inception_pretrain/fmow_{split}_pretrain_net_feats.npy")),
    _mosaiks("population", "Population"),
    _mosaiks("elevation", "Elevation"),
    _mosaiks("forest_cover", "Forest Cover"),
    _mosaiks("nightlights", "Nightlights"),
    _sustainbench("asset_index", "Asset Index"),
    _sustainbench("women_bmi", "Women BMI"),
    _sustainbench("water_index", "Water Index"),
    _sustainbench("under5_mort", "Child Mortality"),
    _sustainbench("sanitation_index", "Sanitation Index"),
    _sustainbench("women_edu", "Women Edu"),
]

#: The 17 LocBench datasets by name, in the order of the paper's tables.
LOCBENCH_DATASETS: dict[str, LocBenchDataset] = {d.name: d for d in _ALL}

_ALIASES = {"birdsnap_orig": "birdsnap", "birdsnap_orig_meta": "birdsnap", "birdsnap_ebird_meta": "birdsnap_ebird",
            "nabirds_ebird": "nabirds", "nabirds_ebird_meta": "nabirds", "inat2017": "inat_2017",
            "inat2018": "inat_2018", "mosaiks_forest": "mosaiks_forest_cover",
            "sustainbench_child_mortality": "sustainbench_under5_mort"}


def _norm(name: str) -> str:
    return name.strip().lower().replace("†", "_ebird").replace(" ", "_").replace("-", "_")


_LOOKUP = {**_ALIASES, **{_norm(d.title): d.name for d in _ALL}, **{d.name: d.name for d in _ALL}}


def _spec(dataset: str | LocBenchDataset) -> LocBenchDataset:
    if isinstance(dataset, LocBenchDataset):
        return dataset
    if not isinstance(dataset, str):
        raise LocBenchError(f"dataset must be a name such as 'birdsnap', got {dataset!r} ({type(dataset).__name__})")
    name = _LOOKUP.get(_norm(dataset))
    if name is None:
        raise LocBenchError(f"unknown LocBench dataset {dataset!r}; the 17 datasets are: "
                            f"{', '.join(LOCBENCH_DATASETS)} (see list_locbench())")
    return LOCBENCH_DATASETS[name]


def list_locbench() -> pd.DataFrame:
    """The 17 LocBench datasets as a table, one row per dataset, indexed by name.

    Returns
    -------
    pandas.DataFrame
        Columns ``title, task, family, key, directory, meta_type, default_split, splits, num_classes,
        label, files`` (see :class:`LocBenchDataset`).

    Examples
    --------
    >>> table = list_locbench()
    >>> len(table), int((table["task"] == "classification").sum())
    (17, 7)
    >>> table.loc["birdsnap_ebird", ["title", "key", "meta_type", "default_split"]].tolist()
    ['BirdSnap†', 'birdsnap', 'ebird_meta', 'test']
    """
    rows = [{f.name: getattr(d, f.name) for f in fields(d)} for d in LOCBENCH_DATASETS.values()]
    frame = pd.DataFrame(rows).set_index("name")
    frame["num_classes"] = frame["num_classes"].astype("Int64")
    return frame


def _check_split(spec: LocBenchDataset, split: str | None) -> str:
    if split is None:
        return spec.default_split
    if split not in spec.splits:
        extra = ""
        if spec.family == "fmow" and split == "test":
            extra = " (the fMoW test split is not published; TorchSpatial raises 'fMOW Test dataset not available')"
        elif spec.family == "inat" and split == "test":
            extra = " (the iNat test annotations are not public and LocBench evaluates on 'val')"
        elif spec.family in ("mosaiks", "sustainbench") and split == "val":
            extra = " (TorchSpatial forces eval_split='test' for the regression datasets)"
        raise LocBenchError(f"{spec.name}: split must be one of {list(spec.splits)}, got {split!r}{extra}")
    return split


def _check_meta(spec: LocBenchDataset, meta_type: str | None) -> str:
    if meta_type is None:
        return spec.meta_type
    if spec.family == "birds":
        if meta_type not in ("orig_meta", "ebird_meta"):
            raise LocBenchError(f"{spec.name}: meta_type must be 'orig_meta' or 'ebird_meta', got {meta_type!r}")
        return meta_type
    if meta_type != "":
        raise LocBenchError(f"{spec.name}: meta_type applies to the bird datasets only, got {meta_type!r} "
                            "(TorchSpatial silently resets it to ''; leave it out)")
    return ""


def locbench_files(dataset: str | LocBenchDataset, split: str | None = None, *, features: bool | None = None,
                   predictions: bool = True) -> dict[str, str]:
    """The files :func:`load_locbench` reads for one split, relative to the data root.

    Parameters
    ----------
    dataset : str or LocBenchDataset
        A LocBench name (see :func:`list_locbench`).
    split : str, optional
        Defaults to the paper's evaluation split.
    features, predictions : bool, optional
        As in :func:`load_locbench`.

    Returns
    -------
    dict
        Role (``"annotations"``, ``"locations"``, ``"categories"``, ``"table"``, ``"class_names"``,
        ``"predictions"``, ``"features"``) → path with ``/`` separators.

    Examples
    --------
    >>> locbench_files("fmow", "val")
    {'annotations': 'fmow/val.json', 'locations': 'fmow/val_location.json', 'categories': 'fmow/category.json', \
'predictions': 'fmow/feature_moco/fmow_val_preds.npy'}
    >>> locbench_files("mosaiks_forest_cover")
    {'table': 'mosaiks/Y_forest.csv', 'features': 'mosaiks/X_forest.npy'}
    """
    spec = _spec(dataset)
    split = _check_split(spec, split)
    if features is None:
        features = spec.task == "regression"
    d, fam = spec.directory, spec.family
    out: dict[str, str] = {}
    if fam == "birds":
        out["annotations"] = f"{d}/{d}_with_loc_2019.json"
        if predictions:
            out["predictions"] = f"{d}/features_inception/{d}_{split}_preds_sparse.npz"
        if features:
            out["features"] = f"{d}/features_inception/{d}_{split}_net_feats.npy"
    elif fam == "inat":
        year = spec.key[-4:]
        out["annotations"] = f"{d}/{split}{year}.json"
        out["locations"] = f"{d}/{split}{year}_locations.json"
        out["categories"] = f"{d}/categories{year}.json"
        if predictions:
            out["predictions"] = f"{d}/features_inception/inat{year}_{split}_preds_sparse.npz"
        if features:
            out["features"] = f"{d}/features_inception/inat{year}_{split}_net_feats.npy"
    elif fam == "fmow":
        out["annotations"] = f"{d}/{split}.json"
        out["locations"] = f"{d}/{split}_location.json"
        out["categories"] = f"{d}/category.json"
        if predictions and split != "train":  # defect 1: no fMoW train predictions exist
            out["predictions"] = f"{d}/feature_moco/fmow_{split}_preds.npy"
        if features:
            out["features"] = f"{d}/features_inception_pretrain/fmow_{split}_pretrain_net_feats.npy"
    elif fam == "yfcc":
        out["table"] = f"{d}/train_test_split.csv"
        out["class_names"] = f"{d}/class_names.csv"
        if predictions:
            out["predictions"] = f"{d}/features_inception/YFCC_{split}_preds.npy"
        if features:
            out["features"] = f"{d}/features_inception/YFCC_{split}_net_feats.npy"
    elif fam == "mosaiks":
        out["table"] = f"{d}/Y_{spec.label}.csv"
        if features:
            out["features"] = f"{d}/X_{spec.label}.npy"
    else:  # sustainbench: the features (nl_mean) are a column of the table
        out["table"] = f"{d}/dhs_trainval_labels.csv" if split == "train" else f"{d}/dhs_test_labels.csv"
    return out


# ------------------------------------------------------------------------------------------------
# The result
# ------------------------------------------------------------------------------------------------


@dataclass(repr=False, eq=False)
class LocBenchSplit:
    """One split of one LocBench dataset, row-aligned: row ``i`` of every array is the same sample.

    Attributes
    ----------
    dataset : str
        Registry name (``"birdsnap_ebird"``).
    split : str
        ``"train"``, ``"val"`` or ``"test"``.
    task : str
        ``"classification"`` or ``"regression"``.
    locs : numpy.ndarray
        ``(N, 2)`` float64 **lon, lat** in degrees; rows are ``NaN`` where the sample has no location
        (see :attr:`n_missing_locs`).
    labels : numpy.ndarray
        ``(N,)`` int64 class ids in ``[0, num_classes)`` (classification) or float64 values (regression).
    image_preds : numpy.ndarray or scipy.sparse.csr_matrix or None
        ``(N, num_classes)`` float32 softmax probabilities of the image model (classification); ``None``
        for regression, for fMoW ``train`` (no such file) or when not requested.
    image_feats : numpy.ndarray or None
        ``(N, D)`` float32 image features: the regression input (MOSAIKS ``D = 2048``, SustainBench the
        ``nl_mean`` column, ``D = 1``), or the classification CNN features when requested.
    num_classes : int or None
        TorchSpatial's hard-coded class count; ``None`` for regression.
    classes : dict or None
        Class id → name (classification).
    ids : numpy.ndarray
        Source identifier of each sample: image id (iNat, fMoW), ``im_path`` (birds), ``DHSID_EA``
        (SustainBench, when present) or the 0-based data row of the CSV (YFCC, MOSAIKS, SustainBench).
    rows : numpy.ndarray
        ``(N,)`` int64 positions in the native row order of the prediction/feature files (before any
        filtering), i.e. the reference's ``*_inds`` as integer positions.
    users : numpy.ndarray or None
        ``(N,)`` int64 photographer ids, ``-1`` when unknown (classification).
    dates : numpy.ndarray or None
        ``(N,)`` float32 fraction of the year, ``NaN`` when unknown (classification; YFCC is all 0).
    meta_type : str
        ``"orig_meta"``/``"ebird_meta"`` for the bird datasets, else ``""``.
    label_name : str or None
        Regression label column (``"forest"``, ``"asset_index_normalized"``).
    data_dir : pathlib.Path or None
        The dataset directory that was read.
    files : dict
        Role → absolute path of every file read.

    Examples
    --------
    >>> split = LocBenchSplit(dataset="demo", split="test", task="regression",
    ...                       locs=np.array([[2.35, 48.85], [np.nan, np.nan]]), labels=np.array([1.0, 2.0]))
    >>> len(split), split.n_missing_locs
    (2, 1)
    >>> split.subset(split.has_loc).locs
    array([[ 2.35, 48.85]])
    """

    dataset: str
    split: str
    task: str
    locs: np.ndarray
    labels: np.ndarray
    image_preds: Any = None
    image_feats: np.ndarray | None = None
    num_classes: int | None = None
    classes: dict[int, str] | None = None
    ids: np.ndarray | None = None
    rows: np.ndarray | None = None
    users: np.ndarray | None = None
    dates: np.ndarray | None = None
    meta_type: str = ""
    label_name: str | None = None
    data_dir: Path | None = None
    files: dict[str, Path] = field(default_factory=dict)

    _PER_ROW = ("locs", "labels", "image_preds", "image_feats", "ids", "rows", "users", "dates")

    def __len__(self) -> int:
        return int(self.locs.shape[0])

    @property
    def has_loc(self) -> np.ndarray:
        """``(N,)`` bool: the rows with a finite longitude and latitude."""
        return np.isfinite(self.locs).all(axis=1)

    @property
    def n_missing_locs(self) -> int:
        """How many rows have no (or an incomplete) location."""
        return int(len(self) - self.has_loc.sum())

    def subset(self, index: np.ndarray | Sequence[int] | slice) -> LocBenchSplit:
        """The same split restricted to some rows (a boolean mask, integer positions or a slice)."""
        if not isinstance(index, slice):
            index = np.asarray(index)
            if index.dtype == bool and index.shape != (len(self),):
                raise LocBenchError(f"boolean mask has shape {index.shape}, expected ({len(self)},)")
        changes = {name: getattr(self, name)[index] for name in self._PER_ROW if getattr(self, name) is not None}
        return replace(self, **changes)

    def summary(self) -> str:
        """A one-paragraph description: sizes, missing locations, arrays present."""

        def shape(a: Any) -> str:
            return "None" if a is None else "x".join(str(s) for s in a.shape)

        classes = f", {self.num_classes} classes" if self.num_classes is not None else f", label {self.label_name!r}"
        meta = f" [{self.meta_type}]" if self.meta_type else ""
        return (f"LocBench {self.dataset}{meta} {self.split}: {len(self)} sample{'' if len(self) == 1 else 's'} "
                f"({self.task}{classes}), "
                f"{self.n_missing_locs} without a location; image_preds {shape(self.image_preds)}, "
                f"image_feats {shape(self.image_feats)}")

    def __repr__(self) -> str:
        return f"<{self.summary()}>"


# ------------------------------------------------------------------------------------------------
# File helpers: every failure names the file, what was expected and what was found
# ------------------------------------------------------------------------------------------------


def _abs(path: Path) -> Path:
    return path.expanduser().absolute()


def _layout_text(spec: LocBenchDataset, split: str, features: bool, predictions: bool) -> str:
    files = locbench_files(spec, split, features=features, predictions=predictions)
    return "\n".join(f"  <data_dir>/{p}" for p in files.values())


def _missing(path: Path, what: str, spec: LocBenchDataset, split: str, features: bool, predictions: bool,
             hint: str = "") -> LocBenchFileNotFoundError:
    return LocBenchFileNotFoundError(
        f"{spec.name} {split}: {what} {_abs(path)} not found{hint}. The published LocBench layout "
        f"(TorchSpatial main/paths.py) expects:\n{_layout_text(spec, split, features, predictions)}")


def _resolve_dataset_dir(data_dir: PathLike, spec: LocBenchDataset, anchor: str, split: str, features: bool,
                         predictions: bool) -> Path:
    """``<data_dir>/<directory>``; also one level deeper, or ``data_dir`` itself, if the anchor file is there."""
    root = Path(data_dir).expanduser()
    if not root.is_dir():
        raise LocBenchFileNotFoundError(
            f"LocBench data directory {_abs(root)} does not exist or is not a directory; expected the folder that "
            f"holds {spec.directory}/ (TorchSpatial's geo_prior_data/data/), with:\n"
            f"{_layout_text(spec, split, features, predictions)}")
    rel = anchor.split("/", 1)[1]  # anchor relative to the dataset directory
    primary = root / spec.directory
    if (primary / rel).is_file():
        return primary
    if primary.is_dir():  # the tarball may add one level of folders
        deeper = sorted(p for p in primary.iterdir() if p.is_dir() and (p / rel).is_file())
        if len(deeper) > 1:
            raise LocBenchError(f"{spec.name}: {rel} found in several folders under {_abs(primary)}: "
                                f"{[str(_abs(p)) for p in deeper]}; expected exactly one")
        if deeper:
            return deeper[0]
    if (root / rel).is_file():  # data_dir is the dataset directory itself
        return root
    hint = "" if primary.is_dir() else f" (the folder {_abs(primary)} does not exist)"
    raise _missing(primary / rel, "file", spec, split, features, predictions, hint)


def _read_json(path: Path, expect: str) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise LocBenchError(f"{_abs(path)}: not valid JSON ({exc}); expected {expect}") from None
    except UnicodeDecodeError as exc:
        raise LocBenchError(f"{_abs(path)}: not a UTF-8 text file ({exc}); expected JSON, {expect}") from None


def _need(obj: Any, key: str, path: Path, where: str, expect: str = "") -> Any:
    if not isinstance(obj, Mapping):
        raise LocBenchError(f"{_abs(path)}: {where} should be a JSON object{expect}, found {type(obj).__name__} "
                            f"{_short(obj)}")
    if key not in obj:
        raise LocBenchError(f"{_abs(path)}: {where} has no key {key!r}{expect}; keys found: "
                            f"{sorted(map(str, obj))[:12]}")
    return obj[key]


def _need_list(obj: Any, path: Path, where: str) -> list:
    if not isinstance(obj, list):
        raise LocBenchError(f"{_abs(path)}: {where} should be a JSON list, found {type(obj).__name__} {_short(obj)}")
    return obj


def _short(obj: Any) -> str:
    text = repr(obj)
    return text if len(text) <= 80 else text[:77] + "..."


def _float(value: Any, path: Path, where: str) -> float:
    """JSON number → float; ``null`` (and ``NaN``) → nan."""
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LocBenchError(f"{_abs(path)}: {where} should be a number or null, found {_short(value)}")
    return float(value)


def _int(value: Any, path: Path, where: str, *, missing: int | None = None) -> int:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        if missing is None:
            raise LocBenchError(f"{_abs(path)}: {where} should be an integer, found null")
        return missing
    if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) != int(value):
        raise LocBenchError(f"{_abs(path)}: {where} should be an integer, found {_short(value)}")
    return int(value)


def _read_csv(path: Path, columns: Sequence[str], expect: str) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise LocBenchError(f"{_abs(path)}: cannot be read as CSV ({exc}); expected {expect}") from None
    lacking = [c for c in columns if c not in frame.columns]
    if lacking:
        raise LocBenchError(f"{_abs(path)}: missing column(s) {lacking}; expected {expect}; columns found: "
                            f"{list(frame.columns)[:20]}")
    return frame


def _numeric(frame: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    try:
        return pd.to_numeric(frame[column]).to_numpy(dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise LocBenchError(f"{_abs(path)}: column {column!r} should be numeric ({exc})") from None


def _load_dense(path: Path, n_rows: int, what: str, against: str, n_cols: int | None = None) -> np.ndarray:
    """A 2-D ``.npy`` memory-mapped (rows are copied out later), shape-checked against the annotation."""
    try:
        arr = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError) as exc:
        raise LocBenchError(f"{_abs(path)}: cannot be read as a .npy array ({exc}); expected {what}") from None
    if arr.ndim != 2:
        raise LocBenchError(f"{_abs(path)}: expected a 2-D array {what}, found shape {arr.shape}")
    _check_shape(path, arr.shape, n_rows, what, against, n_cols)
    return arr


def _load_sparse(path: Path, n_rows: int, what: str, against: str, n_cols: int) -> Any:
    import scipy.sparse as sp

    try:
        mat = sp.load_npz(path)
    except (ValueError, OSError, KeyError) as exc:
        raise LocBenchError(f"{_abs(path)}: cannot be read with scipy.sparse.load_npz ({exc}); expected {what} "
                            "saved by scipy.sparse.save_npz") from None
    _check_shape(path, mat.shape, n_rows, what, against, n_cols)
    return sp.csr_matrix(mat)


def _check_shape(path: Path, shape: tuple[int, ...], n_rows: int, what: str, against: str,
                 n_cols: int | None) -> None:
    if shape[0] != n_rows:
        raise LocBenchError(f"{_abs(path)}: has {shape[0]} rows but {against} has {n_rows} samples; expected "
                            f"{what}, one row per sample in the same order")
    if n_cols is not None and shape[1] != n_cols:
        raise LocBenchError(f"{_abs(path)}: has {shape[1]} columns but this dataset has {n_cols} classes; "
                            f"expected {what}")


def _take_preds(mat: Any, rows: np.ndarray, path: Path, sparse: bool) -> Any:
    """Rows of a prediction matrix (subset *before* densifying), checked to be probabilities."""
    import scipy.sparse as sp

    if sp.issparse(mat):
        sub = mat[rows]
        values = sub.data
        out = sub.astype(np.float32) if sparse else np.asarray(sub.todense(), dtype=np.float32)
    else:
        out = np.asarray(mat[rows], dtype=np.float32)
        values = out
    if values.size:
        lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
        if lo < -1e-6 or hi > 1 + 1e-3 or np.isnan(values).any():
            raise LocBenchError(f"{_abs(path)}: expected softmax probabilities in [0, 1] (TorchSpatial multiplies "
                                f"them by the location prior), found values in [{lo:.4g}, {hi:.4g}]"
                                f"{' and NaN' if np.isnan(values).any() else ''}; logits must be soft-maxed first")
    return out


def _take_feats(arr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return np.asarray(arr[rows], dtype=np.float32)


def _id(value: Any) -> str:
    return repr(value.item() if isinstance(value, np.generic) else value)


def _check_coords(locs: np.ndarray, path: Path, ids: np.ndarray) -> None:
    """Latitudes within ±90 and longitudes within ±180 (NaN allowed), with a hint for swapped columns."""
    lon, lat = locs[:, 0], locs[:, 1]
    with np.errstate(invalid="ignore"):
        bad_lat = np.abs(lat) > 90
        bad_lon = np.abs(lon) > 180
    bad_inf = np.isinf(locs).any(axis=1)
    for mask, what in ((bad_inf, "an infinite coordinate"), (bad_lat, "a latitude outside [-90, 90]"),
                       (bad_lon, "a longitude outside [-180, 180]")):
        if mask.any():
            first = np.flatnonzero(mask)[:3]
            examples = ", ".join(f"id {_id(ids[i])}: lon={lon[i]:g}, lat={lat[i]:g}" for i in first)
            hint = ""
            with np.errstate(invalid="ignore"):
                if what.startswith("a latitude") and (np.abs(lon[mask]) <= 90).all():
                    hint = "; the lon and lat values look swapped"
                elif not what.startswith("an inf"):
                    hint = "; expected WGS 84 degrees (a projected CRS or swapped lon/lat?)"
            raise LocBenchError(f"{_abs(path)}: {int(mask.sum())} sample(s) with {what} ({examples}){hint}")


def _check_classes(labels: np.ndarray, num_classes: int, path: Path, ids: np.ndarray) -> None:
    bad = (labels < 0) | (labels >= num_classes)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise LocBenchError(f"{_abs(path)}: {int(bad.sum())} class id(s) outside [0, {num_classes}) (first: id "
                            f"{_id(ids[i])} has class {labels[i]}); TorchSpatial uses class ids unchanged as "
                            f"columns of the {num_classes}-class prediction matrix")


# ------------------------------------------------------------------------------------------------
# Family readers. Each returns the full native-order arrays plus the default filter mask.
# ------------------------------------------------------------------------------------------------


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


def _read_coco(d: Path, files: dict[str, str], spec: LocBenchDataset, strip: int) -> _Native:
    """iNat / fMoW (``load_inat_data``): COCO-style annotations + a location list, in ``images`` order."""
    ann_path, loc_path, cat_path = (d / files[k][strip:] for k in ("annotations", "locations", "categories"))
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


def _read_birds(d: Path, files: dict[str, str], split: str, meta_type: str, strip: int) -> _Native:
    """BirdSnap / NABirds (``load_bird_data``): one JSON; rows are the ``valid_image`` entries of the split."""
    path = d / files["annotations"][strip:]
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


def _read_yfcc(d: Path, files: dict[str, str], split: str, strip: int) -> _Native:
    path = d / files["table"][strip:]
    frame = _read_csv(path, ["split", "lon", "lat", "class"], "columns split, lon, lat, class")
    sel = _split_rows(frame, split, path)
    locs = np.column_stack([_numeric(sel, "lon", path), _numeric(sel, "lat", path)])
    cls = _numeric(sel, "class", path)
    if np.isnan(cls).any() or (cls != np.round(cls)).any():
        raise LocBenchError(f"{_abs(path)}: column 'class' should hold integer class ids, found "
                            f"{_short(cls[np.isnan(cls) | (cls != np.round(cls))][:3].tolist())}")
    names_path = d / files["class_names"][strip:]
    names = _read_csv(names_path, ["id", "name"], "columns id, name")
    classes = {int(i): str(nm) for i, nm in zip(_numeric(names, "id", names_path), names["name"])}
    n = len(sel)
    ids = sel.index.to_numpy(dtype=np.int64)
    # Reference: no filtering, users all -1, dates all 0.
    return _Native(locs, cls.astype(np.int64), ids, np.ones(n, bool), path, path,
                   f"{path.name} (rows with split == {split!r})", np.full(n, -1, np.int64),
                   np.zeros(n, np.float32), classes)


def _read_mosaiks(d: Path, files: dict[str, str], spec: LocBenchDataset, split: str, strip: int,
                  features: bool) -> _Native:
    path = d / files["table"][strip:]
    name = spec.label
    frame = _read_csv(path, ["split", "lon", "lat", name], f"columns split, lon, lat, {name}")
    sel = _split_rows(frame, split, path)
    rows = np.flatnonzero((frame["split"] == split).to_numpy())  # CSV row positions = rows of X
    locs = np.column_stack([_numeric(sel, "lon", path), _numeric(sel, "lat", path)])
    labels = _numeric(sel, name, path)
    feats = None
    if features:
        feats = _load_dense(d / files["features"][strip:], len(frame),
                            "(rows of the CSV, all splits, 2048) image features", f"{path.name} (all splits)")
    return _Native(locs, labels, rows.astype(np.int64), np.ones(len(sel), bool), path, path, path.name, rows=rows,
                   feats=feats)


def _read_sustainbench(d: Path, files: dict[str, str], spec: LocBenchDataset, strip: int) -> _Native:
    path = d / files["table"][strip:]
    col = spec.label
    frame = _read_csv(path, ["lon", "lat", "nl_mean", col], f"columns lon, lat, nl_mean, {col}")
    labels_all = _numeric(frame, col, path)
    keep = np.flatnonzero(~np.isnan(labels_all))  # reference: dropna(subset=[col])
    sel = frame.iloc[keep]
    locs = np.column_stack([_numeric(sel, "lon", path), _numeric(sel, "lat", path)])
    ids = sel["DHSID_EA"].astype(str).to_numpy(dtype=object) if "DHSID_EA" in sel.columns else keep.astype(np.int64)
    feats = _numeric(sel, "nl_mean", path).astype(np.float32)[:, None]
    return _Native(locs, labels_all[keep], ids, np.ones(len(sel), bool), path, path, path.name,
                   rows=keep.astype(np.int64), feats=feats)


# ------------------------------------------------------------------------------------------------
# Public entry point
# ------------------------------------------------------------------------------------------------


def load_locbench(data_dir: PathLike, dataset: str, split: str | None = None, *, meta_type: str | None = None,
                  remove_invalid: bool | None = None, predictions: bool = True, features: bool | None = None,
                  sparse: bool = False, resample: bool = False, seed: int | None = None) -> LocBenchSplit:
    """Load one split of a LocBench dataset from a directory in the published layout.

    Parameters
    ----------
    data_dir : str or pathlib.Path
        The LocBench root (TorchSpatial's ``geo_prior_data/data/``) holding ``birdsnap/``, ``inat_2017/``,
        ``mosaiks/``, … (see :func:`locbench_files` and ``docs/locbench``). The dataset's folder may
        also hold the files one level deeper, and ``data_dir`` may be the dataset folder itself.
    dataset : str
        One of the 17 names of :func:`list_locbench` (``"birdsnap"``, ``"birdsnap_ebird"``,
        ``"nabirds"``, ``"inat_2017"``, ``"inat_2018"``, ``"yfcc"``, ``"fmow"``, ``"mosaiks_population"``,
        ``"mosaiks_elevation"``, ``"mosaiks_forest_cover"``, ``"mosaiks_nightlights"``,
        ``"sustainbench_asset_index"``, ``"sustainbench_women_bmi"``, ``"sustainbench_water_index"``,
        ``"sustainbench_under5_mort"``, ``"sustainbench_sanitation_index"``, ``"sustainbench_women_edu"``);
        paper titles such as ``"BirdSnap†"`` are accepted too.
    split : {"train", "val", "test"}, optional
        Defaults to the split the paper evaluates on: ``val`` for iNat and fMoW, ``test`` otherwise.
        iNat and fMoW have no published ``test``; MOSAIKS and SustainBench have no ``val``.
    meta_type : {"orig_meta", "ebird_meta"}, optional
        Bird datasets only: which location metadata to read (``birdsnap`` is ``orig_meta`` by default,
        ``birdsnap_ebird`` and ``nabirds`` ``ebird_meta``). An error for the other datasets.
    remove_invalid : bool, optional
        Classification only: drop the samples TorchSpatial treats as invalid (iNat/fMoW: no ``lon`` or no
        ``user_id``; birds: no ``lon``, no ``user_id`` or no ``date``). The default, ``None``, is the
        reference's final evaluation: ``True`` for ``train``, ``False`` for ``val``/``test`` (all rows;
        rows without a location have ``NaN`` locs). YFCC is never filtered (nothing is invalid there); an
        error for the regression datasets.
    predictions : bool
        Load the image model's class probabilities (classification; fMoW ``train`` has none).
    features : bool, optional
        Load image features. Default: ``True`` for regression (they are the model input), ``False`` for
        classification (the 2048-d InceptionV3/MoCo features).
    sparse : bool
        Return the ``*_preds_sparse.npz`` predictions (iNat, birds) as a ``scipy.sparse.csr_matrix``
        instead of a dense array (dense iNat train predictions take 12–14 GB).
    resample : bool
        Regression only: reproduce the paper's subsampling — MOSAIKS ``n // 20`` rows per split, drawn
        with ``np.random.RandomState(seed).choice`` (in draw order); SustainBench
        ``df.sample(frac=0.1, random_state=seed)``. Default ``False``: the whole split, in file order.
    seed : int, optional
        Seed for ``resample`` (default 0 for MOSAIKS, 42 for SustainBench, as in the reference).

    Returns
    -------
    LocBenchSplit
        Row-aligned ``locs`` (lon, lat; ``NaN`` rows allowed), ``labels``, ``image_preds`` and/or
        ``image_feats``, ``ids``, ``rows`` and the class table.

    Raises
    ------
    LocBenchFileNotFoundError
        A directory or file is missing; the message gives the absolute path and the expected layout.
    LocBenchError
        A file is malformed (missing key/column, row counts or prediction width that do not match,
        class ids out of range, latitudes beyond ±90 or longitudes beyond ±180, probabilities outside
        [0, 1]) or an argument is invalid.

    Notes
    -----
    The decisions on the reference loader's defects (``train_preds`` for fMoW and its misalignment,
    fMoW features, SustainBench's ``NameError``, unseeded MOSAIKS subsampling, …) are listed in the
    module docstring of :mod:`geoencode.bench.locbench`.

    Examples
    --------
    A tiny SustainBench table in the published layout:

    >>> import tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> root = Path(tmp.name)
    >>> (root / "sustainbench").mkdir()
    >>> table = pd.DataFrame({"DHSID_EA": ["A1", "A2", "A3"], "lon": [36.8, 3.4, 32.6], "lat": [-1.3, 6.5, 0.3],
    ...                       "nl_mean": [4.0, 9.5, 0.2], "asset_index_normalized": [0.7, None, -0.2]})
    >>> table.to_csv(root / "sustainbench" / "dhs_test_labels.csv", index=False)
    >>> ds = load_locbench(root, "sustainbench_asset_index")
    >>> ds
    <LocBench sustainbench_asset_index test: 2 samples (regression, label 'asset_index_normalized'), 0 without a \
location; image_preds None, image_feats 2x1>
    >>> ds.locs.tolist(), ds.labels.tolist(), ds.ids.tolist()
    ([[36.8, -1.3], [32.6, 0.3]], [0.7, -0.2], ['A1', 'A3'])
    >>> load_locbench(root, "sustainbench_asset_index", "train")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geoencode.bench.locbench.LocBenchFileNotFoundError: sustainbench_asset_index train: file \
.../dhs_trainval_labels.csv not found. The published LocBench layout (TorchSpatial main/paths.py) expects:
      <data_dir>/sustainbench/dhs_trainval_labels.csv
    >>> tmp.cleanup()

    Real data (the figshare archives unpacked under one root):

    >>> birds = load_locbench("~/geo_prior_data/data", "birdsnap_ebird")  # doctest: +SKIP
    >>> birds.image_preds.shape, birds.n_missing_locs  # doctest: +SKIP
    ((2262, 500), 45)
    """
    spec = _spec(dataset)
    split = _check_split(spec, split)
    meta_type = _check_meta(spec, meta_type)
    classification = spec.task == "classification"
    if features is None:
        features = not classification
    if resample and classification:
        raise LocBenchError(f"{spec.name}: resample applies to the regression datasets (MOSAIKS, SustainBench) only")
    if not classification and not features:
        raise LocBenchError(f"{spec.name}: features=False leaves a regression dataset without its input; "
                            "leave features at its default")
    if remove_invalid is not None and not classification:
        raise LocBenchError(f"{spec.name}: remove_invalid applies to the classification datasets only (regression "
                            "datasets are never filtered, apart from SustainBench's rows without a label)")
    if seed is not None and not resample:
        raise LocBenchError("seed is only used with resample=True")

    if remove_invalid is None:
        remove_invalid = split == "train"
    files = locbench_files(spec, split, features=features, predictions=predictions and classification)
    anchor = next(iter(files.values()))
    d = _resolve_dataset_dir(data_dir, spec, anchor, split, features, predictions)
    strip = len(spec.directory) + 1  # files[...] minus the "<directory>/" prefix
    for role, rel in files.items():
        path = d / rel[strip:]
        if not path.is_file():
            raise _missing(path, f"{role} file", spec, split, features, predictions)

    fam = spec.family
    if fam in ("inat", "fmow"):
        native = _read_coco(d, files, spec, strip)
    elif fam == "birds":
        native = _read_birds(d, files, split, meta_type, strip)
    elif fam == "yfcc":
        native = _read_yfcc(d, files, split, strip)
    elif fam == "mosaiks":
        native = _read_mosaiks(d, files, spec, split, strip, features)
    else:
        native = _read_sustainbench(d, files, spec, strip)

    _check_coords(native.locs, native.coord_file, native.ids)
    if classification:
        _check_classes(native.labels, spec.num_classes, native.label_file, native.ids)

    # Which native rows are returned, in which order.
    n_native = len(native.labels)
    sel = np.flatnonzero(native.valid) if (classification and remove_invalid) else np.arange(n_native)
    if resample:
        n = len(sel)
        if fam == "mosaiks":
            sel = sel[np.random.RandomState(0 if seed is None else seed).choice(n, n // 20, replace=False)]
        else:
            sel = sel[pd.Series(np.arange(n)).sample(frac=0.1, random_state=42 if seed is None else seed).to_numpy()]

    out_files = {role: _abs(d / rel[strip:]) for role, rel in files.items()}
    image_preds = image_feats = None
    if classification:
        rows = sel.astype(np.int64)
        if "predictions" in files:
            path = d / files["predictions"][strip:]
            what = f"(samples, {spec.num_classes}) class probabilities"
            if path.suffix == ".npz":
                mat = _load_sparse(path, n_native, what, native.against, spec.num_classes)
            else:
                mat = _load_dense(path, n_native, what, native.against, spec.num_classes)
            image_preds = _take_preds(mat, rows, path, sparse)
        if features:
            path = d / files["features"][strip:]
            image_feats = _take_feats(_load_dense(path, n_native, "(samples, D) image features", native.against),
                                      rows)
    else:
        rows = native.rows[sel]
        image_feats = (_take_feats(native.feats, rows) if fam == "mosaiks" else native.feats[sel])

    def pick(a: np.ndarray | None) -> np.ndarray | None:
        return None if a is None else a[sel]

    return LocBenchSplit(
        dataset=spec.name, split=split, task=spec.task, locs=native.locs[sel], labels=native.labels[sel],
        image_preds=image_preds, image_feats=image_feats, num_classes=spec.num_classes, classes=native.classes,
        ids=native.ids[sel], rows=rows, users=pick(native.users), dates=pick(native.dates), meta_type=meta_type,
        label_name=spec.label, data_dir=_abs(d), files=out_files,
    )
