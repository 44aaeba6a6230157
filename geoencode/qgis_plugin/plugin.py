"""The plugin object QGIS holds: it only adds and removes the Processing provider."""

from __future__ import annotations

from typing import Any

from qgis.core import QgsApplication

from .provider import GeoEncodeProvider


class GeoEncodePlugin:
    """Registers the provider; ``initProcessing`` is what ``qgis_process`` calls (no GUI there)."""

    def __init__(self, iface: Any) -> None:
        self.iface = iface
        self.provider: GeoEncodeProvider | None = None

    def initProcessing(self) -> None:  # noqa: N802  (QGIS API name)
        if self.provider is None:
            self.provider = GeoEncodeProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self) -> None:  # noqa: N802
        self.initProcessing()

    def unload(self) -> None:
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
