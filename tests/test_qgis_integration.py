"""Real QGIS opens the GeoPackage from geobias.maps.to_gpkg with its embedded styles.

The check runs as a small script in QGIS's own Python (see ``tests/qgis_session.py``),
without this library on its path. Skipped where ``qgis.core`` cannot be imported.
"""

from __future__ import annotations

import json
import subprocess
import textwrap

import pytest

from geobias.hotspots import HOTSPOT_CLASSES, HOTSPOT_COLORS, hotspots
from geobias.maps import to_gpkg
from conftest import synthetic_per_centre
from qgis_session import QGIS_PYTHON, qgis_env, skip_without_pyqgis

pytestmark = pytest.mark.qgis

skip_without_pyqgis()

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
    r = subprocess.run([QGIS_PYTHON, str(script), str(path), "per_centre", "hotspots"], env=qgis_env(tmp_path),
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
