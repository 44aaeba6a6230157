"""From performance values to marks, and which samples perform "low".

Classification results are used raw (PyGBS) or as ``{0 -> -1, 1 -> +1}``
(TorchSpatial 2024). Image geolocalization errors are thresholded at the
standard scale levels: a distance error below the threshold is a success
(``+1``), at or above it a failure (``-1``) — lower is better.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Literal, Union

import numpy as np

from geocommon.checks import check_scalar

from .errors import GeoBiasError

__all__ = ["SCALES", "resolve_threshold", "make_marks", "low_performance"]

#: Standard geolocalization scale levels in km (street, city, region,
#: country, continent); a distance error below the level is a success.
SCALES: dict[str, float] = {
    "street": 1.0,
    "city": 25.0,
    "region": 200.0,
    "country": 750.0,
    "continent": 2500.0,
}

MarksSpec = Union[Literal["raw", "pm1"], Callable[[np.ndarray], np.ndarray]]


def resolve_threshold(threshold: float | str | None) -> float | None:
    """A threshold in km from a number or a scale name.

    Parameters
    ----------
    threshold : float, str or None
        Kilometres, or one of :data:`SCALES`.

    Returns
    -------
    float or None
        The threshold in km.

    Examples
    --------
    >>> resolve_threshold("city"), resolve_threshold(1e3)
    (25.0, 1000.0)
    """
    if threshold is None:
        return None
    if isinstance(threshold, str):
        try:
            return SCALES[threshold.lower()]
        except KeyError:
            raise GeoBiasError(
                f"threshold={threshold!r} is not a scale level; use one of "
                f"{sorted(SCALES)} or a number of km"
            ) from None
    check_scalar(threshold, "threshold", numbers.Real, min_val=0, include_boundaries="neither", finite=True,
                 error=GeoBiasError)
    return float(threshold)


def _is_binary(values: np.ndarray) -> bool:
    return bool(np.isin(values, (0.0, 1.0)).all())


def make_marks(
    values: np.ndarray,
    marks: MarksSpec = "raw",
    threshold: float | None = None,
    lower_is_better: bool = True,
) -> np.ndarray:
    """Marks (presence values of the relative score) from performance values.

    Parameters
    ----------
    values : numpy.ndarray
        Per-sample performance.
    marks : {"raw", "pm1"} or callable, default "raw"
        ``"raw"`` keeps the values; ``"pm1"`` maps binary ``{0, 1}`` values
        to ``{-1, +1}``; a callable maps the values array to marks.
    threshold : float, optional
        If given (km), overrides ``marks``: ``+1`` where the value is better
        than the threshold, ``-1`` otherwise.
    lower_is_better : bool, default True
        Direction of the threshold (distance errors: lower is better).

    Returns
    -------
    numpy.ndarray
        Float marks.

    Examples
    --------
    >>> make_marks(np.array([0.0, 1.0]), "pm1").tolist()
    [-1.0, 1.0]
    >>> make_marks(np.array([0.5, 30.0]), threshold=25).tolist()
    [1.0, -1.0]
    """
    values = np.asarray(values, dtype=float)
    if threshold is not None:
        good = values < threshold if lower_is_better else values >= threshold
        return np.where(good, 1.0, -1.0)
    if callable(marks):
        out = np.asarray(marks(values), dtype=float)
        if out.shape != values.shape or not np.isfinite(out).all():
            raise GeoBiasError("the marks callable must return finite values, one per sample")
        return out
    if marks == "raw":
        return values.copy()
    if marks == "pm1":
        if not _is_binary(values):
            bad = np.unique(values[~np.isin(values, (0.0, 1.0))])[:5].tolist()
            raise GeoBiasError(
                f"marks='pm1' needs binary 0/1 values (e.g. hit@1), found {bad}; "
                "use marks='raw' or a threshold"
            )
        return 2.0 * values - 1.0
    raise GeoBiasError(f"marks={marks!r} is not one of 'raw', 'pm1' or a callable")


def low_performance(
    values: np.ndarray, threshold: float | None = None, lower_is_better: bool = True
) -> np.ndarray:
    """Boolean mask of low-performance samples (the centres of ``centres="low"``).

    Parameters
    ----------
    values : numpy.ndarray
        Per-sample performance.
    threshold : float, optional
        With a threshold, failures are the samples on the wrong side of it.
    lower_is_better : bool, default True
        Direction of the threshold.

    Returns
    -------
    numpy.ndarray
        ``True`` for failures: ``value == 0`` for binary values (hit@k).

    Examples
    --------
    >>> low_performance(np.array([1.0, 0.0, 1.0])).tolist()
    [False, True, False]
    """
    values = np.asarray(values, dtype=float)
    if threshold is not None:
        return ~(values < threshold) if lower_is_better else ~(values >= threshold)
    if not _is_binary(values):
        raise GeoBiasError(
            "centres='low' needs binary 0/1 values (e.g. hit@1) or a threshold; "
            "for continuous values pass centres as a boolean mask or a list of row labels"
        )
    return values == 0.0
