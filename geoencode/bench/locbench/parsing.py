"""Reading and checking LocBench files: every failure names the file, what was expected and what was found."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .errors import LocBenchError
from .layout import _abs


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


def _read_csv(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    """A CSV that must have ``columns`` (others are allowed)."""
    expect = "columns " + ", ".join(columns)
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


def _lonlat(frame: pd.DataFrame, path: Path) -> np.ndarray:
    """``(N, 2)`` float64 lon, lat from a table's ``lon`` and ``lat`` columns."""
    return np.column_stack([_numeric(frame, "lon", path), _numeric(frame, "lat", path)])


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
