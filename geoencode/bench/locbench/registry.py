"""The 17 LocBench datasets: names, paper titles, tasks, folders and the splits each has."""

from __future__ import annotations

from dataclasses import dataclass, fields

import pandas as pd

from .errors import LocBenchError

__all__ = ["LOCBENCH_DATASETS", "LocBenchDataset", "list_locbench"]


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

