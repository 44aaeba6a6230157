"""``geoencode:hotspots``: Getis-Ord Gi* or local Moran's I hot spots of a numeric field of a point layer."""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessing, QgsProcessingException, QgsProcessingParameterBoolean, QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink, QgsProcessingParameterFeatureSource, QgsProcessingParameterField,
    QgsProcessingParameterNumber,
)
from qgis.PyQt.QtCore import QVariant

from ..convert import output_fields, read_frame, write_rows
from ..styles import hotspot_style
from .base import GeoEncodeAlgorithm

METHODS = ("gi_star", "moran")
#: Columns of ``HotSpots.frame`` written (local Moran adds ``quadrant``).
HOTSPOT_FIELDS = (("z", QVariant.Double), ("p", QVariant.Double), ("hotspot", QVariant.String),
                  ("bin", QVariant.Int), ("n_neighbours", QVariant.Int))


class HotSpotsAlgorithm(GeoEncodeAlgorithm):
    NAME = "hotspots"
    DISPLAY = "Hot spots (Gi* / local Moran)"
    GROUP = "Geo-bias"
    HELP = (
        "<p>Hot and cold spots of a numeric field with <code>geobias.hotspots</code> (esda): Getis-Ord "
        "Gi* (values must be non-negative) or local Moran's I, on great-circle k-nearest-neighbour "
        "weights (optionally within a distance band), with permutation p-values.</p>"
        "<p>Output: the input fields plus <code>z</code>, <code>p</code>, <code>hotspot</code> (class, "
        "e.g. <i>Hot spot (99% confidence)</i>), <code>bin</code> (3 … -3, ArcGIS's Gi_Bin), "
        "<code>n_neighbours</code> and, for local Moran, <code>quadrant</code> (HH, LH, LL, HL); styled "
        "by class. Features whose field is NULL are left out.</p>"
    )

    def initAlgorithm(self, config: Any = None) -> None:  # noqa: N802
        self.addParameter(QgsProcessingParameterFeatureSource(
            "INPUT", "Point layer", [QgsProcessing.TypeVectorPoint]))
        self.addParameter(QgsProcessingParameterField(
            "FIELD", "Field", parentLayerParameterName="INPUT", type=QgsProcessingParameterField.Numeric))
        self.addParameter(QgsProcessingParameterEnum("METHOD", "Statistic", ["Getis-Ord Gi*", "Local Moran's I"],
                                                     defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            "K", "Nearest neighbours (k)", QgsProcessingParameterNumber.Integer, defaultValue=8, minValue=1))
        self.addParameter(QgsProcessingParameterNumber(
            "RADIUS_KM", "Distance band (km, 0 = none)", QgsProcessingParameterNumber.Double, defaultValue=0.0,
            minValue=0.0))
        self.addParameter(QgsProcessingParameterNumber(
            "PERMUTATIONS", "Permutations (0 = analytic p-values)", QgsProcessingParameterNumber.Integer,
            defaultValue=999, minValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            "SEED", "Random seed", QgsProcessingParameterNumber.Integer, defaultValue=0, minValue=0))
        self.addParameter(QgsProcessingParameterBoolean("FDR", "False-discovery-rate correction",
                                                        defaultValue=False))
        self.addParameter(QgsProcessingParameterFeatureSink("OUTPUT", "Hot spots", QgsProcessing.TypeVectorPoint))

    def compute(self, parameters: dict, context: Any, feedback: Any) -> dict:
        from geobias.hotspots import hotspots

        source = self.parameterAsSource(parameters, "INPUT", context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, "INPUT"))
        field = self.parameterAsFields(parameters, "FIELD", context)[0]
        method = METHODS[self.parameterAsEnum(parameters, "METHOD", context)]
        radius = self.parameterAsDouble(parameters, "RADIUS_KM", context) or None
        frame, features = read_frame(source, feedback, columns=[field], progress=(0, 10))
        frame[field] = frame[field].astype(float)
        frame = frame[frame[field].notna()]
        feedback.pushInfo(f"{method} hot spots of {field!r} on {len(frame)} features …")
        hs = hotspots(frame, field, method=method, k=self.parameterAsInt(parameters, "K", context),
                      radius_km=radius, permutations=self.parameterAsInt(parameters, "PERMUTATIONS", context),
                      random_state=self.parameterAsInt(parameters, "SEED", context),
                      fdr=self.parameterAsBool(parameters, "FDR", context))
        if feedback.isCanceled():
            raise QgsProcessingException("cancelled")
        feedback.setProgress(70)
        names = HOTSPOT_FIELDS + ((("quadrant", QVariant.String),) if "quadrant" in hs.frame.columns else ())
        fields = output_fields(source.fields(), names)
        sink, dest = self.parameterAsSink(parameters, "OUTPUT", context, fields, source.wkbType(),
                                          source.sourceCrs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, "OUTPUT"))
        hf = hs.frame
        write_rows(sink, fields, features, hf.index, hf[[n for n, _ in names]].to_numpy(object), feedback,
                   progress=(70, 100))
        self._styles[dest] = hotspot_style(hf["hotspot"])
        feedback.pushInfo(f"Classes: {hs.counts().to_dict()}")
        return {"OUTPUT": dest}
