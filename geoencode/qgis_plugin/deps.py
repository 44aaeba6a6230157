"""Is the geoencode library usable from this Python? One message saying what is missing and how to fix it.

QGIS runs its own Python; the library, PyTorch and the geospatial stack must be importable there.
The plugin never lets an ``ImportError`` escape as a traceback: the provider logs this message
in the QGIS log, and every algorithm shows it in its dialog and refuses to run.
"""

from __future__ import annotations

import configparser
import importlib
import os
import sys
from contextlib import contextmanager
from functools import lru_cache

__all__ = ["missing_dependencies", "dependency_message", "version_note", "REQUIRED"]

#: Modules the algorithms import, in the order a user would install them.
REQUIRED = ("numpy", "pandas", "shapely", "pyproj", "geopandas", "torch", "libpysal", "esda", "folium",
            "geoencode", "geobias")


#: Wheels that bundle their own PROJ / GEOS / GDAL, which QGIS also links (other versions).
_OWN_NATIVE_LIBS = ("shapely", "pyproj", "pyogrio")


@contextmanager
def _own_libraries_first():
    """Let extension modules bind to the libraries they ship, not to the copies QGIS has loaded.

    Without this, a pip-installed pyproj or pyogrio inside QGIS (Linux) resolves PROJ/GDAL calls to
    QGIS's own PROJ/GDAL (the global symbol scope wins) and QGIS crashes when it exits.
    """
    deepbind = getattr(os, "RTLD_DEEPBIND", 0)  # glibc only; macOS/Windows use two-level namespaces
    if not deepbind:
        yield
        return
    old = sys.getdlopenflags()
    sys.setdlopenflags(os.RTLD_NOW | deepbind)
    try:
        yield
    finally:
        sys.setdlopenflags(old)


@lru_cache(maxsize=1)
def missing_dependencies() -> tuple[tuple[str, str], ...]:
    """``(module, reason)`` for every required module that cannot be imported (cached per session)."""
    missing = []
    try:
        import numpy  # noqa: F401  (before the native-library wheels, with the usual flags)
    except Exception:
        pass
    with _own_libraries_first():
        for name in _OWN_NATIVE_LIBS:
            try:
                importlib.import_module(name)
            except Exception:
                pass  # reported below (pyogrio is optional)
    for name in REQUIRED:
        try:
            importlib.import_module(name)
        except Exception as exc:  # a broken install (ABI mismatch, DLL error) is as missing as an absent one
            missing.append((name, f"{type(exc).__name__}: {exc}"))
    return tuple(missing)


def dependency_message() -> str:
    """Empty when everything imports; otherwise what is missing, for which Python, and the fix."""
    missing = missing_dependencies()
    if not missing:
        return ""
    lines = "\n".join(f"  - {name} ({reason})" for name, reason in missing)
    return (
        f"The geoencode algorithms need Python packages that QGIS's Python ({sys.executable}, "
        f"Python {sys.version.split()[0]}) cannot import:\n{lines}\n"
        "Install the geoencode library into the Python that QGIS uses (or put an environment's "
        "site-packages on PYTHONPATH before starting QGIS), then restart QGIS. "
        "See the geoencode documentation, page 'QGIS'."
    )


def version_note() -> str:
    """Empty when the plugin and the library have the same version; else how to bring them together.

    An installed copy of the plugin does not follow upgrades of the library it calls.
    """
    meta = configparser.ConfigParser(interpolation=None)
    meta.read(os.path.join(os.path.dirname(__file__), "metadata.txt"), encoding="utf-8")
    plugin = meta.get("general", "version", fallback="?")
    try:
        import geoencode
    except Exception:
        return ""  # dependency_message() says it
    library = getattr(geoencode, "__version__", "?")
    if plugin == library:
        return ""
    return (f"the geoencode QGIS plugin is version {plugin} but the library QGIS imports is {library} "
            f"({os.path.dirname(geoencode.__file__)}); reinstall the plugin from that library with "
            "'geoencode qgis install --overwrite' so that both match.")
