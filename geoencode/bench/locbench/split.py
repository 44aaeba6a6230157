"""The result of a load: one split of one dataset, row-aligned."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from .errors import LocBenchError

__all__ = ["LocBenchSplit"]


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


