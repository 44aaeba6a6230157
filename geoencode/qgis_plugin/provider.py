"""The Processing provider ``geoencode``: its algorithms, name and icon."""

from __future__ import annotations

from pathlib import Path

from qgis.core import Qgis, QgsMessageLog, QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .algorithms import ALGORITHMS
from .deps import dependency_message, version_note

LOG_TAG = "geoencode"
ICON = Path(__file__).with_name("icon.png")


class GeoEncodeProvider(QgsProcessingProvider):
    """Location encoding and geo-bias algorithms (``geoencode:encode``, ``geoencode:geobias_audit`` …)."""

    def id(self) -> str:  # noqa: A003  (QGIS API name)
        return "geoencode"

    def name(self) -> str:
        return "geoencode"

    def longName(self) -> str:  # noqa: N802
        return "geoencode — location encoders and Geo-Bias Scores"

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def svgIconPath(self) -> str:  # noqa: N802
        return str(ICON)

    def loadAlgorithms(self) -> None:  # noqa: N802
        message = dependency_message()
        if message:
            # Algorithms stay listed (so users find them and read why they cannot run).
            QgsMessageLog.logMessage(message, LOG_TAG, Qgis.Critical)
        elif version_note():
            QgsMessageLog.logMessage(version_note(), LOG_TAG, Qgis.Warning)
        for cls in ALGORITHMS:
            self.addAlgorithm(cls())
