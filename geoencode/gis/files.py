"""GIS files in, GIS files out, in chunks: what ``geoencode encode INPUT OUTPUT`` runs.

Reading: every vector format GDAL reads through pyogrio (GeoPackage with any number of layers,
Shapefile, GeoJSON, FlatGeobuf …) as Arrow record batches; GeoParquet with pyarrow row-group
batches; CSV with lon/lat columns with pandas. Each chunk is a GeoDataFrame whose index is the
row's position in the layer, so chunked results equal whole-frame ones (``how="aggregate"``
included). Writing: GeoPackage (layer by layer, appending chunks), GeoParquet (one row group per
chunk, GeoParquet 1.0 metadata) or CSV (geometry as WKT, or the original lon/lat columns), always
to a temporary file beside the output that is renamed when complete. Memory stays bounded by the
chunk size.
"""

from __future__ import annotations

import json
import numbers
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa  # a dependency of the package: pyogrio's Arrow batches and GeoParquet
import pyarrow.parquet as pq
import pyogrio
import pyproj
import shapely
import torch
from tqdm import tqdm

from geocommon.atomic import atomic_path, check_target
from geocommon.checks import check_scalar
from geocommon.columns import LAT_ALIASES, LON_ALIASES

from ..errors import GeoEncodeError, GeoEncodeWarning
from .encode import EncoderLike, _find_column, encode, resolve_encoder

__all__ = ["encode_file", "read_chunks", "read_table", "list_layers", "OUTPUT_FORMATS"]

_PARQUET = (".parquet", ".geoparquet", ".pq")
_CSV = (".csv", ".tsv")
#: Output formats by file suffix.
OUTPUT_FORMATS = {".gpkg": "GeoPackage", **{s: "GeoParquet" for s in _PARQUET}, ".csv": "CSV"}
_CSV_LONLAT = "geoencode_csv_lonlat"


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in _PARQUET:
        return "parquet"
    if suffix in _CSV:
        return "csv"
    return "gdal"


def list_layers(path: str | os.PathLike) -> list[tuple[str, str | None]]:
    """``(name, geometry type)`` of every layer in a vector file (one for Parquet/CSV).

    Examples
    --------
    >>> import geopandas as gpd, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.gpkg")
    >>> gpd.GeoDataFrame(geometry=gpd.points_from_xy([0], [0]), crs=4326).to_file(p, layer="pts")
    >>> list_layers(p)
    [('pts', 'Point')]
    """
    path = Path(path)
    kind = _kind(path)
    if kind == "parquet":
        return [(path.stem, "Unknown")]
    if kind == "csv":
        return [(path.stem, "Point")]
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:
        raise GeoEncodeError(f"cannot open {path} as a vector file: {exc}") from None
    return [(str(n), None if t is None else str(t)) for n, t in layers]


# --------------------------------------------------------------------------------------------
# reading


def _gdal_chunks(path: Path, layer: str | None, chunk_size: int) -> Iterator[gpd.GeoDataFrame]:
    offset = 0
    with pyogrio.open_arrow(path, layer=layer, batch_size=chunk_size, use_pyarrow=True) as (meta, reader):
        geom_name = meta.get("geometry_name") or "wkb_geometry"
        crs = meta.get("crs")
        for batch in reader:
            names = batch.schema.names
            df = batch.to_pandas()
            geoms = None
            if geom_name in names:
                geoms = shapely.from_wkb(df.pop(geom_name).to_numpy())
            df.index = pd.RangeIndex(offset, offset + len(df))
            offset += len(df)
            yield gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=df.index, crs=crs), crs=crs)


def _parquet_chunks(path: Path, chunk_size: int) -> Iterator[gpd.GeoDataFrame]:
    pf = pq.ParquetFile(path)
    md = pf.schema_arrow.metadata or {}
    if b"geo" not in md:
        raise GeoEncodeError(f"{path} has no GeoParquet 'geo' metadata; write it with GeoDataFrame.to_parquet().")
    geo = json.loads(md[b"geo"])
    primary = geo["primary_column"]
    colmeta = geo["columns"][primary]
    encoding = str(colmeta.get("encoding", "WKB")).lower()
    crs = pyproj.CRS.from_user_input(colmeta["crs"]) if colmeta.get("crs") is not None else (
        None if "crs" in colmeta else pyproj.CRS("OGC:CRS84"))
    offset = 0
    for batch in pf.iter_batches(batch_size=chunk_size):
        table = pa.Table.from_batches([batch]).replace_schema_metadata(None)
        col = table.column(primary)
        if encoding == "wkb":
            geoms = shapely.from_wkb(col.to_numpy(zero_copy_only=False))
        elif encoding == "point":
            chunked = col.combine_chunks()
            geoms = shapely.points(chunked.field("x").to_numpy(zero_copy_only=False),
                                   chunked.field("y").to_numpy(zero_copy_only=False))
        else:
            raise GeoEncodeError(f"GeoParquet geometry encoding {encoding!r} is not supported; re-write the file "
                                 "with WKB geometries (GeoDataFrame.to_parquet's default).")
        df = table.drop_columns([primary]).to_pandas()
        df.index = pd.RangeIndex(offset, offset + len(df))
        offset += len(df)
        yield gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=df.index, crs=crs).rename(primary), crs=crs)


def _csv_chunks(path: Path, chunk_size: int, lon: str | None, lat: str | None, assume_crs: Any) -> Iterator[gpd.GeoDataFrame]:
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    crs = pyproj.CRS.from_user_input(assume_crs) if assume_crs is not None else pyproj.CRS.from_epsg(4326)
    offset = 0
    with pd.read_csv(path, chunksize=chunk_size, sep=sep) as reader:
        for df in reader:
            lon_col = _find_column(df, lon, LON_ALIASES, "lon")
            lat_col = _find_column(df, lat, LAT_ALIASES, "lat")
            x = pd.to_numeric(df[lon_col], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            y = pd.to_numeric(df[lat_col], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            df.index = pd.RangeIndex(offset, offset + len(df))
            offset += len(df)
            gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(x, y), crs=crs)
            gdf.attrs[_CSV_LONLAT] = (lon_col, lat_col)
            yield gdf


def read_chunks(
    path: str | os.PathLike,
    *,
    layer: str | None = None,
    chunk_size: int = 100_000,
    lon: str | None = None,
    lat: str | None = None,
    assume_crs: Any = None,
) -> Iterator[gpd.GeoDataFrame]:
    """Read a vector file as GeoDataFrames of at most ``chunk_size`` rows (bounded memory).

    Parameters
    ----------
    path : str or path-like
        Anything pyogrio reads, a GeoParquet file (``.parquet``) or a CSV with lon/lat columns.
    layer : str, optional
        Layer of a multi-layer file (default: the first).
    chunk_size : int, default 100000
        Rows per chunk.
    lon, lat : str, optional
        CSV coordinate columns (default: detected, e.g. ``lon``/``lat``, ``longitude``/``latitude``).
    assume_crs : CRS-like, optional
        CRS of a CSV's coordinates (default EPSG:4326).

    Yields
    ------
    geopandas.GeoDataFrame
        With the file's attributes and CRS; the index is the row position in the layer.

    Examples
    --------
    >>> import geopandas as gpd, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.gpkg")
    >>> gpd.GeoDataFrame({"v": range(5)}, geometry=gpd.points_from_xy(range(5), range(5)), crs=4326).to_file(p)
    >>> [c.index.tolist() for c in read_chunks(p, chunk_size=2)]
    [[0, 1], [2, 3], [4]]
    """
    path = Path(path)
    check_scalar(chunk_size, "chunk_size", numbers.Integral, min_val=1, error=GeoEncodeError)
    if not path.exists():
        raise GeoEncodeError(f"input file {path} does not exist.")
    kind = _kind(path)
    if kind == "parquet":
        return _parquet_chunks(path, int(chunk_size))
    if kind == "csv":
        return _csv_chunks(path, int(chunk_size), lon, lat, assume_crs)
    if layer is not None:
        names = [n for n, _ in list_layers(path)]
        if layer not in names:
            raise GeoEncodeError(f"{path} has no layer {layer!r}; its layers are {names}.")
    return _gdal_chunks(path, layer, int(chunk_size))


def read_table(path: str | os.PathLike, **kwargs: Any) -> gpd.GeoDataFrame:
    """The whole layer as one GeoDataFrame (same reader and index as :func:`read_chunks`).

    Examples
    --------
    >>> import geopandas as gpd, tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.parquet")
    >>> gpd.GeoDataFrame({"v": [1, 2]}, geometry=gpd.points_from_xy([0, 1], [0, 1]), crs=3857).to_parquet(p)
    >>> read_table(p).crs.to_epsg()
    3857
    """
    chunks = list(read_chunks(path, chunk_size=kwargs.pop("chunk_size", 1_000_000), **kwargs))
    if not chunks:
        raise GeoEncodeError(f"{path} has no features.")
    if len(chunks) == 1:
        return chunks[0]
    out = pd.concat(chunks)
    out.attrs.update(chunks[0].attrs)
    return out


# --------------------------------------------------------------------------------------------
# writing


class _GpkgWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.layers: set[str] = set()

    def write(self, frame: gpd.GeoDataFrame, layer: str, geometry_type: str | None) -> None:
        append = layer in self.layers
        pyogrio.write_dataframe(frame, self.path, layer=layer, driver="GPKG", append=append,
                                geometry_type=geometry_type or "Unknown", promote_to_multi=False)
        self.layers.add(layer)

    def close(self) -> None:
        pass


class _ParquetWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer = None
        self.schema = None
        self.geom_types: set[str] = set()

    def _table(self, frame: gpd.GeoDataFrame):
        geom_name = frame.geometry.name
        attrs = pd.DataFrame(frame.drop(columns=[geom_name]))
        table = pa.Table.from_pandas(attrs, preserve_index=False)
        wkb = shapely.to_wkb(np.asarray(frame.geometry.values), output_dimension=2)
        return table.append_column(geom_name, pa.array(wkb, type=pa.binary())), geom_name

    def write(self, frame: gpd.GeoDataFrame, layer: str, geometry_type: str | None) -> None:
        table, geom_name = self._table(frame)
        if self.writer is None:
            crs = frame.crs
            geo = {
                "version": "1.0.0",
                "primary_column": geom_name,
                "columns": {geom_name: {"encoding": "WKB", "geometry_types": [],
                                        "crs": crs.to_json_dict() if crs is not None else None}},
            }
            fields = [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f for f in table.schema]
            self.schema = pa.schema(fields, metadata={b"geo": json.dumps(geo).encode()})
            # dictionary-encode only text columns: for float embeddings the dictionary page is pure overhead
            text = [f.name for f in self.schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
            self.writer = pq.ParquetWriter(self.path, self.schema, use_dictionary=text or False)
        try:
            table = table.cast(self.schema)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError) as exc:
            raise GeoEncodeError(
                f"a column changed type between chunks ({exc}); pass a larger chunk size (--chunk-size) "
                "or give the column one type in the input."
            ) from None
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


class _CsvWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.started = False

    def write(self, frame: gpd.GeoDataFrame, layer: str, geometry_type: str | None) -> None:
        geom_name = frame.geometry.name
        df = pd.DataFrame(frame)
        if _CSV_LONLAT in frame.attrs:  # CSV input: its lon/lat columns are the geometry
            df = df.drop(columns=[geom_name])
        else:  # spatial input: geometry as WKT, in its own CRS, where it was
            df[geom_name] = shapely.to_wkt(np.asarray(frame.geometry.values))
        df.to_csv(self.path, mode="a" if self.started else "w", header=not self.started, index=False)
        self.started = True

    def close(self) -> None:
        pass


_WRITERS = {"GeoPackage": _GpkgWriter, "GeoParquet": _ParquetWriter, "CSV": _CsvWriter}


_EXISTS = "output {path} already exists; pass overwrite=True (--overwrite on the command line) to replace it."
_INPUT = "output {path} is the input file; geoencode never overwrites its input. Choose another output."


def encode_file(
    input: str | os.PathLike,
    output: str | os.PathLike,
    encoder: EncoderLike,
    *,
    params: dict[str, Any] | None = None,
    layer: str | None = None,
    how: str = "centroid",
    n_samples: int = 16,
    pool: str = "mean",
    random_state: int | None = 0,
    chunk_size: int = 100_000,
    batch_size: int = 65_536,
    device: torch.device | str | None = None,
    dtype: Any = "float32",
    errors: str = "raise",
    assume_crs: Any = None,
    lon: str | None = None,
    lat: str | None = None,
    prefix: str | None = None,
    overwrite: bool = False,
    progress: bool | None = None,
) -> Path:
    """Encode a vector file chunk by chunk and write its attributes, geometry and embeddings.

    The output keeps every input attribute column and the input CRS (geometries are written as
    read, not reprojected) and adds ``<prefix>_0 … <prefix>_{d-1}``. A multi-layer GeoPackage
    gives a GeoPackage with the same spatial layers (or only ``layer``). The output is written to
    a temporary file in the output's folder and renamed when complete, so an interrupted run
    leaves no half-written output; the input is never overwritten.

    Parameters
    ----------
    input : str or path-like
        Any vector file pyogrio reads, GeoParquet (``.parquet``) or CSV with lon/lat columns.
    output : str or path-like
        ``.gpkg``, ``.parquet`` (GeoParquet) or ``.csv`` (geometry as WKT; for CSV input the
        original lon/lat columns are kept instead).
    encoder : str or torch.nn.Module
        Registry name (with ``params``) or model, as for :func:`geoencode.gis.encode`.
    params : dict, optional
        Hyper-parameters of a named encoder.
    layer : str, optional
        Only this layer (required for a multi-layer input written to Parquet/CSV).
    how, n_samples, pool, random_state, batch_size, device, dtype, errors, assume_crs, lon, lat, prefix
        As for :func:`geoencode.gis.encode` (``assume_crs`` is also the CRS of CSV coordinates).
    chunk_size : int, default 100000
        Rows read, encoded and written at a time; bounds memory.
    overwrite : bool, default False
        Replace an existing output.
    progress : bool, optional
        Progress bar over rows (default: on for 100,000 rows or more).

    Returns
    -------
    pathlib.Path
        The output path.

    Examples
    --------
    >>> import geopandas as gpd, tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> gdf = gpd.GeoDataFrame({"v": [1, 2]}, geometry=gpd.points_from_xy([500000, 510000], [5e6, 5e6]), crs=32631)
    >>> gdf.to_file(os.path.join(d, "in.gpkg"), layer="pts")
    >>> out = encode_file(os.path.join(d, "in.gpkg"), os.path.join(d, "out.parquet"), "sphereC",
    ...                   params={"frequency_num": 2})
    >>> res = gpd.read_parquet(out)
    >>> res.crs.to_epsg(), list(res.columns[:3]), res.shape
    (32631, ['v', 'sphereC_0', 'sphereC_1'], (2, 8))
    """
    src, dst = Path(input), Path(output)
    if not src.exists():
        raise GeoEncodeError(f"input file {src} does not exist.")
    target = dict(overwrite=overwrite, inputs=[src], error=GeoEncodeError, exists_message=_EXISTS, input_message=_INPUT)
    check_target(dst, **target)
    fmt = OUTPUT_FORMATS.get(dst.suffix.lower())
    if fmt is None:
        raise GeoEncodeError(
            f"cannot write {dst.suffix or 'a file without suffix'!r}; the output must end in "
            f"{', '.join(sorted(OUTPUT_FORMATS))} (GeoPackage, GeoParquet, CSV)."
        )
    if not dst.parent.exists():
        raise GeoEncodeError(f"the output folder {dst.parent} does not exist.")

    # which layers
    kind = _kind(src)
    layers: list[tuple[str | None, str | None]]
    if kind == "gdal":
        all_layers = list_layers(src)
        spatial = [(n, t) for n, t in all_layers if t is not None]
        if layer is not None:
            found = [lt for lt in all_layers if lt[0] == layer]
            if not found:
                raise GeoEncodeError(f"{src} has no layer {layer!r}; its layers are {[n for n, _ in all_layers]}.")
            if found[0][1] is None:
                raise GeoEncodeError(f"layer {layer!r} of {src} has no geometry; choose one of {[n for n, _ in spatial]}.")
            layers = found
        else:
            if not spatial:
                raise GeoEncodeError(f"{src} has no layer with geometries.")
            if len(spatial) > 1 and fmt != "GeoPackage":
                raise GeoEncodeError(
                    f"{src} has {len(spatial)} layers {[n for n, _ in spatial]}; a {fmt} output holds one: choose it "
                    "with --layer NAME (layer=...), or write a .gpkg to encode them all."
                )
            skipped = [n for n, t in all_layers if t is None]
            if skipped:
                warnings.warn(f"layers without geometry are not copied: {skipped}.", GeoEncodeWarning, stacklevel=2)
            layers = spatial
    else:
        if layer is not None and layer != src.stem:
            raise GeoEncodeError(f"{src} has a single layer ({src.stem!r}); --layer {layer!r} does not apply.")
        layers = [(None, "Point" if kind == "csv" else "Unknown")]

    fn, module, out_dim, default_prefix, in_dtype = resolve_encoder(encoder, params, device)
    prefix = default_prefix if prefix is None else prefix
    total = _feature_count(src, layers)
    show = (total is not None and total >= 100_000) if progress is None else bool(progress)
    # GDAL and pyarrow create the file themselves: the temporary name must not exist yet
    with atomic_path(dst, create=False, **target) as tmp:
        writer = _WRITERS[fmt](tmp)
        try:
            with tqdm(total=total, disable=not show, unit="row", desc=f"geoencode {src.name}") as bar:
                for name, gtype in layers:
                    out_layer = name if name is not None else dst.stem
                    for chunk in read_chunks(src, layer=name, chunk_size=chunk_size, lon=lon, lat=lat,
                                             assume_crs=assume_crs if kind == "csv" else None):
                        emb = encode(chunk, module, how=how, n_samples=n_samples, pool=pool,
                                     random_state=random_state, prefix=prefix, batch_size=batch_size, dtype=dtype,
                                     errors=errors, assume_crs=None if kind == "csv" else assume_crs, progress=False)
                        writer.write(_with_embeddings(chunk, emb), out_layer, gtype)
                        bar.update(len(chunk))
        except BaseException:
            _quiet_close(writer)  # the first error is the one to report
            raise
        writer.close()
        if not tmp.exists():
            raise GeoEncodeError(f"{src} has no features to encode.")
    return dst


def _with_embeddings(chunk: gpd.GeoDataFrame, emb: pd.DataFrame) -> gpd.GeoDataFrame:
    clash = [c for c in emb.columns if c in chunk.columns]
    if clash:
        raise GeoEncodeError(
            f"the input already has columns {clash[:3]}…; pass another prefix (--prefix) for the embedding columns."
        )
    out = gpd.GeoDataFrame(pd.concat([pd.DataFrame(chunk), emb], axis=1), geometry=chunk.geometry.name, crs=chunk.crs)
    out.attrs.update(chunk.attrs)
    return out


def _quiet_close(writer) -> None:
    try:
        writer.close()
    except Exception:  # pragma: no cover - a failed close after a failed write must not hide the first error
        pass


def _feature_count(src: Path, layers) -> int | None:
    try:
        kind = _kind(src)
        if kind == "parquet":
            return pq.ParquetFile(src).metadata.num_rows
        if kind == "csv":
            return None
        return sum(int(pyogrio.read_info(src, layer=n)["features"]) for n, _ in layers)
    except Exception:  # pragma: no cover - the count is only for the progress bar
        return None
