"""The audit's computation: neighbourhoods, then the per-centre scores, in parallel chunks.

Co-located centres with the same neighbourhood score identically, so each is computed once;
the chunks are independent and run serially, in a process pool or on Dask
(:mod:`geobias.parallel`).
"""

from __future__ import annotations

import numpy as np

from .background import auto_density, ring_grid
from .errors import GeoBiasError, describe_rows
from .neighbourhoods import neighbourhood_lists, take_lists, unique_centres
from .parallel import effective_jobs, run_chunks
from .ssi import ssi_per_centre
from .weights import graph_to_lists

__all__ = ["centre_lists", "check_k", "score_centres"]


def _ssi_chunk(args: dict) -> dict:
    """Top-level (picklable) worker: scores of one chunk of centres."""
    return ssi_per_centre(**args)


def centre_lists(latr, lonr, centres, radius, *, max_neighbors, order, ties, index, graph=None):
    """Neighbourhood lists of the centres: within ``radius`` (capped), or from a given Graph.

    Returns ``(centres, indptr, indices, tie_sensitive)``; the flag marks centres whose list
    depends on the ``ties`` mode (none for a given graph).

    Examples
    --------
    >>> import pandas as pd
    >>> lat = np.radians([0.0, 0.0, 0.0]); lon = np.radians([0.0, 0.5, 3.0])
    >>> c, ptr, idx, flag = centre_lists(lat, lon, np.arange(3), np.radians(1.0), max_neighbors=None,
    ...                                  order="distance", ties="split", index=pd.RangeIndex(3))
    >>> ptr.tolist(), flag.tolist()
    ([0, 2, 4, 5], [False, False, False])
    """
    if graph is not None:
        centres, indptr, indices, _ = graph_to_lists(graph, index, latr, lonr, centres, order=order)
        return centres, indptr, indices, np.zeros(len(centres), dtype=bool)
    indptr, indices, _, flag = neighbourhood_lists(latr, lonr, radius, max_neighbors, centres, order=order,
                                                   ties=ties, return_tie_sensitive=True)
    return centres, indptr, indices, flag


def check_k(k, density, density_factor, index, centres, n_nb, radius) -> None:
    """Refuse a ``k`` that is not smaller than some centre's presence + background points.

    Examples
    --------
    >>> import pandas as pd
    >>> check_k(4, "auto", 5.0, pd.RangeIndex(1), np.array([0]), np.array([1]), 0.01)
    """
    smallest = None
    for n in np.unique(n_nb):
        dens = auto_density(radius, int(n), density_factor) if density == "auto" else density
        size = int(n) + ring_grid(radius, dens).shape[0]
        if size < k + 1 and (smallest is None or size < smallest[1]):
            smallest = (int(n), size)
    if smallest is not None:
        rows = index[centres[n_nb == smallest[0]]]
        raise GeoBiasError(
            f"k={k} is not smaller than the neighbourhood size: centres in "
            f"{describe_rows(rows)} have {smallest[0]} presence + "
            f"{smallest[1] - smallest[0]} background points; use k < {smallest[1]} "
            "or a larger density"
        )


def score_centres(latr, lonr, marks, centres, indptr, indices, *, n_jobs=None, client=None,
                  progress=False, chunk_size=2000, **score) -> dict[str, np.ndarray]:
    """Per-centre scores (:func:`geobias.ssi.ssi_per_centre` outputs), aligned with ``centres``.

    ``score`` holds the keyword arguments of :func:`~geobias.ssi.ssi_per_centre` (radius, k,
    density, ...). Co-located centres with identical lists are scored once.

    Examples
    --------
    >>> lat = np.radians([0.0, 0.1, 0.2]); lon = np.radians([0.0, 0.1, 0.0])
    >>> out = score_centres(lat, lon, np.array([1.0, 0.0, 1.0]), np.array([0]), np.array([0, 3]),
    ...                     np.array([0, 1, 2]), radius=0.01)
    >>> out["n_neighbours"].tolist()
    [3]
    """
    first, inverse = unique_centres(latr, lonr, centres, indptr, indices)
    # centres in order of neighbourhood size: a chunk then needs few ring patterns (one per
    # size) and its kernel calls are large; chunks are cut by centres and by presence points,
    # so that one dense chunk does not keep one worker busy while the others wait
    sizes = np.diff(indptr)[first]
    by_size = np.argsort(sizes, kind="stable")
    first = first[by_size]
    u_centres = centres[first]
    u_indptr, u_indices = take_lists(indptr, indices, first)
    jobs = effective_jobs(n_jobs, u_centres.size)
    bounds = _chunk_bounds(np.diff(u_indptr), max(1, int(chunk_size)))
    # the same null-model class slots for every chunk, so that chunking cannot change bits
    score["n_classes"] = np.unique(marks).size + 1
    chunks = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        ip = u_indptr[a : b + 1]
        idx = u_indices[ip[0] : ip[-1]]
        # each chunk carries only its own samples (a process or a Dask worker gets little to unpickle)
        used, local = np.unique(np.concatenate([u_centres[a:b], idx]), return_inverse=True)
        nc = b - a
        chunks.append(dict(score, lat=latr[used], lon=lonr[used], marks=marks[used], centres=local[:nc],
                           indptr=ip - ip[0], indices=local[nc:]))
    parts = run_chunks(_ssi_chunk, chunks, jobs, client, progress, desc="geobias: centres")
    back = np.empty_like(by_size)
    back[by_size] = np.arange(by_size.size)
    return {key: np.concatenate([p[key] for p in parts])[back][inverse] for key in parts[0]}


#: Presence points per chunk at most (bounds the work of one chunk on dense data).
CHUNK_PRESENCE = 400_000


def _chunk_bounds(sizes: np.ndarray, chunk_size: int) -> list[int]:
    """Chunk boundaries: at most ``chunk_size`` centres and about CHUNK_PRESENCE presence points."""
    bounds, count, total = [0], 0, 0
    for i, n in enumerate(sizes):
        if count and (count >= chunk_size or total + n > CHUNK_PRESENCE):
            bounds.append(i)
            count, total = 0, 0
        count += 1
        total += int(n)
    if bounds[-1] != len(sizes):
        bounds.append(len(sizes))
    return bounds
