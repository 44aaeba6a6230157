"""Reading per-sample results: TorchSpatial CSVs, DataFrames, GeoDataFrames.

Everything is brought to one shape: a :class:`pandas.DataFrame` indexed by the
input's row labels (for a CSV, the row number) with ``lon``/``lat`` columns in
degrees (WGS84) next to the performance columns.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geocommon.columns import LAT_ALIASES, LON_ALIASES, find_column
from geocommon.crs import to_wgs84

from .errors import GeoBiasError

__all__ = ["read_results", "to_lonlat_frame", "as_wgs84"]

_CSV_FIX = ("every line must have as many comma-separated fields as the header; quote fields that "
            "contain commas, or remove the stray line")


def as_wgs84(data: gpd.GeoDataFrame | gpd.GeoSeries, what: str = "the GeoDataFrame") -> gpd.GeoDataFrame | gpd.GeoSeries:
    """``data`` in EPSG:4326 lon/lat (:func:`geocommon.crs.to_wgs84`, geobias's error).

    Examples
    --------
    >>> s = gpd.GeoSeries(gpd.points_from_xy([261845.7], [6250566.7]), crs=3857)
    >>> p = as_wgs84(s).iloc[0]
    >>> round(p.x, 4), round(p.y, 4)
    (2.3522, 48.8566)
    """
    return to_wgs84(data, what=what, error=GeoBiasError, warn_z=False)


def _read_csv(path) -> pd.DataFrame:
    name = f"results file {str(path)!r}" if isinstance(path, (str, os.PathLike)) else "the results"
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise GeoBiasError(f"{name} is empty; it needs a header line and one line per sample") from None
    except pd.errors.ParserError as exc:
        # pandas says "Expected 3 fields in line 7, saw 5" or "EOF inside string starting at row 4"
        detail = str(exc).strip().split("C error: ")[-1]
        where = re.search(r"(?:line|row) (\d+)", detail)
        at = f" at line {where[1]}" if where else ""
        raise GeoBiasError(f"{name} is not a valid CSV{at} ({detail}); {_CSV_FIX}") from None
    except UnicodeDecodeError as exc:
        raise GeoBiasError(f"{name} is not UTF-8 text (byte {exc.start}); save it as a UTF-8 CSV") from None


def read_results(path: str | os.PathLike) -> pd.DataFrame:
    """Read a per-sample evaluation CSV (TorchSpatial format or plain).

    TorchSpatial's CSVs start with an unnamed index column that equals the
    row number; it is dropped and the frame is indexed by row number.

    Parameters
    ----------
    path : str or os.PathLike
        CSV file.

    Returns
    -------
    pandas.DataFrame
        Indexed ``0..N-1`` (row numbers).

    Examples
    --------
    >>> import io as _io
    >>> read_results(_io.StringIO(",lon,lat,hit@1\\n0,1.0,2.0,1\\n")).columns.tolist()
    ['lon', 'lat', 'hit@1']
    """
    if isinstance(path, (str, os.PathLike)) and not Path(path).exists():
        raise GeoBiasError(f"results file {str(path)!r} does not exist")
    df = _read_csv(path)
    first = df.columns[0] if len(df.columns) else None
    if first is not None and (first == "" or str(first).startswith("Unnamed: 0")):
        df = df.drop(columns=[first])
    df.index = pd.RangeIndex(len(df))
    return df


def _pick(columns, explicit: str | None, aliases, what: str) -> str | None:
    if explicit is not None:
        if explicit not in columns:
            raise GeoBiasError(
                f"{what} column {explicit!r} not found; available columns: {list(columns)}"
            )
        return explicit
    return find_column(columns, aliases)


def to_lonlat_frame(data, lon: str | None = None, lat: str | None = None) -> pd.DataFrame:
    """Normalise input data to a DataFrame with ``lon``/``lat`` in degrees.

    Parameters
    ----------
    data : str, os.PathLike, pandas.DataFrame or geopandas.GeoDataFrame
        A CSV path, a frame with longitude/latitude columns, or a
        GeoDataFrame of points (any CRS; transformed to EPSG:4326).
    lon, lat : str, optional
        Coordinate column names (default: ``lon``/``lat`` or a usual alias).

    Returns
    -------
    pandas.DataFrame
        A copy with ``lon`` and ``lat`` columns, same index as the input.

    Examples
    --------
    >>> df = pd.DataFrame({"longitude": [10.0], "latitude": [50.0], "hit@1": [1]})
    >>> to_lonlat_frame(df)[["lon", "lat"]].values.tolist()
    [[10.0, 50.0]]
    """
    if isinstance(data, (str, os.PathLike)):
        data = read_results(data)
    if isinstance(data, gpd.GeoDataFrame):
        geom = as_wgs84(data.geometry)
        kinds = set(geom.dropna().geom_type.unique())
        if kinds - {"Point"}:
            raise GeoBiasError(
                f"geometries must be points, found {sorted(kinds)}; use e.g. "
                "`gdf.set_geometry(gdf.representative_point())` first"
            )
        out = pd.DataFrame(data.drop(columns=data.geometry.name))
        empty = geom.isna() | geom.is_empty
        out["lon"] = np.where(empty, np.nan, geom.x.where(~empty))
        out["lat"] = np.where(empty, np.nan, geom.y.where(~empty))
        return out
    if not isinstance(data, pd.DataFrame):
        raise GeoBiasError(
            f"data must be a GeoDataFrame, a DataFrame or a CSV path, not {type(data).__name__}"
        )
    lon_c = _pick(data.columns, lon, LON_ALIASES, "longitude")
    lat_c = _pick(data.columns, lat, LAT_ALIASES, "latitude")
    missing = [w for w, c in (("longitude", lon_c), ("latitude", lat_c)) if c is None]
    if missing:
        raise GeoBiasError(
            f"no {' and no '.join(missing)} column; available columns: {list(data.columns)}; "
            "pass lon=/lat= to name them (location-unaware results without coordinates "
            "can be audited with geobias.compare, which borrows the coordinates of another model)"
        )
    out = data.copy()
    lon_vals = pd.to_numeric(out[lon_c], errors="coerce")
    lat_vals = pd.to_numeric(out[lat_c], errors="coerce")
    out["lon"], out["lat"] = lon_vals.astype(float), lat_vals.astype(float)
    return out
