"""Thin points to a near-isotropic subset: no two kept points closer than a great-circle distance.

A Geo-Bias neighbourhood counts the points within a radius, so a sampling design
whose density varies (an equal-area grid near the poles: cells a few km wide
in longitude but rows hundreds of km apart; a data set crowded in cities)
makes some neighbourhoods far larger than others, and their scores dominate
for reasons that have nothing to do with the model. :func:`thin_by_distance`
keeps a subset in which every pair of kept points is at least ``min_km``
apart and every dropped point lies within ``min_km`` of a kept one (greedy
Poisson-disk thinning): the kept points cover the input's footprint at a
nearly uniform density. Visiting the points in a seeded random order (the
default) gives an isotropic, lattice-free sample; visiting a grid in row
order instead leaves patches of differently sheared lattices, whose
neighbourhood shapes differ and show up as bands in a base SSI map. Distances are great-circle distances between unit
vectors (a :class:`scipy.spatial.cKDTree` over 3-D coordinates), so the
antimeridian and the poles need no special case. :func:`neighbour_counts`
measures the result: the neighbourhood size at a radius, as an audit's
``n_neighbours`` reports it.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geocommon.checks import check_scalar

from .errors import GeoBiasError, describe_rows
from .io import to_lonlat_frame
from .sphere import EARTH_RADIUS_KM, latlon_to_xyz

__all__ = ["thin_by_distance", "neighbour_counts"]


def _lonlat(data, lon: str | None, lat: str | None) -> tuple[np.ndarray, pd.Index | None]:
    """``(n, 2)`` lon/lat degrees and the row labels (``None`` for an array)."""
    if isinstance(data, pd.DataFrame):  # GeoDataFrame included
        frame = to_lonlat_frame(data, lon=lon, lat=lat)
        return frame[["lon", "lat"]].to_numpy(dtype=float), data.index
    try:
        arr = np.asarray(data, dtype=float)
    except (TypeError, ValueError):
        raise GeoBiasError(
            f"data must be an (n, 2) array of lon/lat degrees or a (Geo)DataFrame, got {type(data).__name__}"
        ) from None
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise GeoBiasError(f"data must be an (n, 2) array of lon/lat degrees, got shape {arr.shape}")
    return arr, None


def _unit_vectors(lonlat: np.ndarray, labels: pd.Index | None) -> np.ndarray:
    where = np.arange(len(lonlat)) if labels is None else labels
    bad = ~np.isfinite(lonlat).all(axis=1)
    if bad.any():
        raise GeoBiasError(f"non-finite coordinates (NaN, inf or missing) in {describe_rows(where[bad])}; "
                           "drop those rows first")
    bad = np.abs(lonlat[:, 1]) > 90
    if bad.any():
        raise GeoBiasError(f"latitudes outside [-90, 90] in {describe_rows(where[bad])}; "
                           "are longitude and latitude swapped?")
    return latlon_to_xyz(np.radians(lonlat[:, 1]), np.radians(lonlat[:, 0]))


def _chord(km: float) -> float:
    """Chord length on the unit sphere of a great-circle distance (2 beyond half the circumference)."""
    return float(2 * np.sin(min(km / EARTH_RADIUS_KM, np.pi) / 2))


def _angles(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Central angles between unit vector ``a`` and the rows of ``b`` (accurate at 0 and at pi)."""
    return np.arctan2(np.linalg.norm(np.cross(a, b), axis=-1), b @ a)


def thin_by_distance(
    data,
    min_km: float,
    *,
    order="random",
    random_state: int | np.random.Generator | None = 0,
    lon: str | None = None,
    lat: str | None = None,
    return_positions: bool = False,
):
    """Keep points so that no two kept points are closer than ``min_km`` (greedy Poisson-disk thinning).

    Points are visited in a fixed order (``order``); a point is kept when
    no point kept before it lies within ``min_km`` (great-circle distance),
    so the result is deterministic, no two kept points are closer than
    ``min_km`` and every dropped point lies within ``min_km`` of a kept one
    (the kept set is maximal). Where points crowd (an equal-area grid's
    polar rows, a city) far fewer are kept than elsewhere. A random order
    keeps about ``0.55 * area / (pi * (min_km / 2) ** 2)`` points over a
    densely sampled area (random sequential packing), row order over a
    regular grid more (up to a lattice of spacing ``min_km``).

    Parameters
    ----------
    data : array_like or pandas.DataFrame or geopandas.GeoDataFrame
        An ``(n, 2)`` array of lon/lat degrees, a frame with longitude and
        latitude columns, or a GeoDataFrame of points (any CRS).
    min_km : float
        Minimum great-circle distance between kept points, km (> 0).
    order : "random", "rows" or array_like of int, default "random"
        The order to visit the points: a permutation drawn from
        ``random_state`` (deterministic for an int seed; no lattice
        artefacts on grids and no preference for, say, rows sorted by
        accuracy), row order, or row positions (a permutation of ``range(n)``).
    random_state : int, numpy.random.Generator or None, default 0
        Seed of the ``"random"`` order (``None``: a fresh one each call).
    lon, lat : str, optional
        Coordinate column names of a frame (default: ``lon``/``lat`` or a usual alias).
    return_positions : bool, default False
        Return the kept row positions instead of the kept rows.

    Returns
    -------
    numpy.ndarray or pandas.DataFrame or geopandas.GeoDataFrame
        The kept rows in their input order: ``data.iloc[positions]`` for a
        frame, ``array[positions]`` for an array; or, with
        ``return_positions=True``, the sorted positions (``numpy.intp``).

    Raises
    ------
    GeoBiasError
        ``min_km`` not a finite number > 0; non-finite coordinates or
        latitudes outside [-90, 90] (the message names the rows); ``order``
        not a permutation of the rows.

    Examples
    --------
    >>> lonlat = [[179.9, 0.0], [-179.9, 0.0], [0.0, 90.0], [120.0, 90.0], [0.0, 0.0]]
    >>> thin_by_distance(lonlat, 100.0, order="rows", return_positions=True).tolist()  # antimeridian, pole
    [0, 2, 4]
    >>> len(thin_by_distance(lonlat, 100.0))  # one point of each close pair, in a seeded random order
    3
    >>> import pandas as pd
    >>> df = pd.DataFrame({"lon": [0.0, 0.5, 3.0], "lat": [0.0, 0.0, 0.0], "hit": [1, 0, 1]}, index=["a", "b", "c"])
    >>> thin_by_distance(df, 100.0, order=[1, 0, 2]).index.tolist()  # a is 56 km from b, visited first
    ['b', 'c']
    """
    check_scalar(min_km, "min_km", numbers.Real, min_val=0, include_boundaries="neither", finite=True,
                 error=GeoBiasError)
    lonlat, labels = _lonlat(data, lon, lat)
    xyz = _unit_vectors(lonlat, labels)
    n = len(xyz)
    if isinstance(order, str):
        if order not in ("random", "rows"):
            raise GeoBiasError(f"order must be 'random', 'rows' or a permutation of the row positions, got {order!r}")
        visit = np.random.default_rng(random_state).permutation(n) if order == "random" else np.arange(n)
    else:
        visit = np.asarray(order)
        if visit.ndim != 1 or visit.size != n or not np.issubdtype(visit.dtype, np.integer) \
                or not np.array_equal(np.sort(visit), np.arange(n)):
            raise GeoBiasError(f"order must be 'random', 'rows' or a permutation of the {n} row positions "
                               f"0 … {n - 1}")
    keep = np.zeros(n, dtype=bool)
    if n:
        # Candidates within a slightly longer chord, then the exact test on their angles: "closer than".
        tree, chord, theta = cKDTree(xyz), _chord(float(min_km)) * (1 + 1e-9) + 1e-12, min_km / EARTH_RADIUS_KM
        covered = np.zeros(n, dtype=bool)
        for i in visit.tolist():
            if covered[i]:
                continue
            keep[i] = True
            near = np.asarray(tree.query_ball_point(xyz[i], chord), dtype=np.intp)
            covered[near[_angles(xyz[i], xyz[near]) < theta]] = True
    positions = np.flatnonzero(keep)
    if return_positions:
        return positions
    if isinstance(data, pd.DataFrame):
        return data.iloc[positions]
    return lonlat[positions]


def neighbour_counts(data, radius_km: float, *, lon: str | None = None, lat: str | None = None) -> np.ndarray:
    """The number of points within ``radius_km`` of each point, itself included.

    The neighbourhood size an audit reports as ``n_neighbours`` at the same
    radius; its spread (median against maximum) shows how far a sampling
    design is from isotropic, before and after :func:`thin_by_distance`.

    Parameters
    ----------
    data : array_like or pandas.DataFrame or geopandas.GeoDataFrame
        An ``(n, 2)`` array of lon/lat degrees or a frame of points, as for
        :func:`thin_by_distance`.
    radius_km : float
        Neighbourhood radius (great-circle distance, km; > 0).
    lon, lat : str, optional
        Coordinate column names of a frame.

    Returns
    -------
    numpy.ndarray
        One count per row (``numpy.intp``).

    Examples
    --------
    >>> neighbour_counts([[0.0, 0.0], [1.0, 0.0], [10.0, 0.0], [-179.5, 0.0], [179.5, 0.0]], 150.0).tolist()
    [2, 2, 1, 2, 2]
    """
    check_scalar(radius_km, "radius_km", numbers.Real, min_val=0, include_boundaries="neither", finite=True,
                 error=GeoBiasError)
    lonlat, labels = _lonlat(data, lon, lat)
    xyz = _unit_vectors(lonlat, labels)
    if not len(xyz):
        return np.zeros(0, dtype=np.intp)
    counts = cKDTree(xyz).query_ball_point(xyz, _chord(float(radius_km)), return_length=True)
    return np.asarray(counts, dtype=np.intp)
