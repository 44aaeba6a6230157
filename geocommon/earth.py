"""The Earth radius, named once for both packages.

Two values are in use in the field:

* ``6371.0`` km — what the Geo-Bias reference (TorchSpatial, PyGBS) divides by to turn km into
  radians. Every great-circle *distance* in this project (neighbourhood radii, hot-spot bands,
  ``radius_km=`` anywhere) uses it, so ``radius_km=100`` means one distance everywhere.
* ``6371.0088`` km — the IUGG mean radius ``R1``, used for spherical *areas* of polygons.

>>> round(100 / EARTH_RADIUS_KM, 8)
0.01569612
"""

from __future__ import annotations

__all__ = ["EARTH_RADIUS_KM", "REFERENCE_EARTH_RADIUS_KM", "MEAN_EARTH_RADIUS_KM"]

#: The reference implementations' radius (TorchSpatial / PyGBS: ``km / 6371``).
REFERENCE_EARTH_RADIUS_KM = 6371.0

#: IUGG mean Earth radius R1 (for spherical areas).
MEAN_EARTH_RADIUS_KM = 6371.0088

#: The radius every great-circle distance in this project uses: the reference's.
EARTH_RADIUS_KM = REFERENCE_EARTH_RADIUS_KM
