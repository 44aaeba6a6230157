"""``geoencode:geobias_audit``: Geo-Bias Scores (SSI) of per-sample model results on a point layer."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessing, QgsProcessingException, QgsProcessingOutputNumber, QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink, QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
    QgsProcessingParameterFileDestination, QgsProcessingParameterNumber,
)
from qgis.PyQt.QtCore import QVariant

from ..convert import output_fields, read_frame, write_rows
from ..styles import hotspot_style, ssi_style
from .base import GeoEncodeAlgorithm
from .hotspots import HOTSPOT_FIELDS

#: Per-centre columns written, in the order of ``GeoBiasAudit.per_centre``.
PER_CENTRE_FIELDS = (("base", QVariant.Double), ("relative", QVariant.Double),
                     ("n_neighbours", QVariant.Int), ("local_mean", QVariant.Double),
                     ("n_background", QVariant.Int))


def preset_names() -> list[str]:
    try:
        import geobias
    except Exception:
        return ["geobs"]
    return sorted(geobias.PRESETS)


class GeoBiasAuditAlgorithm(GeoEncodeAlgorithm):
    NAME = "geobias_audit"
    DISPLAY = "Geo-bias audit (SSI)"
    GROUP = "Geo-bias"
    HELP = (
        "<p>Is a model's performance spatially non-random? Computes the Geo-Bias Scores of per-sample "
        "results (one point per test sample, a numeric performance field such as <code>hit@1</code> or "
        "an error) with <code>geobias.audit</code>: the base (unmarked) and relative (marked) spatial "
        "self-information (SSI) of each centre's neighbourhood and of the dataset.</p>"
        "<h3>Parameters</h3><ul>"
        "<li><b>Performance field</b>: numeric; rows where it is NULL are left out.</li>"
        "<li><b>Radius</b>: neighbourhood radius in km (great circle).</li>"
        "<li><b>K</b>: nearest neighbours of the weights.</li>"
        "<li><b>Preset</b>: <i>geobs</i> (PyGBS) or <i>torchspatial2024</i> (the TorchSpatial paper).</li>"
        "</ul><h3>Outputs</h3><ul>"
        "<li><b>Per-centre scores</b>: the input fields plus <code>base</code>, <code>relative</code>, "
        "<code>n_neighbours</code>, <code>local_mean</code>, <code>n_background</code>, styled with "
        "graduated colours of the relative SSI.</li>"
        "<li><b>Hot spots</b> (optional): Gi* hot/cold spots of the performance on the audit's "
        "neighbourhoods, styled by class.</li>"
        "<li><b>HTML map</b> (optional): an offline web map (no network needed to view it).</li>"
        "<li><b>BASE</b>, <b>RELATIVE</b>: the dataset scores (for models).</li></ul>"
    )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802
        self._presets = preset_names()
        self.addParameter(QgsProcessingParameterFeatureSource(
            "INPUT", "Per-sample results (points)", [QgsProcessing.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterField(
            "VALUE_FIELD", "Performance field", parentLayerParameterName="INPUT",
            type=QgsProcessingParameterField.Numeric))
        self.addParameter(QgsProcessingParameterNumber(
            "RADIUS_KM", "Neighbourhood radius (km)", QgsProcessingParameterNumber.Double, defaultValue=100.0,
            minValue=1e-6))
        self.addParameter(QgsProcessingParameterNumber(
            "K", "Nearest neighbours (k)", QgsProcessingParameterNumber.Integer, defaultValue=4, minValue=1))
        default = self._presets.index("geobs") if "geobs" in self._presets else 0
        self.addParameter(QgsProcessingParameterEnum("PRESET", "Preset", self._presets, defaultValue=default))
        self.addParameter(QgsProcessingParameterFeatureSink(
            "OUTPUT", "Per-centre scores", QgsProcessing.TypeVectorPoint))
        self.addParameter(QgsProcessingParameterFeatureSink(
            "HOTSPOTS", "Hot spots", QgsProcessing.TypeVectorPoint, optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFileDestination(
            "HTML_MAP", "Offline HTML map", "HTML files (*.html)", optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("BASE", "Base SSI (dataset)"))
        self.addOutput(QgsProcessingOutputNumber("RELATIVE", "Relative SSI (dataset)"))

    def compute(self, parameters: dict, context: Any, feedback: Any) -> dict:
        import geobias

        source = self.parameterAsSource(parameters, "INPUT", context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, "INPUT"))
        value = self.parameterAsFields(parameters, "VALUE_FIELD", context)[0]
        radius = self.parameterAsDouble(parameters, "RADIUS_KM", context)
        k = self.parameterAsInt(parameters, "K", context)
        preset = self._presets[self.parameterAsEnum(parameters, "PRESET", context)]

        frame, features = read_frame(source, feedback, columns=[value], progress=(0, 10))
        frame[value] = frame[value].astype(float)
        feedback.pushInfo(f"Auditing {len(frame)} samples: value={value!r}, radius={radius:g} km, k={k}, "
                          f"preset={preset!r} …")
        # n_jobs=1: worker processes forked from QGIS's threads (or spawned as a second QGIS on
        # Windows/macOS, where sys.executable is QGIS) are not safe; one process is.
        result = geobias.audit(frame, value=value, radius_km=radius, k=k, preset=preset, progress=False, n_jobs=1)
        if feedback.isCanceled():
            raise QgsProcessingException("cancelled")
        feedback.setProgress(60)
        feedback.pushInfo(f"Base SSI {result.base:.6g}, relative SSI {result.relative:.6g} "
                          f"({result.n_centres} centres). {result.message}".strip())
        pc = result.per_centre
        outputs: dict[str, Any] = {"BASE": float(result.base), "RELATIVE": float(result.relative)}

        fields = output_fields(source.fields(), PER_CENTRE_FIELDS)
        sink, dest = self.parameterAsSink(parameters, "OUTPUT", context, fields, source.wkbType(),
                                          source.sourceCrs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, "OUTPUT"))
        write_rows(sink, fields, features, pc.index, pc[[n for n, _ in PER_CENTRE_FIELDS]].to_numpy(object),
                   feedback, progress=(60, 75))
        self._styles[dest] = ssi_style(pc["relative"].to_numpy(float))
        outputs["OUTPUT"] = dest

        hfields = output_fields(source.fields(), HOTSPOT_FIELDS)
        hsink, hdest = self.parameterAsSink(parameters, "HOTSPOTS", context, hfields, source.wkbType(),
                                            source.sourceCrs())
        html = self.parameterAsFileOutput(parameters, "HTML_MAP", context)
        hs = None
        if hsink is not None or html:
            feedback.pushInfo("Hot spots of the performance (Gi*) on the audit's neighbourhoods …")
            hs = result.hotspots(column="value", random_state=0)
        if hsink is not None:
            hf = hs.frame
            write_rows(hsink, hfields, features, hf.index, hf[[n for n, _ in HOTSPOT_FIELDS]].to_numpy(object),
                       feedback, progress=(80, 90))
            self._styles[hdest] = hotspot_style(hf["hotspot"])
            outputs["HOTSPOTS"] = hdest
        if html:
            from geobias.maps import save_map

            if feedback.isCanceled():
                raise QgsProcessingException("cancelled")
            save_map(result.explore(hotspots=hs, offline=True), html)
            outputs["HTML_MAP"] = html
        feedback.setProgress(100)
        return outputs
