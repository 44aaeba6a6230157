"""Atomic file writes shared by the map, figure and GeoPackage writers."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import GeoBiasError

__all__ = ["atomic_path"]


def _umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` in one rename.

    On error the temporary file is removed and ``path`` is left as it was.
    The file gets the usual permissions (``0o666`` minus the umask).

    Parameters
    ----------
    path : str or os.PathLike
        Final destination; its folder must exist.
    suffix : str
        Suffix of the temporary file (some writers pick the format from it).

    Examples
    --------
    >>> import tempfile, os
    >>> target = Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text(), sorted(os.listdir(target.parent))
    ('done', ['out.txt'])
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise GeoBiasError(f"cannot write {str(path)!r}: folder {str(path.parent)!r} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or ".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        os.chmod(tmp_path, 0o666 & ~_umask())
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
