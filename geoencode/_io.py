"""Atomic file writes for geoencode: :func:`geocommon.atomic.atomic_path` with geoencode's error."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from geocommon.atomic import atomic_path

from .errors import GeoEncodeError

__all__ = ["atomic_write", "EXISTS_MESSAGE"]

#: geoencode's refusal; its command line rewrites ``overwrite=True`` as ``--overwrite``.
EXISTS_MESSAGE = "{path} already exists; pass overwrite=True (--overwrite on the command line) to replace it."


def atomic_write(path: str | os.PathLike, write: Callable[[str], object], *, overwrite: bool = False) -> Path:
    """Call ``write(tmp_path)`` and rename the result to ``path``, so a crash leaves no half file.

    Refuses to replace an existing ``path`` unless ``overwrite``; creates missing parent folders.
    The temporary file keeps ``path``'s suffix, for writers that choose a format by it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "sub" / "x.txt"
    >>> atomic_write(target, lambda tmp: pathlib.Path(tmp).write_text("hi")).read_text()
    'hi'
    """
    with atomic_path(path, overwrite=overwrite, error=GeoEncodeError, exists_message=EXISTS_MESSAGE) as tmp:
        write(str(tmp))
    return Path(path)
