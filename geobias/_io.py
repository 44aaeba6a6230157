"""Atomic file writes of geobias: :func:`geocommon.atomic.atomic_path` raising :class:`GeoBiasError`.

The map, figure and GeoPackage writers and the command line all write through :func:`atomic_path`:
a temporary file in the destination folder, then one rename; an existing file is replaced only
with ``overwrite=True`` (``--overwrite``), an input never.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from geocommon import atomic as _atomic

from .errors import GeoBiasError

__all__ = ["atomic_path", "check_target", "EXISTS_MESSAGE", "INPUT_MESSAGE"]

#: geobias's refusals; the command line rewrites ``overwrite=True`` as ``--overwrite``.
EXISTS_MESSAGE = "{path} already exists; pass overwrite=True to replace it"
INPUT_MESSAGE = "refusing to overwrite the input file {path}; choose another output"


def check_target(path: str | os.PathLike, inputs: Iterable[str | os.PathLike] = (),
                 overwrite: bool = False) -> Path:
    """Refuse to write over an input, or over an existing file without ``overwrite``.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "in.csv"
    >>> _ = p.write_text("lon,lat")
    >>> check_target(p, inputs=[p], overwrite=True)
    Traceback (most recent call last):
    ...
    geobias.errors.GeoBiasError: refusing to overwrite the input file ...; choose another output
    """
    return _atomic.check_target(path, overwrite=overwrite, inputs=inputs, error=GeoBiasError,
                                exists_message=EXISTS_MESSAGE, input_message=INPUT_MESSAGE)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None, *, overwrite: bool = False,
                inputs: Iterable[str | os.PathLike] = (), create: bool = True) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` in one rename.

    See :func:`geocommon.atomic.atomic_path`; refusals raise :class:`GeoBiasError`.

    Examples
    --------
    >>> import tempfile, os
    >>> target = Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text(), sorted(os.listdir(target.parent))
    ('done', ['out.txt'])
    """
    with _atomic.atomic_path(path, overwrite=overwrite, inputs=inputs, suffix=suffix, create=create,
                             error=GeoBiasError, exists_message=EXISTS_MESSAGE,
                             input_message=INPUT_MESSAGE) as tmp:
        yield tmp
