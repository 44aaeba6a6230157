"""Frames in, lon/lat points out: the validated path GeoDataFrame / lon-lat DataFrame → points.

Validation happens once, here, at the public boundary (CRS, missing/empty geometries, NaN,
latitudes beyond ±90°); the geometry maths and the encoders trust what they are given.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from geocommon.columns import LAT_ALIASES, LON_ALIASES, find_column
from geocommon.rows import format_labels

from ..errors import GeoEncodeError, GeoEncodeWarning
from .antimeridian import Antimeridian, _wrap
from .crs import WGS84, _resolve_crs, is_wgs84, to_wgs84, transform_lonlat
from .sampling import sample_points
from .spherical import geodesic_centroid, representative_points

__all__ = ["to_lonlat"]

How = Literal["centroid", "representative", "aggregate"]
Errors = Literal["raise", "coerce"]


@dataclass
class _Points:
    index: pd.Index
    good: np.ndarray  # bool (N,)
    points: np.ndarray  # (n_good, 2) or (n_good, S, 2) lon/lat degrees, lon in [-180, 180]


def _report(index: pd.Index, problems: dict[str, np.ndarray], errors: Errors, stacklevel: int) -> np.ndarray:
    """Combine the problem masks; raise (errors='raise') or warn (errors='coerce')."""
    bad = np.zeros(len(index), bool)
    lines = []
    for reason, mask in problems.items():
        mask = mask & ~bad  # each row reported once, under its first problem
        if mask.any():
            lines.append(f"  - {reason}: index labels {format_labels(index[mask], limit=5)}")
            bad |= mask
    if not bad.any():
        return bad
    n = int(bad.sum())
    head = f"{n} of {len(index)} row{'s' * (len(index) != 1)} cannot be encoded:\n" + "\n".join(lines)
    if errors == "raise":
        raise GeoEncodeError(
            head + "\nDrop or fix those rows (e.g. `gdf = gdf[~gdf.geometry.isna() & ~gdf.geometry.is_empty]`), "
            "or pass errors='coerce' to get NaN rows for them."
        )
    warnings.warn(head + "\nTheir output rows are NaN (errors='coerce').", GeoEncodeWarning, stacklevel=stacklevel)
    return bad


def _find_column(df: pd.DataFrame, given: str | None, names: tuple[str, ...], what: str) -> str:
    if given is not None:
        if given not in df.columns:
            raise GeoEncodeError(f"{what}={given!r} is not a column; columns are {list(df.columns)[:20]}.")
        return given
    found = find_column(df.columns, names)
    if found is not None:
        return found
    raise GeoEncodeError(
        f"cannot tell which column holds the {what}itude; pass {what}='<column>' "
        f"(looked for {list(names)} among {list(df.columns)[:20]})."
    )


def _columns_lonlat(df: pd.DataFrame, lon: str | None, lat: str | None, assume_crs: Any):
    lon_col = _find_column(df, lon, LON_ALIASES, "lon")
    lat_col = _find_column(df, lat, LAT_ALIASES, "lat")
    x = pd.to_numeric(df[lon_col], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    y = pd.to_numeric(df[lat_col], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    crs = WGS84 if assume_crs is None else _resolve_crs(None, assume_crs, "")
    problems = {f"missing or non-numeric {lon_col!r}/{lat_col!r}": ~(np.isfinite(x) & np.isfinite(y))}
    if not is_wgs84(crs):
        x, y = transform_lonlat(x, y, crs)
        problems[f"not transformable from {crs.to_string()} to EPSG:4326"] = ~problems[next(iter(problems))] & ~(
            np.isfinite(x) & np.isfinite(y))
    with np.errstate(invalid="ignore"):
        problems["latitude beyond ±90° (lon/lat swapped, or not degrees? pass assume_crs=)"] = np.abs(y) > 90
    return np.column_stack([x, y]), problems


def _geometry_problems(geo: gpd.GeoSeries, crs_name: str) -> dict[str, np.ndarray]:
    values = np.asarray(geo.values)
    missing = shapely.is_missing(values)
    empty = ~missing & shapely.is_empty(values)
    ok = ~missing & ~empty
    nonfinite = np.zeros(len(values), bool)
    beyond = np.zeros(len(values), bool)
    if ok.any():
        coords, owner = shapely.get_coordinates(values[ok], return_index=True)
        rows = np.flatnonzero(ok)
        fin = np.isfinite(coords).all(axis=1)
        nonfinite[rows[np.unique(owner[~fin])]] = True
        with np.errstate(invalid="ignore"):
            out = fin & (np.abs(coords[:, 1]) > 90)
        beyond[rows[np.unique(owner[out])]] = True
    transformed = "" if crs_name == "EPSG:4326" else f", or outside the area {crs_name} can be transformed from"
    return {
        "missing geometry (None/NaN)": missing,
        "empty geometry": empty,
        f"NaN or infinite coordinates{transformed}": nonfinite,
        "latitude beyond ±90° (is the CRS right? set it with set_crs)": beyond,
    }


def _prepare(data, *, how: How, n_samples: int, random_state, assume_crs, lon, lat, errors: Errors,
             antimeridian, stacklevel: int = 5) -> _Points:
    if isinstance(data, gpd.GeoSeries):
        geo, index = data, data.index
    elif isinstance(data, pd.DataFrame) and (lon is not None or lat is not None or not isinstance(data, gpd.GeoDataFrame)
                                              or data._geometry_column_name not in data.columns):
        index = data.index
        lonlat, problems = _columns_lonlat(data, lon, lat, assume_crs)
        bad = _report(index, problems, errors, stacklevel)
        pts = lonlat[~bad].copy()  # points: every sample is the point itself, so no repeats
        pts[..., 0] = _wrap(pts[..., 0])
        return _Points(index, ~bad, pts)
    elif isinstance(data, gpd.GeoDataFrame):
        geo, index = data.geometry, data.index
    else:
        raise GeoEncodeError(
            f"expected a GeoSeries, GeoDataFrame or DataFrame with lon/lat columns, got {type(data).__name__}."
        )
    geo = to_wgs84(geo, assume_crs=assume_crs)
    crs_name = "EPSG:4326" if data_crs_is_wgs84(data, assume_crs) else _crs_name(data, assume_crs)
    bad = _report(index, _geometry_problems(geo, crs_name), errors, stacklevel)
    values = np.asarray(geo.values)[~bad]
    type_ids = shapely.get_type_id(values)
    if (type_ids == 0).all():  # points: the fast path
        pts = np.column_stack([shapely.get_x(values), shapely.get_y(values)])  # aggregate: no repeats needed
    else:
        labels = index[~bad]
        if how == "centroid":
            pts = geodesic_centroid(values, antimeridian=antimeridian, labels=labels)
        elif how == "representative":
            pts = representative_points(values, antimeridian=antimeridian)
        else:
            keys = pd.util.hash_pandas_object(labels, index=False).to_numpy(dtype=np.uint64)
            pts = sample_points(values, n_samples, random_state=random_state, keys=keys,
                                      antimeridian=antimeridian, labels=labels)
    pts = np.array(pts, dtype=np.float64)
    pts[..., 0] = _wrap(pts[..., 0])
    return _Points(index, ~bad, pts)


def data_crs_is_wgs84(data, assume_crs) -> bool:
    crs = getattr(data, "crs", None) or assume_crs
    try:
        return crs is not None and is_wgs84(crs)
    except Exception:  # pragma: no cover - an unparsable CRS fails earlier
        return False


def _crs_name(data, assume_crs) -> str:
    crs = getattr(data, "crs", None) or assume_crs
    try:
        c = pyproj.CRS.from_user_input(crs)
        auth = c.to_authority()
        return f"{auth[0]}:{auth[1]}" if auth else c.name
    except Exception:  # pragma: no cover
        return str(crs)



def to_lonlat(
    data: gpd.GeoSeries | gpd.GeoDataFrame | pd.DataFrame,
    *,
    how: Literal["centroid", "representative"] = "centroid",
    assume_crs: Any = None,
    lon: str | None = None,
    lat: str | None = None,
    errors: Errors = "raise",
    antimeridian: Antimeridian = "auto",
) -> pd.DataFrame:
    """The lon/lat point each row is encoded at, aligned with ``data.index``.

    Parameters
    ----------
    data : GeoSeries, GeoDataFrame or DataFrame
        Geometries in any CRS, or a DataFrame with longitude/latitude columns.
    how : {"centroid", "representative"}, default "centroid"
        Geodesic centroid, or a point guaranteed inside (see :mod:`geoencode.gis.geometry`).
    assume_crs : CRS-like, optional
        The CRS of data that has none (for a plain DataFrame: default EPSG:4326).
    lon, lat : str, optional
        Column names for a DataFrame (default: detected from ``lon``/``longitude``/``x`` …).
    errors : {"raise", "coerce"}, default "raise"
        Bad rows raise :class:`~geoencode.GeoEncodeError`, or become NaN with a warning.
    antimeridian : {"auto", "planar"}, default "auto"
        How rings and lines crossing ±180° are read.

    Returns
    -------
    pandas.DataFrame
        Columns ``lon``, ``lat`` (degrees, lon in [-180, 180]), index ``data.index``.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoSeries([shapely.box(-10, 40, 10, 60)], index=["box"], crs=4326)
    >>> to_lonlat(g).round(3)          # the planar centroid would say 50.0
         lon     lat
    box  0.0  49.448
    """
    if how not in ("centroid", "representative"):
        raise GeoEncodeError(f"how must be 'centroid' or 'representative' here, got {how!r}.")
    if errors not in ("raise", "coerce"):
        raise GeoEncodeError(f"errors must be 'raise' or 'coerce', got {errors!r}.")
    p = _prepare(data, how=how, n_samples=1, random_state=0, assume_crs=assume_crs, lon=lon, lat=lat,
                 errors=errors, antimeridian=antimeridian)
    out = np.full((len(p.index), 2), np.nan)
    out[p.good] = p.points
    return pd.DataFrame(out, index=p.index.copy(), columns=["lon", "lat"])
