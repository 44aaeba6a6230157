"""Frames in, features out: the validated path GeoDataFrame → lon/lat points → encoder → embeddings.

Validation happens once, here, at the public boundary (CRS, missing/empty geometries, NaN,
latitudes beyond ±90°); the geometry maths and the encoders trust what they are given.
"""

from __future__ import annotations

import copy
import numbers
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Literal, Protocol, runtime_checkable

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
import torch
from geocommon.checks import check_scalar
from geocommon.columns import LAT_ALIASES, LON_ALIASES, find_column
from geocommon.rows import format_labels
from torch import nn
from tqdm import tqdm

from ..errors import GeoEncodeError, GeoEncodeWarning
from ..registry import position_encoder
from .antimeridian import Antimeridian, _wrap
from .sampling import sample_points
from .spherical import geodesic_centroid, representative_points
from .crs import WGS84, _resolve_crs, is_wgs84, to_wgs84, transform_lonlat

__all__ = ["encode", "to_lonlat", "resolve_encoder", "EncoderLike", "EmbeddingModel"]

How = Literal["centroid", "representative", "aggregate"]
Errors = Literal["raise", "coerce"]
ReturnType = Literal["pandas", "numpy", "torch"]


@runtime_checkable
class EmbeddingModel(Protocol):
    """What the GIS layer asks of a model: every model family (position encoders, location
    encoders, priors, pretrained encoders) provides it, so the GIS layer never switches on types.

    Attributes
    ----------
    out_dim : int
        Length of the embedding.
    input_dtype : torch.dtype
        The dtype the model wants lon/lat in (geoencode's own: float64, float32 on ``mps``).

    Examples
    --------
    >>> import geoencode
    >>> isinstance(geoencode.build("xyz", out_dim=4), EmbeddingModel)
    True
    """

    out_dim: int
    input_dtype: torch.dtype

    def embed(self, lonlat: torch.Tensor) -> torch.Tensor:
        """Lon/lat degrees ``(..., 2)``, longitude first → embeddings ``(..., out_dim)``."""
        ...


EncoderLike = str | EmbeddingModel | nn.Module | Callable[[torch.Tensor], torch.Tensor]

_HOWS = ("centroid", "representative", "aggregate")
_PROGRESS_MIN_ROWS = 100_000
_FLOATS = {torch.float16, torch.bfloat16, torch.float32, torch.float64}


# --------------------------------------------------------------------------------------------
# input → validated lon/lat


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


def _check_args(how, errors, return_type, n_samples, batch_size, pool) -> None:
    if how not in _HOWS:
        raise GeoEncodeError(f"how must be one of {list(_HOWS)}, got {how!r}.")
    if errors not in ("raise", "coerce"):
        raise GeoEncodeError(f"errors must be 'raise' or 'coerce', got {errors!r}.")
    if return_type not in ("pandas", "numpy", "torch"):
        raise GeoEncodeError(f"return_type must be 'pandas', 'numpy' or 'torch', got {return_type!r}.")
    check_scalar(n_samples, "n_samples", numbers.Integral, min_val=1, error=GeoEncodeError)
    check_scalar(batch_size, "batch_size", numbers.Integral, min_val=1, error=GeoEncodeError)
    if pool not in ("mean", "max"):
        raise GeoEncodeError(f"pool must be 'mean' or 'max', got {pool!r}.")


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


# --------------------------------------------------------------------------------------------
# the encoder


def _module_device(m: Any) -> torch.device:
    if isinstance(m, nn.Module):
        for t in m.parameters():
            return t.device
        for t in m.buffers():
            return t.device
    return torch.device("cpu")


def _module_dtype(m: Any) -> torch.dtype:
    if isinstance(m, nn.Module):
        for t in m.parameters():
            if t.is_floating_point():
                return t.dtype
    return torch.float32


def _model_attr(model: Any, name: str, kind: type | tuple[type, ...]) -> Any:
    """``model.<name>`` if it is a ``kind``, else the wrapped ``model.encoder``'s, else None.

    The second look covers wrappers that hold a location encoder as ``encoder`` but do not
    (yet) state the protocol attributes themselves (``geoencode.models.LocationPrior``).
    """
    for m in (model, getattr(model, "encoder", None)):
        value = getattr(m, name, None)
        if isinstance(value, kind) and not isinstance(value, bool):
            return value
    return None


def resolve_encoder(encoder: EncoderLike, params: dict[str, Any] | None = None,
                    device: torch.device | str | None = None):
    """Turn ``encoder`` into ``(fn, module, out_dim, default_prefix, input_dtype)``.

    ``encoder`` is a registry name (with ``params`` for :func:`geoencode.position_encoder`), a
    model with the :class:`EmbeddingModel` protocol (``embed``, ``out_dim``, ``input_dtype``:
    geoencode's position and location encoders, :class:`~geoencode.models.LocationPrior` …),
    or any :class:`torch.nn.Module` or callable mapping ``(N, 2)`` lon/lat degrees to ``(N, d)``
    (called, and fed the dtype of its parameters). A module on another device than ``device`` is
    copied there; the caller's module is never moved.

    Examples
    --------
    >>> fn, module, d, prefix, dtype = resolve_encoder("sphereC", {"frequency_num": 4})
    >>> d, prefix, dtype
    (12, 'sphereC', torch.float64)
    """
    params = dict(params or {})
    if isinstance(encoder, str):
        module = position_encoder(encoder, **params)
        prefix = encoder
    else:
        if params:
            raise GeoEncodeError(
                f"encoder parameters {sorted(params)} only apply when the encoder is given by name "
                "(e.g. encode('sphereC', frequency_num=32)); a model already has its own."
            )
        if not callable(encoder) and not callable(getattr(encoder, "embed", None)):
            raise GeoEncodeError(
                f"encoder must be a name from geoencode.list_encoders(), a model with an embed method, "
                f"a torch.nn.Module or a callable, got {type(encoder).__name__}."
            )
        module = encoder
        prefix = _model_attr(encoder, "name", str) or type(encoder).__name__
    if device is not None and isinstance(module, nn.Module):
        device = torch.device(device)
        if _module_device(module) != device:
            module = module.to(device) if isinstance(encoder, str) else copy.deepcopy(module).to(device)
    embed = getattr(module, "embed", None)
    fn = embed if callable(embed) else module
    # Read after the move: the preferred input dtype can depend on the device (mps).
    in_dtype = _model_attr(module, "input_dtype", torch.dtype) or _module_dtype(module)
    out_dim = _model_attr(module, "out_dim", (int, np.integer))
    return fn, module, None if out_dim is None else int(out_dim), prefix, in_dtype


def _as_torch_dtype(dtype: Any) -> torch.dtype:
    if isinstance(dtype, torch.dtype):
        t = dtype
    else:
        try:
            t = getattr(torch, np.dtype(dtype).name)
        except (TypeError, AttributeError):
            t = None
    if t not in _FLOATS:
        raise GeoEncodeError(f"dtype must be a floating type (e.g. torch.float32, 'float64'), got {dtype!r}.")
    return t


def _run(fn, module, pts: np.ndarray, *, in_dtype, out_dim, dtype, batch_size, pool, progress, prefix):
    """Encode ``pts`` ((n, 2) or (n, S, 2)) in batches; returns a CPU-or-device tensor (n, d)."""
    dev = _module_device(module)
    n = pts.shape[0]
    per_row = pts.shape[1] if pts.ndim == 3 else 1
    rows = max(1, batch_size // per_row)
    show = (n * per_row >= _PROGRESS_MIN_ROWS) if progress is None else bool(progress)
    out = None
    was_training = module.training if isinstance(module, nn.Module) else None
    if isinstance(module, nn.Module):
        module.eval()
    try:
        with torch.inference_mode(), tqdm(total=n, disable=not show, unit="row", desc=f"encoding ({prefix})",
                                           leave=False) as bar:
            for start in range(0, n, rows):
                chunk = pts[start:start + rows]
                x = torch.as_tensor(chunk.reshape(-1, 2), dtype=in_dtype, device=dev)
                y = fn(x)
                if not isinstance(y, torch.Tensor) or y.ndim != 2 or y.shape[0] != x.shape[0]:
                    raise GeoEncodeError(
                        f"the encoder must map (N, 2) lon/lat to an (N, d) tensor; for input {tuple(x.shape)} "
                        f"it returned {getattr(y, 'shape', type(y).__name__)}."
                    )
                if per_row > 1 or pts.ndim == 3:
                    y = y.reshape(len(chunk), per_row, -1)
                    y = y.mean(dim=1) if pool == "mean" else y.amax(dim=1)
                if out is None:
                    out = torch.empty((n, y.shape[-1]), dtype=dtype, device=dev)
                out[start:start + len(chunk)] = y.to(dtype)
                bar.update(len(chunk))
    finally:
        if was_training:
            module.train(True)
    if out is None:
        d = out_dim if out_dim is not None else _probe_dim(fn, in_dtype, dev)
        out = torch.empty((0, d), dtype=dtype, device=dev)
    return out


def _probe_dim(fn, in_dtype, dev) -> int:
    with torch.inference_mode():
        return int(fn(torch.zeros((1, 2), dtype=in_dtype, device=dev)).shape[-1])


def encode(
    data: gpd.GeoSeries | gpd.GeoDataFrame | pd.DataFrame,
    encoder: EncoderLike,
    *,
    how: How = "centroid",
    n_samples: int = 16,
    pool: Literal["mean", "max"] = "mean",
    random_state: int | None = 0,
    return_type: ReturnType = "pandas",
    prefix: str | None = None,
    device: torch.device | str | None = None,
    batch_size: int = 65_536,
    dtype: Any = torch.float32,
    errors: Errors = "raise",
    assume_crs: Any = None,
    lon: str | None = None,
    lat: str | None = None,
    progress: bool | None = None,
    antimeridian: Antimeridian = "auto",
    **params: Any,
) -> pd.DataFrame | np.ndarray | torch.Tensor:
    """Encode every row of a GeoSeries / GeoDataFrame / lon-lat DataFrame; also ``obj.geo.encode``.

    Geometries in any CRS are transformed to EPSG:4326 (``always_xy``), reduced to points
    (``how``), longitudes beyond ±180° wrapped, and passed to the encoder in batches under
    :func:`torch.inference_mode` with the module in eval mode (restored afterwards).

    Parameters
    ----------
    data : GeoSeries, GeoDataFrame or DataFrame
        Geometries (any CRS; naive ones need ``assume_crs``) or a DataFrame with lon/lat columns
        (taken as EPSG:4326 unless ``assume_crs`` says otherwise).
    encoder : str, torch.nn.Module or callable
        A name from :func:`geoencode.list_encoders` (position-encoding features; ``**params``
        override its defaults), or a model: a :class:`~geoencode.LocationEncoder` (e.g. from
        :func:`geoencode.build` or :func:`geoencode.load`), a
        :class:`~geoencode.models.LocationPrior` (its embeddings), or any module mapping
        ``(N, 2)`` lon/lat degrees to ``(N, d)``.
    how : {"centroid", "representative", "aggregate"}, default "centroid"
        For lines and polygons: the geodesic centroid; a point guaranteed inside; or the pooled
        encoding of ``n_samples`` points sampled uniformly by area (lines: by length). Points are
        encoded as they are whatever ``how`` says.
    n_samples : int, default 16
        Samples per geometry for ``how="aggregate"``.
    pool : {"mean", "max"}, default "mean"
        How the samples' encodings are pooled.
    random_state : int or None, default 0
        Seed for ``how="aggregate"``. A row's samples depend only on the seed and its index
        label, so chunked, batched and Dask runs agree with the whole-frame one.
    return_type : {"pandas", "numpy", "torch"}, default "pandas"
        A DataFrame with index ``data.index`` and columns ``<prefix>_0 … <prefix>_{d-1}``, an
        ``(N, d)`` array, or an ``(N, d)`` tensor on the encoder's device.
    prefix : str, optional
        Column prefix; default the encoder name as given (``"sphereC"``) or the model's name.
    device : torch.device or str, optional
        Where to run; a model elsewhere is copied there (the original is not moved).
    batch_size : int, default 65536
        Points per forward pass (with ``how="aggregate"``: rows × samples).
    dtype : torch/numpy dtype or str, default torch.float32
        Output dtype. Coordinates go to geoencode encoders in float64.
    errors : {"raise", "coerce"}, default "raise"
        Missing/empty geometries, NaN coordinates and latitudes beyond ±90° raise a
        :class:`~geoencode.GeoEncodeError` naming the index labels, or (``"coerce"``) give NaN
        rows and a :class:`~geoencode.GeoEncodeWarning`.
    assume_crs : CRS-like, optional
        CRS for data that has none.
    lon, lat : str, optional
        Longitude/latitude column names of a DataFrame (default: detected).
    progress : bool, optional
        tqdm progress bar; default on from 100,000 points.
    antimeridian : {"auto", "planar"}, default "auto"
        How rings and lines crossing ±180° are read (see :mod:`geoencode.gis.geometry`).
    **params
        Hyper-parameters of a named encoder (``frequency_num``, ``min_radius`` …).

    Returns
    -------
    pandas.DataFrame, numpy.ndarray or torch.Tensor

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> gdf = gpd.GeoDataFrame({"name": ["Paris"]}, geometry=[shapely.Point(452000, 5411000)], crs=32631)
    >>> feats = encode(gdf, "sphereC", frequency_num=4)
    >>> feats.shape, list(feats.columns[:2])
    ((1, 12), ['sphereC_0', 'sphereC_1'])
    """
    _check_args(how, errors, return_type, n_samples, batch_size, pool)
    out_dtype = _as_torch_dtype(dtype)
    if return_type != "torch" and out_dtype == torch.bfloat16:
        raise GeoEncodeError("dtype=bfloat16 is only available with return_type='torch'.")
    fn, module, out_dim, default_prefix, in_dtype = resolve_encoder(encoder, params, device)
    prefix = default_prefix if prefix is None else str(prefix)
    p = _prepare(data, how=how, n_samples=int(n_samples), random_state=random_state, assume_crs=assume_crs,
                 lon=lon, lat=lat, errors=errors, antimeridian=antimeridian)
    y = _run(fn, module, p.points, in_dtype=in_dtype, out_dim=out_dim, dtype=out_dtype,
             batch_size=int(batch_size), pool=pool, progress=progress, prefix=prefix)
    if p.good.all():
        full = y
    else:
        full = torch.full((len(p.index), y.shape[1]), float("nan"), dtype=out_dtype, device=y.device)
        full[torch.as_tensor(p.good, device=y.device)] = y
    if return_type == "torch":
        return full
    arr = full.cpu().numpy()
    if return_type == "numpy":
        return arr
    return pd.DataFrame(arr, index=p.index.copy(), columns=[f"{prefix}_{i}" for i in range(arr.shape[1])], copy=False)
