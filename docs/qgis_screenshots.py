"""Take the screenshots of docs/qgis.rst in real QGIS under Xvfb (run by hand from the repository root, not by the tests).

    geoencode qgis install --profile /tmp/qgis-shots/profiles/default
    PYTHONPATH=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'):$PWD \
        xvfb-run -a -s "-screen 0 1400x900x24" qgis --nologo --noversioncheck \
        --profiles-path /tmp/qgis-shots --code docs/qgis_screenshots.py

It filters the Processing toolbox to the provider, opens the audit dialog, runs the audit on a
TorchSpatial evaluation CSV (``GEOENCODE_SHOT_CSV``) and grabs the styled result, then quits.
"""

import os
from pathlib import Path

import processing
from qgis.core import QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QDockWidget, QLineEdit
from qgis.utils import iface

OUT = Path(os.environ.get("GEOENCODE_SHOT_DIR", "docs"))  # --code exec()s the file: no __file__
CSV = os.environ.get("GEOENCODE_SHOT_CSV", "")
state = {}


def toolbox():
    win = iface.mainWindow()
    win.resize(1280, 800)
    box = win.findChild(QDockWidget, "ProcessingToolbox")
    box.show()
    box.raise_()
    box.findChild(QLineEdit).setText("geoencode")
    QTimer.singleShot(1500, dialog)


def dialog():
    iface.mainWindow().findChild(QDockWidget, "ProcessingToolbox").grab().save(str(OUT / "qgis_toolbox.png"))
    state["dialog"] = processing.createAlgorithmDialog("geoencode:geobias_audit")
    state["dialog"].resize(900, 640)
    state["dialog"].show()
    QTimer.singleShot(1500, result)


def result():
    state["dialog"].grab().save(str(OUT / "qgis_dialog.png"))
    state["dialog"].close()
    if CSV:
        uri = f"file://{CSV}?type=csv&delimiter=,&xField=lon&yField=lat&crs=EPSG:4326&detectTypes=yes&geomType=point"
        layer = QgsVectorLayer(uri, "results", "delimitedtext")
        processing.runAndLoadResults("geoencode:geobias_audit", {
            "INPUT": layer, "VALUE_FIELD": "hit@1", "RADIUS_KM": 100, "K": 4, "PRESET": 0,
            "OUTPUT": "TEMPORARY_OUTPUT"})
        canvas = iface.mapCanvas()
        canvas.setExtent(next(iter(QgsProject.instance().mapLayers().values())).extent())
        canvas.refresh()
    QTimer.singleShot(3000, finish)


def finish():
    if CSV:
        iface.mainWindow().grab().save(str(OUT / "qgis_result.png"))
    os._exit(0)


QTimer.singleShot(3000, toolbox)
