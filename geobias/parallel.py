"""Running per-centre work in chunks: serially, in a process pool or on Dask.

Each chunk is an independent list of centres and every centre's score only
depends on its own neighbourhood, so the parallel results are bit-identical
to the serial run.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

__all__ = ["run_chunks", "effective_jobs"]

#: Below this many centres a pool costs more than it saves.
MIN_PARALLEL_CENTRES = 3000


def effective_jobs(n_jobs: int | None, n_centres: int) -> int:
    """Number of worker processes to use.

    Parameters
    ----------
    n_jobs : int or None
        ``None``: all cores, but only for large inputs; ``1``: serial;
        ``-1``: all cores; ``k > 1``: ``k`` processes.
    n_centres : int
        Amount of work.

    Returns
    -------
    int
        Processes (1 means run in this process).

    Examples
    --------
    >>> effective_jobs(None, 100)
    1
    """
    cpus = os.cpu_count() or 1
    if n_jobs is None:
        return min(cpus, 8) if n_centres >= MIN_PARALLEL_CENTRES else 1
    if n_jobs == -1:
        return cpus
    if n_jobs < 1:
        from .errors import GeoBiasError

        raise GeoBiasError(f"n_jobs={n_jobs} must be a positive integer, -1 or None")
    return int(n_jobs)


def run_chunks(
    func: Callable[[Any], Any],
    chunks: Sequence[Any],
    n_jobs: int = 1,
    client=None,
    progress: bool = False,
    desc: str = "geobias",
) -> list[Any]:
    """Apply ``func`` to every chunk and return the results in chunk order.

    Parameters
    ----------
    func : callable
        A picklable top-level function of one argument.
    chunks : sequence
        Its arguments.
    n_jobs : int, default 1
        Local processes (1: serial).
    client : dask.distributed.Client, optional
        Run on this Dask cluster instead of locally.
    progress : bool, default False
        Show a tqdm progress bar over chunks.
    desc : str, default "geobias"
        Progress-bar label.

    Returns
    -------
    list
        ``[func(c) for c in chunks]``.

    Examples
    --------
    >>> run_chunks(abs, [-1, 2])
    [1, 2]
    """
    from tqdm.auto import tqdm

    bar = tqdm(total=len(chunks), desc=desc, disable=not progress, leave=False)
    try:
        if client is not None:
            from dask.distributed import as_completed

            futures = client.map(func, list(chunks), pure=False)
            for _ in as_completed(futures):
                bar.update(1)
            return client.gather(futures)
        if n_jobs <= 1 or len(chunks) <= 1:
            out = []
            for c in chunks:
                out.append(func(c))
                bar.update(1)
            return out
        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        with ProcessPoolExecutor(max_workers=n_jobs, mp_context=mp.get_context(method)) as ex:
            futures = [ex.submit(func, c) for c in chunks]
            out = []
            for f in futures:
                out.append(f.result())
                bar.update(1)
            return out
    finally:
        bar.close()
