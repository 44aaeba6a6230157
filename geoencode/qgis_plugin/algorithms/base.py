"""What every geoencode algorithm shares: the dependency gate, library warnings → feedback, naming."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingFeedback
from qgis.PyQt.QtGui import QIcon

from ..deps import dependency_message

ICON = Path(__file__).resolve().parent.parent / "icon.png"


class GeoEncodeAlgorithm(QgsProcessingAlgorithm):
    """Base class: subclasses set ``NAME``, ``DISPLAY``, ``GROUP``, ``HELP`` and implement ``compute``."""

    NAME = ""
    DISPLAY = ""
    GROUP = ""
    HELP = ""

    def __init__(self) -> None:
        super().__init__()
        self._styles: dict[str, tuple[str, str]] = {}  # destination id → (style name, QML)

    def createInstance(self) -> "GeoEncodeAlgorithm":  # noqa: N802  (QGIS API names from here on)
        return type(self)()

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:
        return self.DISPLAY

    def group(self) -> str:
        return self.GROUP

    def groupId(self) -> str:
        return self.GROUP.lower().replace(" ", "_")

    def shortHelpString(self) -> str:
        message = dependency_message()
        return (f"<p><b>Cannot run here:</b> {message}</p>" if message else "") + self.HELP

    def icon(self) -> QIcon:
        return QIcon(str(ICON))

    def canExecute(self) -> tuple[bool, str]:  # noqa: N802
        # The dialog shows this message and disables "Run" when the library is not importable.
        message = dependency_message()
        return (not message, message)

    def checkParameterValues(self, parameters: dict, context: Any) -> tuple[bool, str]:  # noqa: N802
        # processing.run and qgis_process check here, not canExecute: same message, no traceback.
        message = dependency_message()
        if message:
            return False, message
        return super().checkParameterValues(parameters, context)

    def processAlgorithm(self, parameters: dict, context: Any, feedback: QgsProcessingFeedback) -> dict:  # noqa: N802
        message = dependency_message()
        if message:
            raise QgsProcessingException(message)
        with library_messages(feedback):
            try:
                return self.compute(parameters, context, feedback)
            except QgsProcessingException:
                raise
            except Exception as exc:  # the library's own errors carry the fix; show them, not a traceback
                if feedback.isCanceled():
                    raise QgsProcessingException("cancelled") from exc
                raise QgsProcessingException(f"{type(exc).__name__}: {exc}") from exc

    def postProcessAlgorithm(self, context: Any, feedback: QgsProcessingFeedback) -> dict:  # noqa: N802
        from ..styles import attach_styles

        attach_styles(self._styles, context, feedback)
        return {}

    def compute(self, parameters: dict, context: Any, feedback: QgsProcessingFeedback) -> dict:
        raise NotImplementedError


def push_warning(feedback: QgsProcessingFeedback, text: str) -> None:
    """A non-fatal message in the log panel (``pushWarning`` exists from QGIS 3.26 only)."""
    if hasattr(feedback, "pushWarning"):
        feedback.pushWarning(text)
    else:
        feedback.reportError(text, False)


@contextmanager
def library_messages(feedback: QgsProcessingFeedback) -> Iterator[None]:
    """Show the library's warnings (dropped rows, ties …) in the algorithm log, not on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for w in caught:
                push_warning(feedback, str(w.message))


def geometry_kind(source: Any) -> str:
    """``"point"``, ``"line"`` or ``"polygon"`` for the QML symbol of a layer's outputs."""
    from qgis.core import QgsWkbTypes

    return {QgsWkbTypes.PointGeometry: "point", QgsWkbTypes.LineGeometry: "line"}.get(
        QgsWkbTypes.geometryType(source.wkbType()), "polygon")
