"""Errors and warnings raised by :mod:`geobias`.

Every intentional error is a :class:`GeoBiasError` (a :class:`ValueError`, so
``except ValueError`` keeps working) and every intentional warning a
:class:`GeoBiasWarning`, so users can filter them as a family.
"""

from __future__ import annotations

from geocommon.rows import describe_rows

__all__ = ["GeoBiasError", "GeoBiasWarning", "describe_rows"]


class GeoBiasError(ValueError):
    """Invalid input or parameter for a Geo-Bias computation.

    The message names the offending parameter, rows or values and the fix.
    """


class GeoBiasWarning(UserWarning):
    """Input was usable but altered (rows dropped, values clamped, ...)."""
