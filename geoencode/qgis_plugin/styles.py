"""The styles ``geobias.maps.to_gpkg`` embeds, applied to Processing outputs when QGIS loads them.

The QML comes from geobias (:func:`geobias.maps.qgis.graduated_qml` and ``categorized_qml``,
the same calls and palettes as ``to_gpkg``); QGIS applies it through the layer post-processing
hook (:class:`QgsProcessingLayerPostProcessorInterface`) once the layer is in the project, and a
GeoPackage output that is not loaded keeps it as its default style.
"""

from __future__ import annotations

from typing import Any

from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProcessingLayerPostProcessorInterface
from qgis.PyQt.QtXml import QDomDocument

__all__ = ["StylePostProcessor", "ssi_style", "hotspot_style", "attach_styles"]


def ssi_style(values: Any, column: str = "relative", geometry: str = "point") -> tuple[str, str]:
    """Graduated (quantile, YlOrRd) colours of an SSI column, as ``to_gpkg``'s default per-centre style."""
    from geobias.maps.qgis import graduated_qml

    name = {"base": "Base SSI", "relative": "Relative SSI"}.get(column, column)
    return name, graduated_qml(column, values, cmap="YlOrRd", geometry=geometry)


def hotspot_style(classes: Any, geometry: str = "point") -> tuple[str, str]:
    """Categorized hot-spot classes, as ``to_gpkg``'s hot-spot layer (the seven Gi* classes always listed)."""
    from geobias.hotspots import HOTSPOT_CLASSES, HOTSPOT_COLORS
    from geobias.maps.qgis import categorized_qml

    present = {c for c in classes if c is not None}
    cats = {c: HOTSPOT_COLORS[c] for c in HOTSPOT_CLASSES if c in present or c in HOTSPOT_CLASSES[:7]}
    return "Hot-spot classes", categorized_qml("hotspot", cats, geometry=geometry)


class StylePostProcessor(QgsProcessingLayerPostProcessorInterface):
    """Applies one QML document to the output layer QGIS has just loaded."""

    # QGIS keeps only a C++ pointer to the post-processor: Python must hold the object, or it is
    # garbage-collected before QGIS calls it (and QGIS crashes). They are tiny, so none is freed.
    _alive: list["StylePostProcessor"] = []

    def __init__(self, qml: str, name: str = "") -> None:
        super().__init__()
        self.qml = qml
        self.name = name

    @classmethod
    def create(cls, qml: str, name: str = "") -> "StylePostProcessor":
        """A post-processor that stays alive until QGIS has used it."""
        inst = cls(qml, name)
        cls._alive.append(inst)
        return inst

    def postProcessLayer(self, layer: Any, context: QgsProcessingContext,  # noqa: N802  (QGIS API)
                         feedback: QgsProcessingFeedback) -> None:
        ok, error = _import(layer, self.qml)
        if not ok:
            feedback.reportError(f"could not apply the {self.name or 'geoencode'} style: {error}")
        layer.triggerRepaint()


def _import(layer: Any, qml: str) -> tuple[bool, str]:
    doc = QDomDocument()
    doc.setContent(qml)
    return layer.importNamedStyle(doc)


def attach_styles(styles: dict[str, tuple[str, str]], context: QgsProcessingContext,
                  feedback: QgsProcessingFeedback) -> None:
    """Style the outputs: destination id → ``(style name, QML)``.

    Outputs that QGIS loads on completion get the style through the post-processing hook. A
    GeoPackage written but not loaded (``processing.run``, ``qgis_process``, inside a model)
    gets it as its default style in ``layer_styles``, as :func:`geobias.maps.to_gpkg` writes
    it, so the file opens styled later.
    """
    from qgis.core import QgsVectorLayer

    for dest_id, (name, qml) in styles.items():
        if context.willLoadLayerOnCompletion(dest_id):
            context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(StylePostProcessor.create(qml, name))
            continue
        if not str(dest_id).split("|")[0].lower().endswith(".gpkg"):
            continue  # memory layers vanish; other formats have no style table
        layer = QgsVectorLayer(str(dest_id), name, "ogr")  # our own, freed here (not the context's store)
        if not layer.isValid() or not _import(layer, qml)[0]:
            continue
        error = layer.saveStyleToDatabase(name, f"{name} (written by geoencode)", True, "")
        del layer
        if error:
            feedback.reportError(f"could not store the {name!r} style in {dest_id}: {error}", False)
