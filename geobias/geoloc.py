"""Image-geolocalization audits at the standard scale levels.

A geolocalization model is judged by its distance error; at each scale level
(street 1 km, city 25, region 200, country 750, continent 2500) an error below
the level is a success (``+1``), otherwise a failure (``-1``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import pandas as pd

from .audit import audit
from .marks import SCALES, resolve_threshold

__all__ = ["audit_geolocalization"]


def audit_geolocalization(
    data: gpd.GeoDataFrame | pd.DataFrame | str | os.PathLike,
    value: str = "haversine_distance_km",
    scales: Iterable[str | float] = tuple(SCALES),
    radius_km: float = 100.0,
    k: int = 4,
    preset: str | None = "geobs",
    **kwargs: Any,
) -> pd.DataFrame:
    """Geo-Bias Scores of distance errors thresholded at several scale levels.

    Parameters
    ----------
    data : GeoDataFrame, DataFrame, str or os.PathLike
        Per-sample results with a distance-error column.
    value : str, default "haversine_distance_km"
        Distance error in km (lower is better).
    scales : iterable of str or float, default all of :data:`geobias.SCALES`
        Scale names or thresholds in km.
    radius_km : float, default 100
        Neighbourhood radius.
    k : int, default 4
        Nearest neighbours of the weights.
    preset : str, default "geobs"
        Preset of every audit.
    **kwargs
        Further :func:`geobias.audit` options.

    Returns
    -------
    pandas.DataFrame
        One row per scale: ``threshold_km``, ``accuracy`` (share of errors
        below it), ``base``, ``relative``; the audits are in
        ``.attrs["audits"]``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"lon": rng.uniform(0, 1, 40), "lat": rng.uniform(0, 1, 40),
    ...                    "haversine_distance_km": rng.exponential(100, 40)})
    >>> audit_geolocalization(df, scales=["city"], progress=False).index.tolist()
    ['city']
    """
    rows, audits = {}, {}
    for s in scales:
        t = resolve_threshold(s)
        name = s if isinstance(s, str) else f"{t:g} km"
        a = audit(data, value=value, radius_km=radius_km, k=k, preset=preset,
                  threshold=t, lower_is_better=True, **kwargs)
        vals = a._frame["_value"]
        rows[name] = dict(threshold_km=t, accuracy=float((vals < t).mean()),
                          base=a.base, relative=a.relative, n_centres=a.n_centres)
        audits[name] = a
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.attrs["audits"] = audits
    return out
