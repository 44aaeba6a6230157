"""geocommon — the small, torch-free foundation that ``geoencode`` and ``geobias`` share.

Both packages import it; it imports neither. Everything two packages would otherwise write twice
(Earth radius, atomic writes, lon/lat column aliases, reprojection to EPSG:4326, row labels in error
messages, scalar checks) lives here once.

>>> from geocommon.earth import EARTH_RADIUS_KM
>>> EARTH_RADIUS_KM
6371.0
"""
