"""The ``geo`` accessor on Dask (``dask_geopandas``) frames: per-partition encoding with a correct ``meta``.

``ddf.geo.encode("sphereC")`` returns a lazy :class:`dask.dataframe.DataFrame` whose partitions
are ``partition.geo.encode(...)``; the encoder is built once and shipped to the workers. Because
``how="aggregate"`` seeds each row by its index label, results equal the in-memory ones whatever
the partitioning.

Registration is automatic: importing :mod:`geoencode.gis` registers the accessor on
:class:`dask.dataframe.DataFrame` and ``dask_geopandas.GeoSeries`` as soon as ``dask.dataframe`` /
``dask_geopandas`` are imported (before or after geoencode), without importing Dask itself.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from typing import Any, Callable

import numpy as np
import pandas as pd
import torch

from ..errors import GeoEncodeError
from .accessor import register_accessor
from .embedding import EncoderLike, _as_torch_dtype, _probe_dim, resolve_encoder
from .encode import encode

__all__ = ["DaskGeoAccessor", "register_dask"]

_ENCODE_KWARGS = {
    "how", "n_samples", "pool", "random_state", "batch_size", "errors", "assume_crs", "lon", "lat",
    "antimeridian",
}


def _encode_partition(part, module, kwargs: dict[str, Any]) -> pd.DataFrame:
    return encode(part, module, progress=False, return_type="pandas", **kwargs)


class DaskGeoAccessor:
    """``ddf.geo`` for Dask DataFrames / dask_geopandas GeoDataFrames and GeoSeries.

    Examples
    --------
    >>> import geopandas as gpd, dask_geopandas, shapely, geoencode.gis
    >>> gdf = gpd.GeoDataFrame(geometry=gpd.points_from_xy(range(10), range(10)), crs=4326)
    >>> ddf = dask_geopandas.from_geopandas(gdf, npartitions=2)
    >>> ddf.geo.encode("sphereC", frequency_num=4).compute().shape
    (10, 12)
    """

    def __init__(self, obj) -> None:
        self._obj = obj

    def encode(self, encoder: EncoderLike, *, prefix: str | None = None, dtype: Any = torch.float32,
               device: torch.device | str | None = None, return_type: str = "pandas", **kwargs: Any):
        """Lazy per-partition :func:`geoencode.gis.encode`; returns a Dask DataFrame.

        Parameters are those of :func:`geoencode.gis.encode` (``return_type`` must be
        ``"pandas"``; progress bars are off inside partitions).

        Examples
        --------
        >>> import geopandas as gpd, dask_geopandas, geoencode, geoencode.gis
        >>> gdf = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0, 1], [0, 1]), crs=4326)
        >>> ddf = dask_geopandas.from_geopandas(gdf, npartitions=1)
        >>> list(ddf.geo.encode(geoencode.build("xyz", out_dim=2), prefix="e").columns)
        ['e_0', 'e_1']
        """
        if return_type != "pandas":
            raise GeoEncodeError(
                f"on Dask frames encode returns a Dask DataFrame; return_type={return_type!r} is not available "
                "(use .to_dask_array(lengths=True) on the result for an array)."
            )
        kwargs.pop("progress", None)
        enc_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _ENCODE_KWARGS}
        fn, module, out_dim, default_prefix, in_dtype = resolve_encoder(encoder, kwargs, device)
        if out_dim is None:
            out_dim = _probe_dim(fn, in_dtype, next((t.device for t in getattr(module, "parameters", lambda: [])()),
                                                    torch.device("cpu")))
        prefix = default_prefix if prefix is None else str(prefix)
        out_dtype = _as_torch_dtype(dtype)
        np_dtype = torch.empty(0, dtype=out_dtype).numpy().dtype
        meta_index = self._obj._meta.index
        meta = pd.DataFrame({f"{prefix}_{i}": np.array([], dtype=np_dtype) for i in range(out_dim)},
                            index=meta_index[:0])
        enc_kwargs.update(prefix=prefix, dtype=out_dtype)
        return self._obj.map_partitions(_encode_partition, module, enc_kwargs, meta=meta)


def register_dask() -> list[str]:
    """Register ``geo`` on the Dask classes that are importable now; returns their names.

    Examples
    --------
    >>> "DataFrame" in register_dask()
    True
    """
    done = []
    dd = sys.modules.get("dask.dataframe")
    if dd is None:
        try:
            import dask.dataframe as dd  # noqa: F811  (deferred: dask is an optional dependency)
        except ImportError:  # pragma: no cover - dask is optional
            return done
    if register_accessor(dd.DataFrame, DaskGeoAccessor):
        done.append("DataFrame")
    dgpd = sys.modules.get("dask_geopandas")
    if dgpd is not None and hasattr(dgpd, "GeoSeries") and register_accessor(dgpd.GeoSeries, DaskGeoAccessor):
        done.append("GeoSeries")
    return done


# --------------------------------------------------------------------------------------------
# register when dask is imported, without importing it ourselves


class _AfterImport(importlib.abc.MetaPathFinder):
    """Run ``callback`` right after module ``name`` has executed."""

    def __init__(self, name: str, callback: Callable[[], Any]) -> None:
        self.name, self.callback, self._busy = name, callback, False

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name or self._busy:
            return None
        self._busy = True
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._busy = False
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return None
        original, callback = loader.exec_module, self.callback

        def exec_module(module):
            original(module)
            try:
                callback()
            except Exception:  # pragma: no cover - never break the user's import
                pass

        loader.exec_module = exec_module
        return spec


def _install_hooks() -> None:
    for name in ("dask.dataframe", "dask_geopandas"):
        if name in sys.modules:
            register_dask()
        elif not any(isinstance(f, _AfterImport) and f.name == name for f in sys.meta_path):
            sys.meta_path.insert(0, _AfterImport(name, register_dask))
