"""The public entry point: :func:`load_locbench`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import LocBenchError
from .layout import PathLike, _abs, _missing, _resolve_dataset_dir, locbench_files
from .parsing import _check_classes, _check_coords, _load_dense, _load_sparse, _take_feats, _take_preds
from .readers import READERS
from .registry import _check_meta, _check_split, _spec
from .split import LocBenchSplit

__all__ = ["load_locbench"]


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
    >>> from pathlib import Path
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
    paths = {role: d / rel[strip:] for role, rel in files.items()}
    for role, path in paths.items():
        if not path.is_file():
            raise _missing(path, f"{role} file", spec, split, features, predictions)

    fam = spec.family
    native = READERS[fam](paths, spec, split, meta_type, features)

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

    out_files = {role: _abs(path) for role, path in paths.items()}
    image_preds = image_feats = None
    if classification:
        rows = sel.astype(np.int64)
        if "predictions" in files:
            path = paths["predictions"]
            what = f"(samples, {spec.num_classes}) class probabilities"
            if path.suffix == ".npz":
                mat = _load_sparse(path, n_native, what, native.against, spec.num_classes)
            else:
                mat = _load_dense(path, n_native, what, native.against, spec.num_classes)
            image_preds = _take_preds(mat, rows, path, sparse)
        if features:
            path = paths["features"]
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
