"""The audit's input boundary: parameter checks, data cleaning and the choice of centres.

Validated once here, trusted inside (scikit-learn's boundary style). Every error names the
parameter or the offending rows and how to fix them.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np
import pandas as pd

from geocommon.checks import check_scalar

from .errors import GeoBiasError, describe_rows
from .marks import low_performance
from .sphere import wrap_longitude
from .ssi import TIES

__all__ = ["MAX_RADIUS_KM", "validate_params", "clean_frame", "centre_mask"]

#: Background rings must stay within a hemisphere of the centre.
MAX_RADIUS_KM = 10_000.0

_CHOICES = {
    "probability": ("two_sided", "density"),
    "aggregation": ("mean", "n_weighted"),
    "neighbour_order": ("distance", "position"),
    "radians": ("reference", "numpy"),
}


def validate_params(p: dict, radius_km: float, k: int, ties: str) -> None:
    """Check the audit's parameters (preset resolved), raising :class:`GeoBiasError`.

    Examples
    --------
    >>> from geobias.presets import preset_params
    >>> validate_params(preset_params("geobs"), 100.0, 4, "split")
    >>> validate_params(preset_params("geobs"), 100.0, 0, "split")
    Traceback (most recent call last):
    ...
    geobias.errors.GeoBiasError: k must be an integer >= 1, got 0.
    """
    check_scalar(radius_km, "radius_km", numbers.Real, min_val=0, include_boundaries="neither",
                 finite=True, error=GeoBiasError)
    if radius_km >= MAX_RADIUS_KM:
        raise GeoBiasError(
            f"radius_km={radius_km} is too large: background rings would reach past a "
            f"hemisphere (spec limit r < pi/2); use radius_km < {MAX_RADIUS_KM:.0f}"
        )
    check_scalar(k, "k", numbers.Integral, min_val=1, error=GeoBiasError)
    check_scalar(p["max_neighbors"], "max_neighbors", numbers.Integral, min_val=1, allow_none=True,
                 error=GeoBiasError)
    for name, allowed in _CHOICES.items():
        if p[name] not in allowed:
            raise GeoBiasError(f"{name}={p[name]!r} must be one of {list(allowed)}")
    if ties not in TIES:
        raise GeoBiasError(f"ties={ties!r} must be one of {list(TIES)} ('split' is the machine-independent default)")
    if p["density"] != "auto":
        check_scalar(p["density"], "density", numbers.Real, min_val=0, include_boundaries="neither",
                     finite=True, error=GeoBiasError)
    check_scalar(p["std_offset"], "std_offset", numbers.Real, min_val=0, finite=True, error=GeoBiasError)
    check_scalar(p["density_factor"], "density_factor", numbers.Real, min_val=0, include_boundaries="neither",
                 finite=True, error=GeoBiasError)


def clean_frame(frame: pd.DataFrame, value: str, warn: Callable[[str], None]) -> tuple[pd.DataFrame, dict]:
    """The rows an audit can use, with the performance as a float column ``_value``.

    Rows without coordinates or without a finite value are dropped (``warn`` says which);
    longitudes outside ±180° are wrapped into it (geoencode's rule, see
    :func:`geobias.sphere.wrap_longitude`); anything else that is wrong raises.

    Returns
    -------
    frame : pandas.DataFrame
        The cleaned rows (a new frame; the input is not modified).
    counts : dict
        ``n_dropped_coords``, ``n_dropped_nan``, ``n_wrapped``.

    Examples
    --------
    >>> df = pd.DataFrame({"lon": [190.0, 1.0, None], "lat": [0.0, 1.0, 2.0], "v": [1, 0, 1]})
    >>> out, counts = clean_frame(df, "v", warn=lambda msg: None)
    >>> out["lon"].tolist(), counts
    ([-170.0, 1.0], {'n_dropped_coords': 1, 'n_wrapped': 1, 'n_dropped_nan': 0})
    """
    if value not in frame.columns:
        raise GeoBiasError(
            f"value column {value!r} not found; available columns: "
            f"{[c for c in frame.columns if c not in ('lon', 'lat')]}; pass value=..."
        )
    raw = frame[value]
    vals = pd.to_numeric(raw, errors="coerce")
    bad = vals.isna() & raw.notna()
    if bad.any():
        raise GeoBiasError(
            f"value column {value!r} has non-numeric entries in "
            f"{describe_rows(frame.index[bad])}, e.g. {raw[bad].iloc[0]!r}"
        )
    frame = frame.assign(_value=vals.astype(float))
    counts = {}
    no_xy = frame["lon"].isna() | frame["lat"].isna()
    counts["n_dropped_coords"] = int(no_xy.sum())
    if no_xy.any():
        warn(f"dropped {int(no_xy.sum())} rows without coordinates ({describe_rows(frame.index[no_xy])})")
        frame = frame[~no_xy]
    bad_lat = frame["lat"].abs() > 90
    if bad_lat.any():
        raise GeoBiasError(
            f"lat outside ±90 in {describe_rows(frame.index[bad_lat])}: lon/lat may be "
            "swapped (or the coordinates are projected; pass a GeoDataFrame with its CRS)"
        )
    infinite = ~np.isfinite(frame["lon"]) | ~np.isfinite(frame["lat"])
    if infinite.any():
        raise GeoBiasError(
            f"non-finite coordinates in {describe_rows(frame.index[infinite])}: coordinates must "
            "be degrees in WGS84 (pass a GeoDataFrame with its CRS to transform)"
        )
    outside = frame["lon"].abs() > 180
    counts["n_wrapped"] = int(outside.sum())
    if outside.any():
        frame = frame.assign(lon=wrap_longitude(frame["lon"].to_numpy(dtype=float)))
    nan_v = frame["_value"].isna() | ~np.isfinite(frame["_value"])
    counts["n_dropped_nan"] = int(nan_v.sum())
    if nan_v.any():
        warn(f"dropped {int(nan_v.sum())} rows with missing/non-finite {value!r} "
             f"({describe_rows(frame.index[nan_v])})")
        frame = frame[~nan_v]
    if len(frame) == 0:
        raise GeoBiasError("no rows left with both coordinates and a performance value")
    if not frame.index.is_unique:
        raise GeoBiasError(
            f"row labels are not unique ({describe_rows(frame.index[frame.index.duplicated()])}); "
            "per-centre results are indexed by them: reset_index() first"
        )
    return frame, counts


def centre_mask(spec, frame: pd.DataFrame, values: np.ndarray, threshold, lower_is_better: bool,
                input_index: pd.Index) -> np.ndarray:
    """Which cleaned rows are centres: ``"all"``, ``"low"``, a boolean mask or row labels.

    Examples
    --------
    >>> df = pd.DataFrame({"v": [1.0, 0.0, 1.0]})
    >>> centre_mask("low", df, df["v"].to_numpy(), None, True, df.index).tolist()
    [False, True, False]
    """
    if isinstance(spec, str):
        if spec == "all":
            return np.ones(len(frame), dtype=bool)
        if spec == "low":
            return low_performance(values, threshold, lower_is_better)
        raise GeoBiasError(f"centres={spec!r} must be 'all', 'low', a boolean mask or row labels")
    if isinstance(spec, pd.Series) and spec.dtype == bool:
        return spec.reindex(frame.index, fill_value=False).to_numpy()
    arr = np.asarray(spec)
    if arr.dtype == bool:
        if arr.size != len(input_index):
            raise GeoBiasError(
                f"boolean centres mask has {arr.size} entries but the data has {len(input_index)} rows"
            )
        return pd.Series(arr, index=input_index).reindex(frame.index, fill_value=False).to_numpy()
    labels = pd.Index(arr)
    missing = labels.difference(frame.index)
    if len(missing):
        raise GeoBiasError(f"centres include labels that are not (valid) rows: {list(missing[:10])}")
    return frame.index.isin(labels)
