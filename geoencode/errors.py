"""The library's own exception and warning classes.

Every error raised on purpose by :mod:`geoencode` is a :class:`GeoEncodeError`; it subclasses
:class:`ValueError` so code that already catches ``ValueError`` keeps working.
"""

from __future__ import annotations


class GeoEncodeError(ValueError):
    """Bad input or configuration: the message names the offending value and how to fix it."""


class UnknownEncoderError(GeoEncodeError, KeyError):
    """An encoder or network name that is not in the registry."""

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return str(self.args[0]) if self.args else ""


class CheckpointError(GeoEncodeError):
    """A checkpoint file that cannot be loaded safely or does not match the model."""


class GeoEncodeWarning(UserWarning):
    """Something was changed or dropped on the user's behalf (and the warning says what)."""
