"""Where each LocBench file lives: the published layout (TorchSpatial's ``main/paths.py``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .errors import LocBenchError, LocBenchFileNotFoundError
from .registry import LocBenchDataset, _check_split, _spec

__all__ = ["locbench_files", "LAYOUTS"]

PathLike = str | Path


def _birds(spec: LocBenchDataset, split: str) -> dict[str, str]:
    d = spec.directory
    return {"annotations": f"{d}/{d}_with_loc_2019.json",
            "predictions": f"{d}/features_inception/{d}_{split}_preds_sparse.npz",
            "features": f"{d}/features_inception/{d}_{split}_net_feats.npy"}


def _inat(spec: LocBenchDataset, split: str) -> dict[str, str]:
    d, year = spec.directory, spec.key[-4:]
    return {"annotations": f"{d}/{split}{year}.json", "locations": f"{d}/{split}{year}_locations.json",
            "categories": f"{d}/categories{year}.json",
            "predictions": f"{d}/features_inception/inat{year}_{split}_preds_sparse.npz",
            "features": f"{d}/features_inception/inat{year}_{split}_net_feats.npy"}


def _fmow(spec: LocBenchDataset, split: str) -> dict[str, str]:
    d = spec.directory
    out = {"annotations": f"{d}/{split}.json", "locations": f"{d}/{split}_location.json",
           "categories": f"{d}/category.json"}
    if split != "train":  # defect 1: no fMoW train predictions exist
        out["predictions"] = f"{d}/feature_moco/fmow_{split}_preds.npy"
    out["features"] = f"{d}/features_inception_pretrain/fmow_{split}_pretrain_net_feats.npy"
    return out


def _yfcc(spec: LocBenchDataset, split: str) -> dict[str, str]:
    d = spec.directory
    return {"table": f"{d}/train_test_split.csv", "class_names": f"{d}/class_names.csv",
            "predictions": f"{d}/features_inception/YFCC_{split}_preds.npy",
            "features": f"{d}/features_inception/YFCC_{split}_net_feats.npy"}


def _mosaiks(spec: LocBenchDataset, split: str) -> dict[str, str]:
    d = spec.directory
    return {"table": f"{d}/Y_{spec.label}.csv", "features": f"{d}/X_{spec.label}.npy"}


def _sustainbench(spec: LocBenchDataset, split: str) -> dict[str, str]:
    d = spec.directory  # the features (nl_mean) are a column of the table
    return {"table": f"{d}/dhs_trainval_labels.csv" if split == "train" else f"{d}/dhs_test_labels.csv"}


#: Dataset family → every file of one split (role → path relative to the data root), optional
#: ``predictions``/``features`` included.
LAYOUTS: dict[str, Callable[[LocBenchDataset, str], dict[str, str]]] = {
    "birds": _birds, "inat": _inat, "fmow": _fmow, "yfcc": _yfcc, "mosaiks": _mosaiks, "sustainbench": _sustainbench,
}


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
    wanted = {"predictions": predictions, "features": features}
    return {role: path for role, path in LAYOUTS[spec.family](spec, split).items() if wanted.get(role, True)}


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