"""Geo-aware models built on a :class:`~geoencode.LocationEncoder`."""

from .prior import LocationPrior

__all__ = ["LocationPrior"]
