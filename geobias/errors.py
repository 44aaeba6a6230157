"""Errors and warnings raised by :mod:`geobias`.

Every intentional error is a :class:`GeoBiasError` (a :class:`ValueError`, so
``except ValueError`` keeps working) and every intentional warning a
:class:`GeoBiasWarning`, so users can filter them as a family.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["GeoBiasError", "GeoBiasWarning", "describe_rows"]


class GeoBiasError(ValueError):
    """Invalid input or parameter for a Geo-Bias computation.

    The message names the offending parameter, rows or values and the fix.
    """


class GeoBiasWarning(UserWarning):
    """Input was usable but altered (rows dropped, values clamped, ...)."""


def describe_rows(labels: Sequence, limit: int = 10) -> str:
    """Format row labels for an error message: ``"rows [3, 17] (2 rows)"``.

    Parameters
    ----------
    labels : sequence
        Row labels of the offending rows.
    limit : int, default 10
        At most this many labels are listed; the count is always given.

    Returns
    -------
    str
        A short human-readable description.

    Examples
    --------
    >>> describe_rows([3, 17])
    'rows [3, 17] (2 rows)'
    """
    labels = list(labels)
    shown = ", ".join(repr(x) if isinstance(x, str) else str(x) for x in labels[:limit])
    more = ", ..." if len(labels) > limit else ""
    noun = "row" if len(labels) == 1 else "rows"
    return f"rows [{shown}{more}] ({len(labels)} {noun})"
