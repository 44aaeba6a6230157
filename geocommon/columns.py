"""Longitude/latitude column names: one list of aliases for every reader of both packages.

A column counts as longitude (latitude) when its name, lower-cased, is one of
:data:`LON_ALIASES` (:data:`LAT_ALIASES`); the first alias present wins, so ``lon`` is taken
before a ``x`` that might hold projected metres.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["LON_ALIASES", "LAT_ALIASES", "find_column", "find_lonlat", "has_lonlat"]

#: Longitude column names, most specific first (TorchSpatial/LocBench write ``gt_longitude``).
LON_ALIASES: tuple[str, ...] = ("lon", "longitude", "lng", "long", "gt_longitude", "x")
#: Latitude column names, most specific first.
LAT_ALIASES: tuple[str, ...] = ("lat", "latitude", "gt_latitude", "y")


def find_column(columns: Iterable, aliases: Iterable[str]) -> object | None:
    """The first column whose lower-cased name is one of ``aliases`` (``None`` if none is).

    Examples
    --------
    >>> find_column(["id", "Longitude", "x"], LON_ALIASES)
    'Longitude'
    >>> find_column(["id"], LON_ALIASES) is None
    True
    """
    lower: dict[str, object] = {}
    for c in columns:
        lower.setdefault(str(c).lower(), c)
    return next((lower[a] for a in aliases if a in lower), None)


def find_lonlat(columns: Iterable) -> tuple[object | None, object | None]:
    """``(longitude column, latitude column)`` among ``columns``; ``None`` for one not found.

    Examples
    --------
    >>> find_lonlat(["gt_longitude", "gt_latitude", "hit@1"])
    ('gt_longitude', 'gt_latitude')
    """
    columns = list(columns)
    return find_column(columns, LON_ALIASES), find_column(columns, LAT_ALIASES)


def has_lonlat(columns: Iterable) -> bool:
    """Whether ``columns`` hold both a longitude and a latitude column.

    Examples
    --------
    >>> has_lonlat(["LAT", "lng"]), has_lonlat(["lon", "hit@1"])
    (True, False)
    """
    lon, lat = find_lonlat(columns)
    return lon is not None and lat is not None
