"""Frames in, features out: the validated path GeoDataFrame → lon/lat points → encoder → embeddings.

Validation happens once, here, at the public boundary (CRS, missing/empty geometries, NaN,
latitudes beyond ±90°); the geometry maths and the encoders trust what they are given.
"""

from __future__ import annotations

import numbers
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import torch
from geocommon.checks import check_scalar

from ..errors import GeoEncodeError
from .antimeridian import Antimeridian
from .embedding import EmbeddingModel, EncoderLike, _as_torch_dtype, _run, resolve_encoder
from .points import Errors, How, _prepare, to_lonlat
from .points import _find_column as _find_column  # re-exported: geoencode.gis.files imports it from here

__all__ = ["encode", "to_lonlat", "resolve_encoder", "EncoderLike", "EmbeddingModel"]

ReturnType = Literal["pandas", "numpy", "torch"]

_HOWS = ("centroid", "representative", "aggregate")


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
