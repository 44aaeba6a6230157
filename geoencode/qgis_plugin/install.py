"""Put the plugin into a QGIS profile, or zip it for the plugin repository (no QGIS needed).

Both write atomically (a temporary sibling, then one rename) and refuse to replace an existing
plugin folder or zip unless told to (``overwrite=True`` / ``--overwrite``).
"""

from __future__ import annotations

import configparser
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from ..errors import GeoEncodeError
from . import PLUGIN_NAME

__all__ = ["PLUGIN_DIR", "default_profile", "install", "package", "enable_plugin", "plugin_version"]

#: The plugin folder shipped inside the distribution (this package).
PLUGIN_DIR = Path(__file__).resolve().parent
# The installer itself is library code (it imports geoencode relatively), not part of the plugin.
_NOT_PLUGIN = ("install.py", "cli.py")
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", ".*", *_NOT_PLUGIN)
_LICENSE = """MIT License

Copyright (c) geoencode developers

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES
OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def default_profile() -> Path:
    """The ``default`` QGIS 3 user profile of this platform (where QGIS looks without ``--profile``).

    Examples
    --------
    >>> default_profile().parts[-3:]
    ('QGIS3', 'profiles', 'default')
    """
    if sys.platform.startswith("win"):
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "QGIS" / "QGIS3" / "profiles" / "default"


def plugin_version() -> str:
    """The ``version`` of the plugin's ``metadata.txt``.

    Examples
    --------
    >>> plugin_version().count(".") >= 1
    True
    """
    meta = configparser.ConfigParser(interpolation=None)
    meta.read(PLUGIN_DIR / "metadata.txt", encoding="utf-8")
    return meta["general"]["version"]


def _set_ini_key(text: str, section: str, key: str, value: str) -> str:
    """``text`` (a Qt INI file) with ``key=value`` in ``[section]``; every other line kept verbatim."""
    lines = text.splitlines()
    header = f"[{section}]"
    start = next((i for i, line in enumerate(lines) if line.strip() == header), None)
    if start is None:
        return "\n".join(lines + ([""] if lines and lines[-1].strip() else []) + [header, f"{key}={value}"]) + "\n"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].strip().startswith("[")), len(lines))
    for i in range(start + 1, end):
        if lines[i].split("=", 1)[0].strip() == key:
            lines[i] = f"{key}={value}"
            break
    else:
        last = max((i for i in range(start, end) if lines[i].strip()), default=start)
        lines.insert(last + 1, f"{key}={value}")
    return "\n".join(lines) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def enable_plugin(profile: str | os.PathLike, name: str = PLUGIN_NAME) -> Path:
    """Mark plugin ``name`` as enabled in the profile's ``QGIS/QGIS3.ini`` (``[PythonPlugins]``).

    QGIS reads this at start-up; a running QGIS rewrites the file when it exits, so install while
    QGIS is closed (or tick the plugin in *Plugins › Manage and Install Plugins*).

    Examples
    --------
    >>> import tempfile
    >>> ini = enable_plugin(tempfile.mkdtemp())
    >>> "[PythonPlugins]" in ini.read_text() and "geoencode_qgis=true" in ini.read_text()
    True
    """
    ini = Path(profile) / "QGIS" / "QGIS3.ini"
    text = ini.read_text(encoding="utf-8") if ini.exists() else ""
    _write_atomic(ini, _set_ini_key(text, "PythonPlugins", name, "true"))
    return ini


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def install(profile: str | os.PathLike | None = None, *, link: bool = False, overwrite: bool = False,
            enable: bool = True) -> Path:
    """Copy (or symlink, ``link=True``) the plugin into ``<profile>/python/plugins`` and enable it.

    Parameters
    ----------
    profile : path, optional
        A QGIS profile folder (the one holding ``QGIS/QGIS3.ini``); default :func:`default_profile`.
    link : bool, default False
        A symbolic link to this package's folder instead of a copy (for development: edits apply
        at the next QGIS start). On Windows, links need developer mode or administrator rights.
    overwrite : bool, default False
        Replace an installed copy or link; otherwise an existing one raises.
    enable : bool, default True
        Also tick the plugin in the profile's settings (:func:`enable_plugin`).

    Returns
    -------
    pathlib.Path
        The installed plugin folder.

    Examples
    --------
    >>> import tempfile
    >>> target = install(tempfile.mkdtemp())
    >>> target.name, (target / "metadata.txt").is_file()
    ('geoencode_qgis', True)
    """
    profile = Path(profile) if profile is not None else default_profile()
    plugins = profile / "python" / "plugins"
    dest = plugins / PLUGIN_NAME
    if (dest.exists() or dest.is_symlink()) and not overwrite:
        raise GeoEncodeError(f"{str(dest)!r} exists; pass overwrite=True to replace it.")
    plugins.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{PLUGIN_NAME}.", dir=plugins))
    new = staging / PLUGIN_NAME
    try:
        if link:
            try:
                os.symlink(PLUGIN_DIR, new, target_is_directory=True)
            except OSError as exc:
                raise GeoEncodeError(
                    f"could not create a symbolic link to {str(PLUGIN_DIR)!r} ({exc}); on Windows, links need "
                    "developer mode or administrator rights; install a copy instead (link=False).") from exc
        else:
            shutil.copytree(PLUGIN_DIR, new, ignore=_SKIP)
        if dest.exists() or dest.is_symlink():
            os.replace(dest, staging / "previous")  # moved aside first: a directory cannot be renamed over
        os.replace(new, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if enable:
        enable_plugin(profile)
    return dest


def package(out: str | os.PathLike | None = None, *, overwrite: bool = False) -> Path:
    """The zip the QGIS plugin repository accepts: one top folder ``geoencode_qgis/`` with the plugin.

    Parameters
    ----------
    out : path, optional
        The zip file, or a folder to put ``geoencode_qgis-<version>.zip`` in (default: the current folder).
    overwrite : bool, default False
        Replace an existing zip; otherwise it raises.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, zipfile
    >>> z = package(tempfile.mkdtemp())
    >>> names = zipfile.ZipFile(z).namelist()
    >>> "geoencode_qgis/metadata.txt" in names, all(n.startswith("geoencode_qgis/") for n in names)
    (True, True)
    """
    out = Path(out) if out is not None else Path.cwd()
    if out.is_dir() or out.suffix.lower() != ".zip":
        out = out / f"{PLUGIN_NAME}-{plugin_version()}.zip"
    if out.exists() and not overwrite:
        raise GeoEncodeError(f"{str(out)!r} exists; pass overwrite=True to replace it.")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".zip", dir=out.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(PLUGIN_DIR.rglob("*")):
                rel = path.relative_to(PLUGIN_DIR)
                if path.is_dir() or any(p == "__pycache__" or p.startswith(".") for p in rel.parts) \
                        or path.suffix in (".pyc", ".pyo") or rel.as_posix() in _NOT_PLUGIN:
                    continue
                z.write(path, f"{PLUGIN_NAME}/{rel.as_posix()}")
            if not (PLUGIN_DIR / "LICENSE").exists():
                z.writestr(f"{PLUGIN_NAME}/LICENSE", _LICENSE)  # the repository requires one
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
