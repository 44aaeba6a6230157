"""Real QGIS opens the GeoPackage from geobias.maps.to_gpkg with its embedded styles.

Debian's PyQGIS (``apt-get install -y python3-qgis``) is built for the system
Python, not the project's virtual environment, so the check runs as a small
script under ``/usr/bin/python3`` (or ``$QGIS_PYTHON``) with
``QT_QPA_PLATFORM=offscreen``. Skipped where ``qgis.core`` cannot be imported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from geobias.hotspots import HOTSPOT_CLASSES, HOTSPOT_COLORS, hotspots
from geobias.maps import to_gpkg
from conftest import synthetic_per_centre

pytestmark = pytest.mark.qgis

QGIS_PYTHON = os.environ.get("QGIS_PYTHON") or shutil.which("python3", path="/usr/bin") or sys.executable
ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
ENV.pop("PYTHONPATH", None)
ENV.pop("VIRTUAL_ENV", None)


def _has_pyqgis() -> bool:
    try:
        r = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], env=ENV, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


if not _has_pyqgis():
    pytest.skip(f"PyQGIS is not importable by {QGIS_PYTHON} (apt-get install -y python3-qgis)",
                allow_module_level=True)

CHECK = textwrap.dedent(
    """
    import json, sys
    from qgis.core import Qgis, QgsApplication, QgsVectorLayer

    app = QgsApplication([], False)
    app.initQgis()
    path, names = sys.argv[1], sys.argv[2:]
    out = {"qgis": Qgis.QGIS_VERSION, "layers": {}}
    for name in names:
        layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")  # loads the default style
        r = layer.renderer()
        info = {"valid": layer.isValid(), "features": layer.featureCount(),
                "renderer": r.type() if r else None}
        if r is not None and r.type() == "categorizedSymbol":
            info["attr"] = r.classAttribute()
            info["categories"] = [[str(c.value()), c.symbol().color().name()] for c in r.categories()]
        if r is not None and r.type() == "graduatedSymbol":
            info["attr"] = r.classAttribute()
            info["ranges"] = [[x.lowerValue(), x.upperValue()] for x in r.ranges()]
        n, ids, style_names, _, err = layer.listStylesInDatabase()
        info["styles"] = list(style_names)
        out["layers"][name] = info
        del r, layer
    print("RESULT " + json.dumps(out), flush=True)
    app.exitQgis()
    """
)


def test_qgis_loads_layers_with_embedded_styles(tmp_path):
    n = 60
    pc = synthetic_per_centre(n)
    hs = hotspots(pc, "acc", k=8, random_state=0)
    path = to_gpkg(tmp_path / "audit.gpkg", pc, hs, value="acc")
    script = tmp_path / "check.py"
    script.write_text(CHECK)
    runtime = tmp_path / "xdg-runtime"
    runtime.mkdir(mode=0o700)
    r = subprocess.run([QGIS_PYTHON, str(script), str(path), "per_centre", "hotspots"],
                       env={**ENV, "XDG_RUNTIME_DIR": str(runtime)},
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    line = next((x for x in r.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert r.returncode == 0 and line, f"QGIS check failed:\n{r.stdout}\n{r.stderr}"
    result = json.loads(line[len("RESULT "):])
    per, hot = result["layers"]["per_centre"], result["layers"]["hotspots"]

    assert per["valid"] and per["features"] == n
    assert per["renderer"] == "graduatedSymbol" and per["attr"] == "relative"
    assert len(per["ranges"]) == 5
    assert per["ranges"][0][0] == pytest.approx(pc["relative"].min())
    assert per["ranges"][-1][1] == pytest.approx(pc["relative"].max())
    assert {"Relative SSI", "Base SSI", "Performance (acc)"} <= set(per["styles"])

    assert hot["valid"] and hot["features"] == n
    assert hot["renderer"] == "categorizedSymbol" and hot["attr"] == "hotspot"
    assert hot["categories"] == [[c, HOTSPOT_COLORS[c]] for c in HOTSPOT_CLASSES[:7]]
    assert "Hot-spot classes" in hot["styles"]
