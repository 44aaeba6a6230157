"""The exceptions of the LocBench loaders."""

from __future__ import annotations

from ...errors import GeoEncodeError

__all__ = ["LocBenchError", "LocBenchFileNotFoundError"]


class LocBenchError(GeoEncodeError):
    """A LocBench file that is missing or malformed, or a bad argument to :func:`load_locbench`.

    The message names the file (absolute path), what was expected and what was found.
    """


class LocBenchFileNotFoundError(FileNotFoundError, LocBenchError):
    """A LocBench directory or file that is not where the published layout puts it.

    Also a :class:`FileNotFoundError`, so ``except FileNotFoundError`` catches it.
    """

    # FileNotFoundError first: ``cls.__new__`` is then OSError's, whose memory layout the class
    # has. With ValueError's first, tblib (installed by dask.distributed) cannot re-create the
    # error when unpickling it, since it calls ``cls.__new__(cls, *args)``.


# Shown (in tracebacks, the docs and doctests) under the package users import them from.
LocBenchError.__module__ = LocBenchFileNotFoundError.__module__ = "geoencode.bench.locbench"
