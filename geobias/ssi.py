"""Spatial self-information (SSI): the base and relative Geo-Bias Scores, per centre.

The driver of the score: it groups centres by neighbourhood size (one ring pattern each), builds
the presence batches, and combines

* :mod:`geobias.split_ties` (``ties="split"``, the default) or :mod:`geobias.moran` plus
  :mod:`geobias.tie_replay` (``ties="reference"``) for Moran's I numerator, and
* :mod:`geobias.null_model` for its null moments, probability and surprisal.
"""

from __future__ import annotations

import numpy as np

from .background import auto_density, ring_pattern
from . import split_kernel
from .moran import PresenceBatch, moran_numerators, signature
from .sphere import latlon_to_xyz, rotation_to_centre, to_polar_frame
from .null_model import SSI_EPS, Probability, null_moments, probability, surprisal, value_classes
from .split_ties import split_moran_numerators
from .tie_replay import Contested, exact_moran_numerators, reference_tree, resolve_contested

__all__ = [
    "SSI_EPS",
    "TIES",
    "null_moments",
    "probability",
    "surprisal",
    "moran_numerators",
    "split_moran_numerators",
    "exact_moran_numerators",
    "reference_tree",
    "resolve_contested",
    "Contested",
    "PresenceBatch",
    "ssi_per_centre",
]

#: The two ways of treating distance ties in the kNN weights (spec §4b).
TIES = ("split", "reference")


def ssi_per_centre(
    lat: np.ndarray,
    lon: np.ndarray,
    marks: np.ndarray,
    centres: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    radius: float,
    k: int = 4,
    density: float | str = "auto",
    density_factor: float = 5.0,
    probability_kind: Probability = "two_sided",
    std_offset: float = 1.0,
    ties: str = "split",
    max_batch: int = 2_000_000,
    engine: str = "auto",
    n_classes: int | None = None,
) -> dict[str, np.ndarray]:
    """Base and relative SSI of each centre (vectorised fast path).

    Parameters
    ----------
    lat, lon : numpy.ndarray
        ``(N,)`` sample coordinates in radians.
    marks : numpy.ndarray
        ``(N,)`` marks used as presence values of the relative score.
    centres : numpy.ndarray
        ``(C,)`` sample positions of the centres.
    indptr, indices : numpy.ndarray
        CSR lists of each centre's presence points (sample positions),
        ordered by (distance, position); see
        :func:`geobias.neighbourhoods.neighbourhood_lists`.
    radius : float
        Neighbourhood radius in radians.
    k : int, default 4
        Nearest neighbours of the weights.
    density : float or "auto", default "auto"
        Ring density (points per square radian).
    density_factor : float, default 5.0
        Background-to-presence ratio of ``density="auto"``.
    probability_kind : {"two_sided", "density"}, default "two_sided"
        See :func:`probability`.
    std_offset : float, default 1.0
        See :func:`probability`.
    ties : {"split", "reference"}, default "split"
        Distance ties in the kNN weights: shared weights (a function of the data) or the
        reference's ball-tree order (bit-exact to the reference on the same machine only).
    max_batch : int, default 2_000_000
        Bound on ``centres * n * (n + k)`` per vectorised batch (memory).
    n_classes : int, optional
        Class slots of the relative score's null model (default: distinct marks + 1); pass the
        same value for every chunk of one data set.
    engine : {"auto", "numba", "numpy"}, default "auto"
        ``ties="split"`` numerators from the compiled kernel (:mod:`geobias.split_kernel`,
        where numba is installed) or the batched numpy path; the two agree to 1e-12.

    Returns
    -------
    dict of numpy.ndarray
        ``base``, ``relative`` (SSI; ``nan`` where the density is undefined),
        ``n_neighbours``, ``n_background``, ``tie_sensitive`` (whether the two ``ties`` modes
        can differ), ``n_contested`` (``ties="reference"``: points whose neighbours were taken
        from the reference's ball tree), ``I_base``, ``I_relative``,
        ``mu_base``, ``mu_relative``, ``var_base``, ``var_relative``.

    Examples
    --------
    >>> lat = np.radians([0.0, 0.1, 0.2]); lon = np.radians([0.0, 0.1, 0.0])
    >>> out = ssi_per_centre(lat, lon, np.array([1.0, 0.0, 1.0]), np.array([0]),
    ...                      np.array([0, 3]), np.array([0, 1, 2]), 0.01)
    >>> out["n_neighbours"].tolist()
    [3]
    """
    if ties not in TIES:
        raise ValueError(f"ties={ties!r} must be one of {TIES}")
    centres = np.asarray(centres, dtype=np.int64)
    indptr = np.asarray(indptr, dtype=np.int64)
    indices = np.asarray(indices, dtype=np.int64)
    C = centres.size
    n_all = np.diff(indptr)
    out = {key: np.full(C, np.nan) for key in (
        "base", "relative", "I_base", "I_relative", "mu_base", "mu_relative",
        "var_base", "var_relative")}
    out["n_neighbours"] = n_all.copy()
    out["n_background"] = np.zeros(C, dtype=np.int64)
    out["n_contested"] = np.zeros(C, dtype=np.int64)
    out["tie_sensitive"] = np.zeros(C, dtype=bool)
    # class slots of the relative score's null model: the same for every batch and chunk
    n_classes = np.unique(marks).size + 1 if n_classes is None else int(n_classes)
    compiled = ties == "split" and engine != "numpy" and split_kernel.AVAILABLE
    if engine == "numba" and not split_kernel.AVAILABLE:
        raise ValueError("engine='numba' needs numba installed (pip install numba)")
    for n in np.unique(n_all):
        n = int(n)
        group = np.flatnonzero(n_all == n)
        dens = auto_density(radius, n, density_factor) if density == "auto" else float(density)
        if compiled:
            rings = split_kernel.ring_structure(float(radius), float(dens), int(k))
        else:
            rings = pattern = ring_pattern(float(radius), dens, int(k))
        M = rings.size
        # the compiled kernel holds one centre at a time; the numpy paths hold n x (n + k) per centre
        step = max(1, max_batch // max(1, n * (64 if compiled else n + k + 1)))
        for s0 in range(0, group.size, step):
            g = group[s0 : s0 + step]
            pres = indices[indptr[g][:, None] + np.arange(n)[None, :]]
            mk = marks[pres]
            batch = PresenceBatch(
                lat=lat[pres], lon=lon[pres],
                values=np.stack([np.ones_like(mk), mk]),
                centre_lat=lat[centres[g]], centre_lon=lon[centres[g]],
            )
            if compiled:
                pxyz = to_polar_frame(latlon_to_xyz(batch.lat, batch.lon),
                                      rotation_to_centre(batch.centre_lat, batch.centre_lon))
                I, out["tie_sensitive"][g] = split_kernel.split_numerators(pxyz, batch.values,
                                                                          signature(batch.values), rings, k)
            else:
                I, out["tie_sensitive"][g] = split_moran_numerators(batch, pattern, k)
            if ties == "reference":
                I, contested = moran_numerators(batch, pattern, k)
                I = resolve_contested(I, contested, batch, radius, dens, k)
                out["n_contested"][g] = np.bincount(contested.centre, minlength=g.size)
            cls_b = np.tile([[0.0, 1.0]], (g.size, 1))
            cnt_b = np.tile([[float(M), float(n)]], (g.size, 1))
            cls_r, cnt_r = value_classes(mk, M, min(n + 1, n_classes))
            for name, Ii, cls, cnt in (("base", I[0], cls_b, cnt_b), ("relative", I[1], cls_r, cnt_r)):
                mu, var = null_moments(cls, cnt, k)
                p = probability(Ii, mu, var, probability_kind, std_offset)
                out[name][g] = surprisal(p)
                out["I_" + name][g] = Ii
                out["mu_" + name][g] = mu
                out["var_" + name][g] = var
            out["n_background"][g] = M
    return out
