"""Running real QGIS from the tests: which Python has PyQGIS, and the environment to start it in.

Debian's PyQGIS (``apt-get install -y python3-qgis``) is built for the system Python, not the
project's virtual environment, so QGIS checks run as scripts under ``/usr/bin/python3`` (or
``$QGIS_PYTHON``) with ``QT_QPA_PLATFORM=offscreen``; with ``library=True`` this environment's
site-packages and the repository go on ``PYTHONPATH`` (the set-up docs/qgis.rst describes).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

QGIS_PYTHON = os.environ.get("QGIS_PYTHON") or shutil.which("python3", path="/usr/bin") or sys.executable
REPO = Path(__file__).resolve().parents[1]
BASE_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
BASE_ENV["QT_QPA_PLATFORM"] = "offscreen"
LIBRARY_PATH = os.pathsep.join(dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
                                              str(REPO)]))


def skip_without_pyqgis() -> None:
    """Skip the calling test module when ``qgis.core`` cannot be imported by :data:`QGIS_PYTHON`."""
    try:
        r = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], env=BASE_ENV, capture_output=True, timeout=60)
        ok = r.returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    if not ok:
        pytest.skip(f"PyQGIS is not importable by {QGIS_PYTHON} (apt-get install -y python3-qgis)",
                    allow_module_level=True)


def qgis_env(tmp: Path, library: bool = False, **extra: str) -> dict[str, str]:
    """Environment for a QGIS process: its own runtime folder and HOME under ``tmp``."""
    runtime = tmp / "xdg-runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {**BASE_ENV, "XDG_RUNTIME_DIR": str(runtime), "HOME": str(tmp), **extra}
    if library:
        env["PYTHONPATH"] = LIBRARY_PATH
    return env
