"""Is the geoencode library usable from this Python? One message saying what is missing and how to fix it.

QGIS runs its own Python; the library, PyTorch and the geospatial stack must be importable there.
The plugin never lets an ``ImportError`` escape as a traceback: the provider logs this message
in the QGIS log, and every algorithm shows it in its dialog and refuses to run.
"""

from __future__ import annotations

import importlib
import sys
from functools import lru_cache

__all__ = ["missing_dependencies", "dependency_message", "REQUIRED"]

#: Modules the algorithms import, in the order a user would install them.
REQUIRED = ("numpy", "pandas", "shapely", "pyproj", "geopandas", "torch", "libpysal", "esda", "folium",
            "geoencode", "geobias")


@lru_cache(maxsize=1)
def missing_dependencies() -> tuple[tuple[str, str], ...]:
    """``(module, reason)`` for every required module that cannot be imported (cached per session)."""
    missing = []
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
