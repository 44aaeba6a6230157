"""``geoencode:encode``: location-encoder features (or embeddings) of every feature of a vector layer."""

from __future__ import annotations

import re
from typing import Any

from qgis.core import (
    QgsProcessing, QgsProcessingException, QgsProcessingParameterDefinition, QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink, QgsProcessingParameterFeatureSource, QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QVariant

from ..convert import output_fields, read_frame, write_rows
from .base import GeoEncodeAlgorithm

HOWS = ("centroid", "representative", "aggregate")
DEFAULT_ENCODER = "Sphere2Vec-sphereC"
_CHUNK = 20_000  # rows per library call: progress and cancellation between calls
_SPLIT = re.compile(r"[;\n]|,(?=\s*[A-Za-z_]\w*\s*=)")  # "a=1, b=[1,2]; c=x" → three items


def encoder_names() -> list[str]:
    """Registry names, then pretrained names when this geoencode has them (``list_pretrained``)."""
    try:
        import geoencode
    except Exception:  # the dependency gate explains; the dialog still opens
        return [DEFAULT_ENCODER]
    names = list(geoencode.list_encoders().index)
    lister = getattr(geoencode, "list_pretrained", None)
    if callable(lister):
        try:
            table = lister()
            extra = list(getattr(table, "index", table))
        except Exception:
            extra = []
        names += [str(n) for n in extra if str(n) not in names]
    return names


def parse_params(text: str) -> dict[str, Any]:
    """``"frequency_num=4; min_radius=1e-3"`` → keyword arguments (values read as the CLI reads ``--param``)."""
    from geoencode.cli import parse_param

    items = [t.strip() for t in _SPLIT.split(text or "") if t.strip()]
    try:
        return dict(parse_param(t) for t in items)
    except Exception as exc:
        raise QgsProcessingException(
            f"PARAMS: {exc} Write NAME=VALUE pairs separated by ';' or new lines, "
            "e.g. 'frequency_num=32; min_radius=0.001'.") from exc


class EncodeAlgorithm(GeoEncodeAlgorithm):
    NAME = "encode"
    DISPLAY = "Encode locations (location encoder)"
    GROUP = "Location encoding"
    HELP = (
        "<p>Adds location-encoder features to every feature of a vector layer (any CRS, any geometry "
        "type): the geometry is transformed to longitude/latitude, reduced to a point and encoded by "
        "<code>geoencode</code> (the same call as <code>gdf.geo.encode(...)</code>).</p>"
        "<h3>Parameters</h3><ul>"
        "<li><b>Encoder</b>: a registry name (Sphere2Vec, Space2Vec, NeRF, spherical harmonics, rbf …) "
        "or a pretrained encoder when installed.</li>"
        "<li><b>How</b>: <i>centroid</i> (geodesic centroid), <i>representative</i> (a point guaranteed "
        "inside) or <i>aggregate</i> (mean encoding of <i>samples</i> points sampled uniformly by area "
        "or length). Points are encoded as they are.</li>"
        "<li><b>Parameters</b>: optional encoder hyper-parameters as NAME=VALUE pairs separated by "
        "';', e.g. <code>frequency_num=32; min_radius=0.001</code>.</li>"
        "<li><b>Field prefix</b>: names of the new fields, <code>PREFIX_0 … PREFIX_{d-1}</code> "
        "(default: the encoder name).</li>"
        "<li><b>Torch device</b> (advanced): where the encoder runs, e.g. <code>cuda</code> when QGIS's "
        "PyTorch has CUDA.</li></ul>"
        "<p>The output keeps the input's fields, geometry and CRS. Features whose geometry is missing "
        "or empty get NULL features (reported in the log).</p>"
    )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802
        self._names = encoder_names()
        self.addParameter(QgsProcessingParameterFeatureSource(
            "INPUT", "Input layer", [QgsProcessing.TypeVectorAnyGeometry]))
        default = self._names.index(DEFAULT_ENCODER) if DEFAULT_ENCODER in self._names else 0
        self.addParameter(QgsProcessingParameterEnum("ENCODER", "Encoder", self._names, defaultValue=default))
        self.addParameter(QgsProcessingParameterEnum("HOW", "How to reduce lines and polygons", list(HOWS),
                                                     defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            "N_SAMPLES", "Samples per feature (how = aggregate)", QgsProcessingParameterNumber.Integer,
            defaultValue=16, minValue=1))
        self.addParameter(QgsProcessingParameterString(
            "PARAMS", "Encoder parameters (NAME=VALUE; …)", defaultValue="", multiLine=False, optional=True))
        self.addParameter(QgsProcessingParameterString(
            "PREFIX", "Field prefix (default: encoder name)", defaultValue="", optional=True))
        device = QgsProcessingParameterString("DEVICE", "Torch device (cpu, cuda, cuda:1 …)", defaultValue="cpu",
                                              optional=True)
        device.setFlags(device.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(device)
        self.addParameter(QgsProcessingParameterFeatureSink("OUTPUT", "Encoded"))

    def _encoder(self, parameters: dict, context: Any) -> str:
        raw = parameters.get("ENCODER")
        if isinstance(raw, str) and not raw.strip().isdigit():
            return raw.strip()  # a name works as well as an index (scripts, qgis_process)
        return self._names[self.parameterAsEnum(parameters, "ENCODER", context)]

    def checkParameterValues(self, parameters: dict, context: Any) -> tuple[bool, str]:  # noqa: N802
        raw = parameters.get("ENCODER")
        if isinstance(raw, str) and not raw.strip().isdigit():
            parameters = {**parameters, "ENCODER": 0}  # validated by the library when it runs
        return super().checkParameterValues(parameters, context)

    def compute(self, parameters: dict, context: Any, feedback: Any) -> dict:
        import numpy as np
        from geoencode import position_encoder
        from geoencode.gis import encode

        source = self.parameterAsSource(parameters, "INPUT", context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, "INPUT"))
        name = self._encoder(parameters, context)
        how = HOWS[self.parameterAsEnum(parameters, "HOW", context)]
        n_samples = self.parameterAsInt(parameters, "N_SAMPLES", context)
        params = parse_params(self.parameterAsString(parameters, "PARAMS", context))
        prefix = self.parameterAsString(parameters, "PREFIX", context).strip() or None
        device = self.parameterAsString(parameters, "DEVICE", context).strip() or "cpu"

        frame, features = read_frame(source, feedback, progress=(0, 15))
        feedback.pushInfo(f"Encoding {len(frame)} features with {name!r} (how={how}) …")
        # Built once, not per block: a pretrained encoder loads its weights once, and random
        # features (rbf, rff) are the same for every block. Same module the name would give.
        model = position_encoder(name, **params)
        if device != "cpu" and hasattr(model, "to"):
            model = model.to(device)
        blocks = []
        for start in range(0, max(len(frame), 1), _CHUNK):
            if feedback.isCanceled():
                raise QgsProcessingException("cancelled")
            part = frame.iloc[start:start + _CHUNK]
            blocks.append(encode(part, model, how=how, n_samples=n_samples, prefix=prefix or name, errors="coerce",
                                 device=device, progress=False))
            feedback.setProgress(15 + 65 * min(start + _CHUNK, len(frame)) / max(len(frame), 1))
        columns = list(blocks[0].columns)
        values = np.concatenate([b.to_numpy() for b in blocks]) if len(frame) else np.empty((0, len(columns)))
        fields = output_fields(source.fields(), [(c, QVariant.Double) for c in columns])
        sink, dest_id = self.parameterAsSink(parameters, "OUTPUT", context, fields, source.wkbType(),
                                             source.sourceCrs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, "OUTPUT"))
        write_rows(sink, fields, features, range(len(features)), values, feedback)
        feedback.pushInfo(f"Added {len(columns)} fields ({columns[0]} … {columns[-1]}).")
        return {"OUTPUT": dest_id}
