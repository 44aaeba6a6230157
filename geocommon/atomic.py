"""Atomic file writes: a temporary file beside the target, then one rename.

Every writer of both packages goes through :func:`atomic_path`, so all outputs share one set of
rules: a crash or an error leaves no half-written file (and no temporary file) behind, an existing
file is replaced only with ``overwrite=True``, an input is never written over, missing parent
folders are created, and the output gets the permissions any new file gets (``0o666`` less the
umask — :func:`tempfile.mkstemp` alone would leave it private, ``0o600``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["atomic_path", "check_target", "same_file", "current_umask", "EXISTS_MESSAGE", "INPUT_MESSAGE"]

#: Default wording of the refusal to overwrite (``{path}`` is filled in). The command lines
#: translate ``overwrite=True`` into ``--overwrite`` (:func:`geocommon.cli.cli_wording`).
EXISTS_MESSAGE = "{path} already exists; pass overwrite=True to replace it."
INPUT_MESSAGE = "{path} is an input file, and inputs are never overwritten; choose another output."

# SQLite (GeoPackage) writes these beside the database while a transaction is open.
_SIDE_FILES = ("-wal", "-shm", "-journal")


def current_umask() -> int:
    """The process umask, read without changing it where the system allows.

    ``os.umask`` can only be read by setting it; between the two calls another thread would
    create files with the wrong permissions, so Linux's ``/proc/self/status`` is read first.

    Examples
    --------
    >>> 0 <= current_umask() <= 0o777
    True
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two paths name the same file (links and ``./`` detours included).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_text("x")
    >>> same_file(p, p.parent / "." / "a.txt"), same_file(p, p.parent / "b.txt")
    (True, False)
    """
    a, b = Path(a), Path(b)
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def check_target(
    path: str | os.PathLike,
    *,
    overwrite: bool = False,
    inputs: Iterable[str | os.PathLike] = (),
    error: type[Exception] = FileExistsError,
    exists_message: str = EXISTS_MESSAGE,
    input_message: str = INPUT_MESSAGE,
) -> Path:
    """Refuse to write ``path`` over one of ``inputs``, or over an existing file without ``overwrite``.

    Call it before long work, so that a refusal comes before the work, not after it.

    Parameters
    ----------
    path : str or os.PathLike
        The output.
    overwrite : bool, default False
        Allow replacing an existing ``path`` (never an input).
    inputs : iterable of path-like, default ()
        Files that must never be written over, ``overwrite`` or not.
    error : exception class, default FileExistsError
        What to raise (the caller's own error class).
    exists_message, input_message : str
        Wording of the two refusals; ``{path}`` is replaced by the path.

    Returns
    -------
    pathlib.Path
        ``path`` as a :class:`~pathlib.Path`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_text("x")
    >>> check_target(p)
    Traceback (most recent call last):
    ...
    FileExistsError: ... already exists; pass overwrite=True to replace it.
    """
    path = Path(path)
    for inp in inputs:
        if same_file(inp, path):
            raise error(input_message.format(path=path))
    if path.exists() and not overwrite:
        raise error(exists_message.format(path=path))
    return path


def _publish(tmp: Path, path: Path, overwrite: bool, error: type[Exception], exists_message: str) -> None:
    if overwrite:
        os.replace(tmp, path)
        return
    # A hard link fails if ``path`` appeared since check_target: no clobbering, even in a race.
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise error(exists_message.format(path=path)) from None
    except OSError as exc:  # file systems without hard links (some FUSE/SMB mounts)
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        if path.exists():
            raise error(exists_message.format(path=path)) from None
        os.replace(tmp, path)
        return
    tmp.unlink()


@contextlib.contextmanager
def atomic_path(
    path: str | os.PathLike,
    *,
    overwrite: bool = False,
    inputs: Iterable[str | os.PathLike] = (),
    suffix: str | None = None,
    create: bool = True,
    error: type[Exception] = FileExistsError,
    exists_message: str = EXISTS_MESSAGE,
    input_message: str = INPUT_MESSAGE,
) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder; when the block succeeds it becomes ``path``.

    On an error (or Ctrl-C) inside the block the temporary file, and any SQLite side file
    beside it, is removed, ``path`` is left as it was, and the exception propagates.

    Parameters
    ----------
    path : str or os.PathLike
        The final file. Missing parent folders are created.
    overwrite : bool, default False
        Replace an existing ``path``; without it an existing file raises ``error``.
    inputs : iterable of path-like, default ()
        Files never to write over (see :func:`check_target`).
    suffix : str, optional
        Suffix of the temporary file (default: ``path``'s, for writers that pick the format by it).
    create : bool, default True
        Yield an existing empty file; ``False`` yields a fresh name that does not exist yet, for
        writers that refuse to open an existing file (GDAL's GeoPackage driver, pyarrow).
    error : exception class, default FileExistsError
        Raised for a refusal (the caller's own error class).
    exists_message, input_message : str
        Wording of the refusals (``{path}`` is filled in).

    Yields
    ------
    pathlib.Path
        The temporary path to write to.

    Examples
    --------
    >>> import tempfile, os
    >>> target = Path(tempfile.mkdtemp()) / "sub" / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text(), sorted(os.listdir(target.parent))
    ('done', ['out.txt'])
    >>> oct(target.stat().st_mode & 0o777) == oct(0o666 & ~current_umask())
    True
    """
    path = check_target(path, overwrite=overwrite, inputs=inputs, error=error,
                        exists_message=exists_message, input_message=input_message)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                suffix=path.suffix if suffix is None else suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        if not create:
            tmp.unlink()
        yield tmp
        if not tmp.exists():
            raise error(f"nothing was written to {path}.")
        # mkstemp makes the file private (0600); give the output the permissions any new file gets.
        os.chmod(tmp, 0o666 & ~current_umask())
        _publish(tmp, path, overwrite, error, exists_message)
    except BaseException:
        # an interrupted SQLite writer leaves its journal beside the file; after a success a
        # journal would still hold data, so it is only ever removed here
        for side in (tmp, *(Path(f"{tmp}{s}") for s in _SIDE_FILES)):
            side.unlink(missing_ok=True)
        raise
