"""Geo-aware models built on a :class:`~geoencode.LocationEncoder`."""

from .heads import ImageLocationRegressor, LocationClassifier, LocationRegressor, geo_aware_scores
from .prior import LocationPrior

__all__ = ["LocationPrior", "LocationClassifier", "LocationRegressor", "ImageLocationRegressor", "geo_aware_scores"]
