"""Several models on the same locations: a TorchSpatial Table-2 style table.

Each model is audited with the same parameters; the table lists its mean
performance and base/relative Geo-Bias Scores, and flags scores more than 30 %
above the location-unaware model's (the paper's dagger).
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from geocommon.checks import check_scalar
from geocommon.columns import find_lonlat, has_lonlat

from .audit import audit
from .errors import GeoBiasError
from .io import read_results, to_lonlat_frame

__all__ = ["compare", "compare_frame", "find_baseline"]

_BASELINE = re.compile(r"no[ _-]?prior|location[ _-]?unaware|no[ _-]?loc", re.I)


def find_baseline(names) -> str | None:
    """The name that looks like the location-unaware model ("No Prior").

    Parameters
    ----------
    names : iterable of str
        Model names.

    Returns
    -------
    str or None
        The first name matching ``no prior`` / ``location-unaware``.

    Examples
    --------
    >>> find_baseline(["sphereC", "No Prior"])
    'No Prior'
    """
    for n in names:
        if _BASELINE.search(str(n)):
            return n
    return None


def _as_frame(data) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    return read_results(data)


def _has_coords(df: pd.DataFrame) -> bool:
    # the same aliases as the audit's reader, so a file audits exactly when it counts here
    return hasattr(df, "geometry") or has_lonlat(df.columns)


def compare_frame(
    models: Mapping[str, Any],
    value: str = "hit@1",
    radius_km: float = 100.0,
    k: int = 4,
    preset: str | None = "geobs",
    baseline: str | None = None,
    flag_ratio: float = 1.3,
    **kwargs: Any,
) -> tuple[pd.DataFrame, dict]:
    """Audit every model and build the comparison table.

    Parameters
    ----------
    models : mapping of str to data
        Model name → results (anything :func:`geobias.audit` accepts). Models
        without coordinates (TorchSpatial's ``no_prior`` CSVs) borrow them from
        the first model that has them; row counts must then agree.
    value : str, default "hit@1"
        Performance column.
    radius_km : float, default 100
        Neighbourhood radius.
    k : int, default 4
        Nearest neighbours of the weights.
    preset : str, default "geobs"
        Preset of every audit.
    baseline : str, optional
        The location-unaware model (default: the name matching "no prior").
    flag_ratio : float, default 1.3
        Flag scores above ``flag_ratio`` times the baseline's.
    **kwargs
        Passed to every audit.

    Returns
    -------
    table : pandas.DataFrame
        One row per model: ``value`` (mean performance), ``base``,
        ``relative``, ``base_flag``, ``relative_flag``.
    audits : dict
        Model name → :class:`geobias.GeoBiasAudit`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> xy = pd.DataFrame({"lon": rng.uniform(0, 1, 50), "lat": rng.uniform(0, 1, 50)})
    >>> a = xy.assign(**{"hit@1": rng.integers(0, 2, 50)})
    >>> b = pd.DataFrame({"hit@1": rng.integers(0, 2, 50)})
    >>> table, _ = compare_frame({"No Prior": b, "model": a}, progress=False)
    >>> table.index.tolist()
    ['No Prior', 'model']
    """
    if not models:
        raise GeoBiasError("compare needs at least one model")
    check_scalar(flag_ratio, "flag_ratio", numbers.Real, min_val=0, include_boundaries="neither", finite=True,
                 error=GeoBiasError)
    frames = {name: _as_frame(d) for name, d in models.items()}
    donor = next((n for n, f in frames.items() if _has_coords(f)), None)
    if donor is None:
        raise GeoBiasError("none of the models has coordinates (lon/lat columns or geometry)")
    audits = {}
    for name, f in frames.items():
        if not _has_coords(f):
            src = frames[donor]
            if len(src) != len(f):
                raise GeoBiasError(
                    f"model {name!r} has no coordinates and {len(f)} rows, but {donor!r} "
                    f"(whose coordinates it would borrow) has {len(src)} rows; the models "
                    "must be evaluated on the same samples"
                )
            if hasattr(src, "geometry"):
                src = to_lonlat_frame(src)
            lon_c, lat_c = find_lonlat(src.columns)
            f = f.assign(lon=src[lon_c].to_numpy(), lat=src[lat_c].to_numpy())
        audits[name] = audit(f, value=value, radius_km=radius_km, k=k, preset=preset, **kwargs)
    rows = {n: a.summary() for n, a in audits.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")[["mean_value", "base", "relative"]]
    table = table.rename(columns={"mean_value": value})
    base_name = baseline if baseline is not None else find_baseline(table.index)
    if base_name is not None and base_name not in table.index:
        raise GeoBiasError(f"baseline={base_name!r} is not one of the models {list(table.index)}")
    for col in ("base", "relative"):
        if base_name is None:
            table[f"{col}_flag"] = False
        else:
            ref = table.loc[base_name, col]
            table[f"{col}_flag"] = (table[col] > flag_ratio * ref) & (table.index != base_name)
    table.attrs["baseline"] = base_name
    table.attrs["flag_ratio"] = flag_ratio
    return table, audits


def compare(models: Mapping[str, Any], **kwargs: Any) -> pd.DataFrame:
    """The table of :func:`compare_frame` alone (its parameters; the audits are dropped).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"lon": rng.uniform(0, 1, 40), "lat": rng.uniform(0, 1, 40),
    ...                    "hit@1": rng.integers(0, 2, 40)})
    >>> compare({"a": df, "b": df}, progress=False).shape
    (2, 5)
    """
    return compare_frame(models, **kwargs)[0]


def format_table(table: pd.DataFrame, digits: int = 2) -> str:
    """Render a :func:`compare` table as text, flags shown as a dagger.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`compare`.
    digits : int, default 2
        Decimals.

    Returns
    -------
    str
        A printable table.

    Examples
    --------
    >>> t = pd.DataFrame({"hit@1": [0.5], "base": [1.0], "relative": [2.0],
    ...                   "base_flag": [True], "relative_flag": [False]}, index=["m"])
    >>> "1.00†" in format_table(t)
    True
    """
    out = pd.DataFrame(index=table.index)
    value_col = table.columns[0]
    out[value_col] = table[value_col].map(lambda v: f"{v:.{digits + 2}f}")
    for col in ("base", "relative"):
        out[col] = [
            ("nan" if not np.isfinite(v) else f"{v:.{digits}f}") + ("†" if fl else "")
            for v, fl in zip(table[col], table[f"{col}_flag"])
        ]
    note = ""
    if table.attrs.get("baseline") is not None:
        ratio = table.attrs.get("flag_ratio", 1.3)
        note = f"\n† more than {100 * (ratio - 1):.0f} % above {table.attrs['baseline']!r}"
    return out.to_string() + note
