"""geocommon — the small, torch-free foundation that ``geoencode`` and ``geobias`` share.

Both packages import it; it imports neither. Everything two packages would otherwise write twice
lives here once, one module per concept:

================================  ==================================================================
:mod:`geocommon.earth`            the Earth radius (the reference's 6371.0 km and the mean 6371.0088 km)
:mod:`geocommon.atomic`           atomic writes: temporary file + rename, no clobbering, 0644 permissions
:mod:`geocommon.columns`          longitude/latitude column aliases
:mod:`geocommon.crs`              any CRS → EPSG:4326 lon/lat (``always_xy``)
:mod:`geocommon.rows`             row labels in error messages
:mod:`geocommon.checks`           scalar parameter checks (:func:`~geocommon.checks.check_scalar`)
:mod:`geocommon.cli`              exit codes and flag wording of both command lines
:mod:`geocommon.moran_null`       the Geo-Bias null model (moments, probability, surprisal), numpy or torch
:mod:`geocommon.knn_ties`         the split tie rule of the kNN weights
:mod:`geocommon.sphere`           unit vectors and the polar frame of a centre
:mod:`geocommon.sri_partitions`   the SRI's three partitions of a neighbourhood
:mod:`geocommon.rings`            the background ring grid of the Geo-Bias Score
================================  ==================================================================

Nothing is imported here, so ``import geocommon.earth`` stays as light as the module it names.

>>> from geocommon.earth import EARTH_RADIUS_KM
>>> EARTH_RADIUS_KM
6371.0
"""
