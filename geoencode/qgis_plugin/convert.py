"""QGIS features ↔ GeoPandas frames: the only place the plugin crosses between the two worlds.

A source becomes a GeoDataFrame with a ``RangeIndex`` (row label = position in the list of
features read), so that results computed on the frame map back to the features by label;
output rows are the input features' attributes plus new values, written to a sink.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from qgis.core import (
    QgsCoordinateReferenceSystem, QgsFeature, QgsFeatureRequest, QgsFeatureSink, QgsField, QgsFields, QgsGeometry,
    QgsProcessingException, QgsProcessingFeedback, QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

__all__ = ["read_frame", "to_pyproj", "output_fields", "write_rows"]

_BATCH = 2000  # features per sink call: progress and cancellation between batches


def to_pyproj(crs: QgsCoordinateReferenceSystem) -> Any:
    """The layer CRS as a :class:`pyproj.CRS` (``None`` for a layer without a valid CRS)."""
    import pyproj

    if not crs.isValid():
        return None
    auth = crs.authid()
    if auth.upper().startswith("EPSG:"):
        return pyproj.CRS.from_user_input(auth)
    return pyproj.CRS.from_wkt(crs.toWkt(QgsCoordinateReferenceSystem.WKT_PREFERRED))


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, QVariant) and value.isNull()):
        return None
    return value


def read_frame(source: Any, feedback: QgsProcessingFeedback, columns: Sequence[str] = (),
               progress: tuple[float, float] = (0.0, 20.0)) -> tuple[Any, list[QgsFeature]]:
    """Read every feature of ``source``: ``(GeoDataFrame, features)`` aligned by position.

    Only ``columns`` are copied into the frame (the features keep all attributes); a missing
    geometry becomes ``None`` so the library reports or drops it under its own rules.
    """
    import geopandas as gpd
    import numpy as np
    import shapely

    if not source.sourceCrs().isValid():
        raise QgsProcessingException(
            "the input layer has no coordinate reference system, so its coordinates cannot be turned into "
            "longitude/latitude; assign one (Layer Properties › Source, or Vector › Data Management Tools › "
            "Assign Projection) and run again.")
    total = max(source.featureCount(), 1)
    lo, hi = progress
    features: list[QgsFeature] = []
    wkb: list[bytes | None] = []
    request = QgsFeatureRequest()
    for i, f in enumerate(source.getFeatures(request)):
        if feedback.isCanceled():
            raise QgsProcessingException("cancelled")
        features.append(f)  # the iterator yields a new feature each time: no copy needed
        g = f.geometry()
        if g is None or g.isNull() or g.isEmpty():
            wkb.append(None)
            continue
        if QgsWkbTypes.isCurvedType(g.wkbType()):  # circular arcs: no WKB shapely reads; QGIS's own segmentation
            g = QgsGeometry(g.constGet().segmentize())
        wkb.append(bytes(g.asWkb()))
        if i % 1000 == 0:
            feedback.setProgress(lo + (hi - lo) * i / total)
    geoms = shapely.from_wkb(np.array(wkb, dtype=object))
    names = source.fields().names()
    data = {}
    for col in columns:
        idx = names.index(col)
        data[col] = [_plain(f.attributes()[idx]) for f in features]
    frame = gpd.GeoDataFrame(data, geometry=geoms, crs=to_pyproj(source.sourceCrs()))
    feedback.setProgress(hi)
    return frame, features


def output_fields(input_fields: QgsFields, new: Iterable[tuple[str, QVariant.Type]]) -> QgsFields:
    """The input's fields followed by ``new``; a name clash is an error naming the field and the fix."""
    out = QgsFields(input_fields)
    taken = {n.lower() for n in input_fields.names()}
    for name, kind in new:
        if name.lower() in taken:
            raise QgsProcessingException(
                f"the input layer already has a field {name!r}, which this algorithm writes; rename it "
                "(e.g. with 'Refactor fields') or choose another prefix, then run again.")
        out.append(QgsField(name, kind))
        taken.add(name.lower())
    return out


def _cell(v: Any) -> Any:
    import numpy as np

    if v is None:
        return None
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(float(v)) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def _python_rows(values: Any) -> list[list[Any]]:
    """Rows of plain Python values, NaN → None (NULL); a float matrix takes the fast path."""
    import numpy as np

    arr = np.asarray(values)
    if arr.ndim == 2 and arr.dtype.kind == "f":
        rows = arr.astype(np.float64).tolist()
        for i in np.flatnonzero(np.isnan(arr).any(axis=1)):
            rows[i] = [None if math.isnan(v) else v for v in rows[i]]
        return rows
    return [[_cell(v) for v in row] for row in arr.tolist()]  # object arrays: tolist keeps the objects


def write_rows(sink: QgsFeatureSink, fields: QgsFields, features: Sequence[QgsFeature], rows: Sequence[int],
               values: Any, feedback: QgsProcessingFeedback, progress: tuple[float, float] = (80.0, 100.0)) -> None:
    """Write ``features[rows[i]]`` with ``values[i]`` appended (NaN → NULL), checking for cancellation."""
    lo, hi = progress
    n = max(len(rows), 1)
    batch: list[QgsFeature] = []
    for i, (r, vals) in enumerate(zip(rows, _python_rows(values))):
        src = features[int(r)]
        out = QgsFeature(fields)
        out.setGeometry(src.geometry())
        out.setAttributes(src.attributes() + vals)
        batch.append(out)
        if len(batch) == _BATCH or i == len(rows) - 1:
            if feedback.isCanceled():
                raise QgsProcessingException("cancelled")
            if not sink.addFeatures(batch, QgsFeatureSink.FastInsert):
                raise QgsProcessingException(f"could not write features {i + 2 - len(batch)}–{i + 1} to the output layer")
            batch = []
            feedback.setProgress(lo + (hi - lo) * (i + 1) / n)
    feedback.setProgress(hi)
