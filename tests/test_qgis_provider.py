"""The Processing provider in real QGIS: ``processing.run("geoencode:…")``, a graphical model, start-up.

QGIS runs as a script in its own Python with this environment's site-packages and the
repository on ``PYTHONPATH`` (``tests/qgis_session.py``; the set-up docs/qgis.rst describes) and
reports JSON back.
QGIS starts once for all the algorithm checks (module fixture), and ``qgis_process`` (Debian
package ``qgis``) starts twice for the install test. Expected values come from the library,
run here in the test's own Python on the same files. Skipped where ``qgis.core`` is not importable.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import textwrap

import geopandas as gpd
import numpy as np
import pytest
import shapely

import geobias
import geoencode  # noqa: F401  (the geo accessor)
from geobias.hotspots import HOTSPOT_CLASSES, hotspots
from geobias.maps import read_layer_styles, remote_resources
from geoencode.qgis_plugin.install import install
from conftest import SHARED
from qgis_session import QGIS_PYTHON, REPO, qgis_env, skip_without_pyqgis

pytestmark = pytest.mark.qgis

MODEL = REPO / "tests" / "data" / "encode_then_audit.model3"
EVAL_CSV = SHARED / "data" / "torchspatial" / "eval_results" / "classification" / "eval_birdsnap_orig_meta_test_rbf.csv"

skip_without_pyqgis()


# One QGIS session: every algorithm, styled loading, cancellation, a bad parameter, the model.
SCRIPT = textwrap.dedent(
    r"""
    import json, os, sys
    from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsFeature, QgsGeometry, QgsProcessingException, QgsProcessingFeedback,
                           QgsProcessingModelAlgorithm, QgsProject, QgsVectorLayer)

    cfg = json.load(open(sys.argv[1]))
    app = QgsApplication([], False)
    app.initQgis()
    sys.path.append("/usr/share/qgis/python/plugins")
    from processing.core.Processing import Processing
    Processing.initialize()
    import processing

    sys.path.insert(0, cfg["plugins"])          # the copy `geoencode qgis install` made
    import geoencode_qgis
    import geoencode_qgis.algorithms.encode
    geoencode_qgis.algorithms.encode._CHUNK = 16  # several blocks per layer: they must agree with one call
    provider = geoencode_qgis.provider()        # keep a reference: the registry does not own it for Python
    QgsApplication.processingRegistry().addProvider(provider)
    out = {"algorithms": {}, "runs": {}, "errors": {}, "layers": {}}
    for alg in provider.algorithms():
        out["algorithms"][alg.id()] = [p.name() for p in alg.parameterDefinitions()]
    enc = QgsApplication.processingRegistry().algorithmById("geoencode:encode")
    encoders = enc.parameterDefinition("ENCODER").options()
    out["encoders"] = encoders
    gpkg, d = cfg["gpkg"], cfg["out"]

    def run(key, alg, params, **kw):
        out["runs"][key] = {k: (v if isinstance(v, (str, int, float)) else str(v))
                            for k, v in processing.run(alg, params, **kw).items()}

    progress = QgsProcessingFeedback()
    steps = []
    progress.progressChanged.connect(steps.append)
    run("points", "geoencode:encode", {"INPUT": gpkg + "|layername=points", "ENCODER": "sphereC",
                                       "PARAMS": "frequency_num=4", "OUTPUT": d + "/points_enc.gpkg"},
        feedback=progress)
    out["progress"] = steps
    run("polygons", "geoencode:encode", {"INPUT": gpkg + "|layername=polygons",
                                         "ENCODER": encoders.index("Space2Vec-theory"), "HOW": 2, "N_SAMPLES": 8,
                                         "PARAMS": "frequency_num=4; max_radius=10000", "PREFIX": "emb",
                                         "OUTPUT": d + "/polygons_enc.gpkg"})

    # Cancelled before it starts: an exception, and no output file.
    fb = QgsProcessingFeedback()
    fb.cancel()
    try:
        processing.run("geoencode:encode", {"INPUT": gpkg + "|layername=points", "OUTPUT": d + "/cancelled.gpkg"},
                       feedback=fb)
    except QgsProcessingException as exc:
        out["errors"]["cancelled"] = str(exc)
    out["cancelled_output_exists"] = os.path.exists(d + "/cancelled.gpkg")
    try:
        processing.run("geoencode:encode", {"INPUT": gpkg + "|layername=points", "PARAMS": "frequency_num",
                                            "OUTPUT": d + "/bad.gpkg"})
    except QgsProcessingException as exc:
        out["errors"]["bad_params"] = str(exc)
    try:
        processing.run("geoencode:encode", {"INPUT": gpkg + "|layername=points", "ENCODER": "sphereQ",
                                            "OUTPUT": "memory:"})
    except QgsProcessingException as exc:
        out["errors"]["bad_encoder"] = str(exc)

    # Edge cases: a layer without CRS, an empty layer, a curved geometry (circle in UTM 31N).
    nocrs = QgsVectorLayer("Point", "nocrs", "memory")
    nocrs.setCrs(QgsCoordinateReferenceSystem())  # QGIS gives new layers a default CRS; take it away
    f = QgsFeature(); f.setGeometry(QgsGeometry.fromWkt("POINT(1 2)")); nocrs.dataProvider().addFeature(f)
    try:
        processing.run("geoencode:encode", {"INPUT": nocrs, "OUTPUT": "memory:"})
    except QgsProcessingException as exc:
        out["errors"]["no_crs"] = str(exc)
    empty = QgsVectorLayer("Point?crs=EPSG:4326&field=a:integer", "empty", "memory")
    res = processing.run("geoencode:encode", {"INPUT": empty, "ENCODER": "sphereC", "PARAMS": "frequency_num=4",
                                              "OUTPUT": "memory:"})["OUTPUT"]
    out["empty"] = {"features": res.featureCount(), "fields": res.fields().names()}
    curved = QgsVectorLayer("CurvePolygon?crs=EPSG:32631", "curved", "memory")
    f = QgsFeature(); f.setGeometry(QgsGeometry.fromWkt(
        "CURVEPOLYGON(CIRCULARSTRING(500000 5400000, 510000 5410000, 520000 5400000, 510000 5390000, 500000 5400000))"))
    curved.dataProvider().addFeature(f)
    res = processing.run("geoencode:encode", {"INPUT": curved, "ENCODER": "sphereC", "PARAMS": "frequency_num=4",
                                              "OUTPUT": "memory:"})["OUTPUT"]
    out["curved"] = [next(res.getFeatures()).attributes(), res.wkbType() == curved.wkbType()]

    def describe(layer):
        r = layer.renderer()
        info = {"source": layer.source().split("|")[0], "features": layer.featureCount(),
                "renderer": r.type(), "crs": layer.crs().authid()}
        if r.type() == "categorizedSymbol":
            info["attr"], info["categories"] = r.classAttribute(), [str(c.value()) for c in r.categories()]
        if r.type() == "graduatedSymbol":
            info["attr"], info["ranges"] = r.classAttribute(), [[x.lowerValue(), x.upperValue()] for x in r.ranges()]
        return info

    if cfg["csv"]:
        uri = ("file://" + cfg["csv"] + "?type=csv&delimiter=,&xField=lon&yField=lat&crs=EPSG:4326"
               "&detectTypes=yes&geomType=point&spatialIndex=no&subsetIndex=no&watchFile=no")
        csv = QgsVectorLayer(uri, "results", "delimitedtext")
        out["csv_features"] = csv.featureCount()
        res = processing.runAndLoadResults("geoencode:geobias_audit", {
            "INPUT": csv, "VALUE_FIELD": "hit@1", "RADIUS_KM": 100, "K": 4, "PRESET": 0,
            "OUTPUT": d + "/per_centre.gpkg", "HOTSPOTS": d + "/hotspots.gpkg", "HTML_MAP": d + "/audit.html"})
        out["runs"]["audit"] = {k: (v if isinstance(v, (int, float)) else str(v)) for k, v in res.items()}
    res = processing.runAndLoadResults("geoencode:hotspots", {
        "INPUT": gpkg + "|layername=points", "FIELD": "acc", "METHOD": 1, "K": 6, "PERMUTATIONS": 0, "SEED": 3,
        "OUTPUT": d + "/moran.gpkg"})
    for layer in QgsProject.instance().mapLayers().values():
        info = describe(layer)
        out["layers"][os.path.basename(info["source"])] = info

    model = QgsProcessingModelAlgorithm()
    out["model_loaded"] = model.fromFile(cfg["model"])
    out["model_outputs"] = [p.name() for p in model.destinationParameterDefinitions()]
    res = processing.run(model, {"samples": gpkg + "|layername=points", "performance": "acc", "radius_km": 150,
                                 "audit:per_centre": d + "/model_per_centre.gpkg"})
    out["runs"]["model"] = {k: str(v) for k, v in res.items()}
    reopened = QgsVectorLayer(d + "/model_per_centre.gpkg", "reopened", "ogr")  # loads the default style
    out["reopened"] = [reopened.renderer().type(), reopened.renderer().classAttribute()]
    del reopened
    print("RESULT " + json.dumps(out), flush=True)
    QgsProject.instance().clear()
    app.exitQgis()
    """
)


def _points_polygons() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Points and polygons over northern France in UTM 31N (EPSG:32631): a projected CRS."""
    rng = np.random.default_rng(7)
    n = 40
    x, y = rng.uniform(300_000, 700_000, n), rng.uniform(5_300_000, 5_600_000, n)
    points = gpd.GeoDataFrame({"name": [f"site {i}" for i in range(n)], "acc": (x - 300_000) / 400_000},
                              geometry=gpd.points_from_xy(x, y), crs=32631)
    cx, cy = rng.uniform(300_000, 700_000, 12), rng.uniform(5_300_000, 5_600_000, 12)
    boxes = [shapely.box(a, b, a + w, b + w) for a, b, w in zip(cx, cy, rng.uniform(5_000, 60_000, 12))]
    polygons = gpd.GeoDataFrame({"zone": np.arange(12) * 10}, geometry=boxes, crs=32631)
    return points, polygons


@pytest.fixture(scope="module")
def qgis_session(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("qgis_provider")
    points, polygons = _points_polygons()
    gpkg = tmp / "inputs.gpkg"
    for name, frame in (("points", points), ("polygons", polygons)):
        frame.to_file(gpkg, layer=name, driver="GPKG", engine="pyogrio", dataset_options={"VERSION": "1.3"})
    plugin = install(tmp / "profile")
    (tmp / "out").mkdir()
    cfg = {"gpkg": str(gpkg), "out": str(tmp / "out"), "plugins": str(plugin.parent), "model": str(MODEL),
           "csv": str(EVAL_CSV) if EVAL_CSV.exists() else ""}
    (tmp / "cfg.json").write_text(json.dumps(cfg))
    (tmp / "session.py").write_text(SCRIPT)
    r = subprocess.run([QGIS_PYTHON, str(tmp / "session.py"), str(tmp / "cfg.json")], env=qgis_env(tmp, library=True),
                       capture_output=True, text=True, timeout=600, cwd=tmp)
    line = next((x for x in r.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert r.returncode == 0 and line, f"QGIS session failed (rc={r.returncode}):\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    return {"result": json.loads(line[len("RESULT "):]), "out": tmp / "out", "points": points,
            "polygons": polygons, "gpkg": gpkg, "stderr": r.stderr}


def test_provider_lists_the_algorithms_and_their_parameters(qgis_session):
    algs = qgis_session["result"]["algorithms"]
    assert set(algs) == {"geoencode:encode", "geoencode:geobias_audit", "geoencode:hotspots"}
    assert {"INPUT", "ENCODER", "HOW", "PARAMS", "OUTPUT"} <= set(algs["geoencode:encode"])
    assert {"INPUT", "VALUE_FIELD", "RADIUS_KM", "K", "PRESET", "OUTPUT", "HOTSPOTS", "HTML_MAP"} <= set(
        algs["geoencode:geobias_audit"])
    encoders = qgis_session["result"]["encoders"]
    assert encoders[: len(geoencode.list_encoders())] == list(geoencode.list_encoders().index)
    if hasattr(geoencode, "list_pretrained"):  # pretrained names follow the registry's
        assert encoders[len(geoencode.list_encoders()):] == list(geoencode.list_pretrained().index)


def test_progress_is_reported(qgis_session):
    steps = qgis_session["result"]["progress"]
    assert len(steps) >= 5 and 0 < steps[0] < steps[-1] == 100  # read, 3 blocks of 16 encoded, written
    assert steps == sorted(steps)


def test_encode_points_equals_geo_encode(qgis_session):
    out = gpd.read_file(qgis_session["out"] / "points_enc.gpkg")
    ref = gpd.read_file(qgis_session["gpkg"], layer="points").geo.encode("sphereC", frequency_num=4)
    assert len(out) == len(qgis_session["points"]) == 40
    assert out.crs.to_epsg() == 32631
    assert list(out.columns) == ["name", "acc", *ref.columns, "geometry"]
    assert out["name"].tolist() == qgis_session["points"]["name"].tolist()
    assert out.geometry.geom_equals_exact(qgis_session["points"].geometry, 1e-6).all()
    np.testing.assert_allclose(out[ref.columns].to_numpy(), ref.to_numpy(), rtol=1e-6, atol=1e-7)


def test_encode_polygons_aggregate_equals_geo_encode(qgis_session):
    out = gpd.read_file(qgis_session["out"] / "polygons_enc.gpkg")
    ref = gpd.read_file(qgis_session["gpkg"], layer="polygons").geo.encode(
        "Space2Vec-theory", how="aggregate", n_samples=8, prefix="emb", frequency_num=4, max_radius=10000)
    assert len(out) == 12 and out.crs.to_epsg() == 32631
    assert list(out.columns) == ["zone", *[f"emb_{i}" for i in range(ref.shape[1])], "geometry"]
    np.testing.assert_allclose(out[ref.columns].to_numpy(), ref.to_numpy(), rtol=1e-6, atol=1e-7)
    # aggregate really pooled several points: not the centroid's encoding
    centroid = gpd.read_file(qgis_session["gpkg"], layer="polygons").geo.encode(
        "Space2Vec-theory", prefix="emb", frequency_num=4, max_radius=10000)
    assert not np.allclose(out[ref.columns].to_numpy(), centroid.to_numpy())


def test_cancelled_and_bad_parameters_are_clear_errors(qgis_session):
    res = qgis_session["result"]
    assert "cancelled" in res["errors"]["cancelled"]
    assert not res["cancelled_output_exists"]
    assert "NAME=VALUE" in res["errors"]["bad_params"] and "frequency_num" in res["errors"]["bad_params"]
    assert "Traceback" not in res["errors"]["bad_params"]
    assert "unknown encoder 'sphereQ'" in res["errors"]["bad_encoder"]  # the library's message, with the names
    assert "Sphere2Vec-sphereC" in res["errors"]["bad_encoder"]


def test_edge_cases_no_crs_empty_and_curved_layers(qgis_session):
    res = qgis_session["result"]
    assert "no coordinate reference system" in res["errors"]["no_crs"] and "Assign Projection" in res["errors"]["no_crs"]
    assert res["empty"] == {"features": 0, "fields": ["a", *[f"sphereC_{i}" for i in range(12)]]}
    values, same_type = res["curved"]
    assert same_type  # the output keeps the curved geometry; only the encoding used its segmentation
    centre = gpd.GeoSeries([shapely.Point(510_000, 5_400_000)], crs=32631).geo.encode("sphereC", frequency_num=4)
    np.testing.assert_allclose(values, centre.to_numpy()[0], atol=1e-4)  # circle's centroid = its centre


def test_hotspots_equal_the_library_and_are_styled(qgis_session):
    out = gpd.read_file(qgis_session["out"] / "moran.gpkg")
    # analytic p-values: esda's permutation kernels are compiled (numba) on first use, tens of seconds
    ref = hotspots(gpd.read_file(qgis_session["gpkg"], layer="points"), "acc", method="moran", k=6,
                   permutations=0, random_state=3).frame
    assert len(out) == 40 and out.crs.to_epsg() == 32631
    np.testing.assert_allclose(out["z"], ref["z"], rtol=1e-9)
    np.testing.assert_allclose(out["p"], ref["p"], rtol=1e-12)
    assert out["hotspot"].tolist() == ref["hotspot"].astype(str).tolist()
    assert out["quadrant"].tolist() == ref["quadrant"].astype(str).tolist()
    layer = qgis_session["result"]["layers"]["moran.gpkg"]
    assert layer["renderer"] == "categorizedSymbol" and layer["attr"] == "hotspot"
    assert layer["categories"][:7] == list(HOTSPOT_CLASSES[:7])


def test_audit_on_torchspatial_csv(qgis_session):
    if not EVAL_CSV.exists():
        pytest.skip(f"reference data {EVAL_CSV} not available (../shared is not part of a fresh clone)")
    res, out_dir = qgis_session["result"], qgis_session["out"]
    ref = geobias.audit(str(EVAL_CSV), value="hit@1", radius_km=100, k=4, preset="geobs", progress=False)
    assert res["csv_features"] == len(geobias.io.read_results(EVAL_CSV))
    run = res["runs"]["audit"]
    assert run["BASE"] == pytest.approx(ref.base, rel=1e-9)
    assert run["RELATIVE"] == pytest.approx(ref.relative, rel=1e-9)

    pc = gpd.read_file(out_dir / "per_centre.gpkg").set_index("field_1").sort_index()
    want = ref.per_centre.sort_index()
    assert len(pc) == ref.n_centres == len(want)
    assert pc.index.tolist() == want.index.tolist()  # the unnamed first column is the row number
    assert pc.crs.to_epsg() == 4326
    for col in ("base", "relative", "local_mean"):
        np.testing.assert_allclose(pc[col], want[col], rtol=1e-9, atol=1e-12)
    assert (pc["n_neighbours"].to_numpy() == want["n_neighbours"].to_numpy()).all()

    styled = res["layers"]["per_centre.gpkg"]
    assert styled["renderer"] == "graduatedSymbol" and styled["attr"] == "relative"
    assert styled["features"] == ref.n_centres
    assert styled["ranges"][0][0] == pytest.approx(want["relative"].min())
    assert styled["ranges"][-1][1] == pytest.approx(want["relative"].max())
    hot = res["layers"]["hotspots.gpkg"]
    assert hot["renderer"] == "categorizedSymbol" and hot["attr"] == "hotspot"
    hs = gpd.read_file(out_dir / "hotspots.gpkg").set_index("field_1").sort_index()
    ref_hs = ref.hotspots(column="value", random_state=0).frame.sort_index()
    assert hs["hotspot"].tolist() == ref_hs["hotspot"].astype(str).tolist()

    html = (out_dir / "audit.html").read_text(encoding="utf-8")
    assert remote_resources(html) == []  # offline: nothing fetched when it is opened


def test_graphical_model_chains_encode_and_audit(qgis_session):
    res = qgis_session["result"]
    assert res["model_loaded"] is True
    assert res["model_outputs"] == ["audit:per_centre"]
    out = gpd.read_file(qgis_session["out"] / "model_per_centre.gpkg", layer="model_per_centre")
    points = gpd.read_file(qgis_session["gpkg"], layer="points")
    ref = geobias.audit(points, value="acc", radius_km=150, k=4, preset="geobs", progress=False).per_centre
    emb = [c for c in out.columns if c.startswith("emb_")]
    assert len(emb) == 12  # encode's Sphere2Vec features travelled through to the audit's output
    np.testing.assert_allclose(out[emb].to_numpy(), points.geo.encode("sphereC", frequency_num=4).to_numpy(),
                               rtol=1e-6, atol=1e-7)
    assert len(out) == len(ref) and out.crs.to_epsg() == 32631
    # written by processing.run, not loaded: the GeoPackage keeps the style as its default
    styles = read_layer_styles(qgis_session["out"] / "model_per_centre.gpkg")
    assert styles[["styleName", "useAsDefault"]].values.tolist() == [["Relative SSI", 1]]
    assert res["reopened"] == ["graduatedSymbol", "relative"]
    np.testing.assert_allclose(out["relative"], ref["relative"].to_numpy(), rtol=1e-9, atol=1e-12)


NO_LIBRARY = textwrap.dedent(
    r"""
    import json, sys
    from qgis.core import Qgis, QgsApplication
    app = QgsApplication([], False)
    app.initQgis()
    log = []
    QgsApplication.messageLog().messageReceived.connect(lambda msg, tag, level: log.append([tag, msg]))
    sys.path.insert(0, sys.argv[1])
    import geoencode_qgis
    import geoencode_qgis.algorithms.encode
    geoencode_qgis.algorithms.encode._CHUNK = 16  # several blocks per layer: they must agree with one call
    provider = geoencode_qgis.provider()
    QgsApplication.processingRegistry().addProvider(provider)
    alg = QgsApplication.processingRegistry().algorithmById("geoencode:geobias_audit")
    ok, why = alg.canExecute()
    print("RESULT " + json.dumps({"log": log, "can_execute": ok, "why": why, "help": alg.shortHelpString(),
                                  "algorithms": [a.id() for a in provider.algorithms()]}), flush=True)
    app.exitQgis()
    """
)


def test_missing_library_message_in_log_and_dialog(tmp_path):
    """QGIS without the library: the plugin loads, logs what is missing, and the dialog says it."""
    plugin = install(tmp_path / "profile")
    script = tmp_path / "nolib.py"
    script.write_text(NO_LIBRARY)
    r = subprocess.run([QGIS_PYTHON, str(script), str(plugin.parent)], env=qgis_env(tmp_path, library=False),
                       capture_output=True, text=True, timeout=300, cwd=tmp_path)
    line = next((x for x in r.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert r.returncode == 0 and line, r.stdout + r.stderr
    res = json.loads(line[len("RESULT "):])
    assert len(res["algorithms"]) == 3  # still listed, so users find them and read why
    logged = [msg for tag, msg in res["log"] if tag == "geoencode"]
    assert len(logged) == 1 and "geoencode (ModuleNotFoundError" in logged[0] and "PYTHONPATH" in logged[0]
    assert res["can_execute"] is False and res["why"] == logged[0]  # the dialog disables Run with this
    assert res["help"].startswith("<p><b>Cannot run here:</b>")
    assert "Traceback" not in r.stdout + r.stderr


QGIS_PROCESS = next((p for p in (shutil.which("qgis_process.bin", path="/usr/bin"), shutil.which("qgis_process"))
                     if p), None)


@pytest.mark.slow  # two full QGIS start-ups (all providers, then torch): ~20 s
@pytest.mark.skipif(QGIS_PROCESS is None, reason="qgis_process not installed (apt-get install -y qgis)")
def test_cli_install_then_qgis_startup_lists_the_provider(tmp_path):
    from geoencode.cli import main

    root = tmp_path / "qgis_config"
    profile = root / "profiles" / "default"
    assert main(["qgis", "install", "--profile", str(profile)]) == 0
    assert main(["qgis", "install", "--profile", str(profile)]) == 1  # no clobber without --overwrite
    points, _ = _points_polygons()
    gpkg = tmp_path / "points.gpkg"
    points.to_file(gpkg, layer="points", driver="GPKG", engine="pyogrio", dataset_options={"VERSION": "1.3"})

    def qgis_process(*args, library):
        env = qgis_env(tmp_path, library=library, QGIS_CUSTOM_CONFIG_PATH=str(root))
        return subprocess.run([QGIS_PROCESS, "--json", *args], env=env, capture_output=True, text=True,
                              timeout=300, cwd=tmp_path)

    # QGIS starts with the profile, loads the enabled plugin and lists its algorithms.
    r = qgis_process("list", library=True)
    assert r.returncode == 0, r.stderr[-3000:]  # also: no crash on exit with the pip wheels loaded
    listed = json.loads(r.stdout)["providers"]["geoencode"]
    assert set(listed["algorithms"]) == {"geoencode:encode", "geoencode:geobias_audit", "geoencode:hotspots"}
    assert "cannot import" not in r.stderr

    # Without the library on QGIS's Python the plugin still loads; running says what is missing
    # (in the log and as the algorithm's error), with no traceback and no output.
    r = qgis_process("run", "geoencode:encode", "--", f"INPUT={gpkg}|layername=points",
                     f"OUTPUT={tmp_path / 'none.gpkg'}", library=False)
    text = r.stdout + r.stderr
    assert r.returncode != 0 and not (tmp_path / "none.gpkg").exists()
    assert text.count("cannot import") >= 2 and "geoencode (ModuleNotFoundError" in text  # log + dialog/error
    assert "Traceback" not in text
