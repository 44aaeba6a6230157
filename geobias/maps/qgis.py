"""GeoPackages that open styled in QGIS: layers plus QML styles in the ``layer_styles`` table.

QGIS looks for a default style of a GeoPackage layer in the table
``layer_styles`` of the same file (the table QGIS itself writes with "Save
Style → In Database"): the row with ``f_table_schema = ''``,
``f_table_name`` = the layer, ``f_geometry_column`` = its geometry column and
``useAsDefault`` true; its ``styleQML`` is applied on loading. :func:`to_gpkg`
writes the per-centre layer with graduated symbologies (relative SSI by
default, base SSI and performance as alternative styles in the layer's style
manager) and the hot-spot layer with a categorized symbology of the classes,
in the usual red/blue palette. An SLD version of each style is stored too
(``styleSLD``) for other clients.
"""

from __future__ import annotations

import numbers
import os
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_rgba

from geocommon.checks import check_scalar

from .._io import atomic_path
from ..errors import GeoBiasError
from ..hotspots import HOTSPOT_CLASSES, HOTSPOT_COLORS, HotSpots

__all__ = ["to_gpkg", "categorized_qml", "graduated_qml", "read_layer_styles", "LAYER_STYLES_DDL"]

QGIS_VERSION = "3.22.0-Białowieża"

#: The table as QGIS creates it (``QgsOgrProviderUtils`` / "Save style in database").
LAYER_STYLES_DDL = """CREATE TABLE layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    f_table_catalog TEXT(256),
    f_table_schema TEXT(256),
    f_table_name TEXT(256),
    f_geometry_column TEXT(256),
    styleName TEXT(30),
    styleQML TEXT,
    styleSLD TEXT,
    useAsDefault BOOLEAN,
    description TEXT,
    owner TEXT(30),
    ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
)"""


# --------------------------------------------------------------------------------------
# QML
# --------------------------------------------------------------------------------------
def _rgba(color: str) -> str:
    r, g, b, a = (int(round(255 * c)) for c in to_rgba(color))
    return f"{r},{g},{b},{a}"


def _symbol(parent: ET.Element, name: str, color: str, geom: str, size: float) -> None:
    stype = {"point": "marker", "line": "line", "polygon": "fill"}[geom]
    sym = ET.SubElement(parent, "symbol", {"type": stype, "name": name, "alpha": "1",
                                           "clip_to_extent": "1", "force_rhr": "0"})
    if geom == "point":
        cls, props = "SimpleMarker", {
            "name": "circle", "color": _rgba(color), "outline_color": "35,35,35,255",
            "outline_style": "solid", "outline_width": "0.2", "outline_width_unit": "MM",
            "size": f"{size:g}", "size_unit": "MM", "scale_method": "diameter", "angle": "0",
            "joinstyle": "bevel", "offset": "0,0", "offset_unit": "MM",
            "horizontal_anchor_point": "1", "vertical_anchor_point": "1",
        }
    elif geom == "line":
        cls, props = "SimpleLine", {"line_color": _rgba(color), "line_width": "0.6", "line_width_unit": "MM",
                                    "line_style": "solid", "capstyle": "square", "joinstyle": "bevel"}
    else:
        cls, props = "SimpleFill", {"color": _rgba(color), "style": "solid", "outline_color": "35,35,35,255",
                                    "outline_style": "solid", "outline_width": "0.1", "outline_width_unit": "MM",
                                    "joinstyle": "bevel", "offset": "0,0", "offset_unit": "MM"}
    lay = ET.SubElement(sym, "layer", {"class": cls, "enabled": "1", "locked": "0", "pass": "0"})
    # QGIS >= 3.26 reads the Option map, older versions the <prop> list: write both
    opt = ET.SubElement(lay, "Option", {"type": "Map"})
    for k, v in props.items():
        ET.SubElement(opt, "Option", {"type": "QString", "name": k, "value": v})
    for k, v in props.items():
        ET.SubElement(lay, "prop", {"k": k, "v": v})


def _qml_document(renderer: ET.Element) -> str:
    root = ET.Element("qgis", {"version": QGIS_VERSION, "styleCategories": "Symbology"})
    root.append(renderer)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n"


def categorized_qml(
    attribute: str,
    categories: Mapping[str, str],
    geometry: str = "point",
    size: float = 2.4,
) -> str:
    """A QGIS style (QML) with a categorized symbology: one colour per attribute value.

    Parameters
    ----------
    attribute : str
        Field holding the category (e.g. ``"hotspot"``).
    categories : mapping of str to str
        Value -> colour (any matplotlib colour), in legend order.
    geometry : {"point", "line", "polygon"}, default "point"
    size : float, default 2.4
        Marker diameter in mm.

    Returns
    -------
    str
        The QML document.

    Examples
    --------
    >>> qml = categorized_qml("hotspot", {"Hot": "#d62f27", "Cold": "#4575b5"})
    >>> root = ET.fromstring(qml.split("\\n", 1)[1])
    >>> r = root.find("renderer-v2")
    >>> r.get("type"), r.get("attr"), [c.get("value") for c in r.iter("category")]
    ('categorizedSymbol', 'hotspot', ['Hot', 'Cold'])
    """
    r = ET.Element("renderer-v2", {"type": "categorizedSymbol", "attr": attribute, "symbollevels": "0",
                                   "enableorderby": "0", "forceraster": "0", "referencescale": "-1"})
    cats = ET.SubElement(r, "categories")
    syms = ET.SubElement(r, "symbols")
    for i, (value, color) in enumerate(categories.items()):
        ET.SubElement(cats, "category", {"render": "true", "symbol": str(i), "value": str(value),
                                         "label": str(value), "type": "string"})
        _symbol(syms, str(i), color, geometry, size)
    src = ET.SubElement(r, "source-symbol")
    _symbol(src, "0", "#bdbdbd", geometry, size)
    ET.SubElement(r, "rotation")
    ET.SubElement(r, "sizescale")
    return _qml_document(r)


def graduated_qml(
    attribute: str,
    values: np.ndarray | Sequence[float],
    cmap: str = "YlOrRd",
    classes: int = 5,
    geometry: str = "point",
    size: float = 2.0,
) -> str:
    """A QGIS style (QML) with a graduated (quantile) colour symbology of a numeric field.

    Parameters
    ----------
    attribute : str
        Numeric field (e.g. ``"relative"``).
    values : array_like
        The field's values, to compute the class breaks (quantiles; NaNs ignored).
    cmap : str, default "YlOrRd"
        matplotlib colormap of the classes.
    classes : int, default 5
        Number of quantile classes (fewer when values repeat).
    geometry : {"point", "line", "polygon"}, default "point"
    size : float, default 2.0
        Marker diameter in mm.

    Returns
    -------
    str
        The QML document.

    Examples
    --------
    >>> qml = graduated_qml("relative", [0.0, 0.1, 0.2, 0.3, 0.4, 0.5], classes=2)
    >>> r = ET.fromstring(qml.split("\\n", 1)[1]).find("renderer-v2")
    >>> r.get("type"), [(x.get("lower"), x.get("upper")) for x in r.iter("range")]
    ('graduatedSymbol', [('0', '0.25'), ('0.25', '0.5')])
    """
    check_scalar(classes, "classes", numbers.Integral, min_val=1, error=GeoBiasError)
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        raise GeoBiasError(f"column {attribute!r} has no finite values to classify")
    breaks = np.unique(np.quantile(v, np.linspace(0, 1, int(classes) + 1)))
    if breaks.size == 1:
        breaks = np.array([breaks[0], breaks[0]])
    cm = colormaps[cmap]
    r = ET.Element("renderer-v2", {"type": "graduatedSymbol", "attr": attribute, "graduatedMethod": "GraduatedColor",
                                   "symbollevels": "0", "enableorderby": "0", "forceraster": "0",
                                   "referencescale": "-1"})
    rng = ET.SubElement(r, "ranges")
    syms = ET.SubElement(r, "symbols")
    n = breaks.size - 1
    for i in range(n):
        lo, hi = float(breaks[i]), float(breaks[i + 1])
        ET.SubElement(rng, "range", {"render": "true", "symbol": str(i), "lower": f"{lo:.15g}",
                                     "upper": f"{hi:.15g}", "label": f"{lo:.4g} – {hi:.4g}"})
        _symbol(syms, str(i), cm(i / max(n - 1, 1)), geometry, size)
    src = ET.SubElement(r, "source-symbol")
    _symbol(src, "0", "#bdbdbd", geometry, size)
    ramp = ET.SubElement(r, "colorramp", {"type": "gradient", "name": "[source]"})
    ropt = ET.SubElement(ramp, "Option", {"type": "Map"})
    for k, val in (("color1", _rgba(cm(0.0))), ("color2", _rgba(cm(1.0))), ("discrete", "0"), ("rampType", "gradient")):
        ET.SubElement(ropt, "Option", {"type": "QString", "name": k, "value": val})
        ET.SubElement(ramp, "prop", {"k": k, "v": val})
    ET.SubElement(r, "classificationMethod", {"id": "Quantile"})
    ET.SubElement(r, "mode", {"name": "quantile"})
    ET.SubElement(r, "rotation")
    ET.SubElement(r, "sizescale")
    return _qml_document(r)


# --------------------------------------------------------------------------------------
# SLD (for other clients; QGIS uses the QML)
# --------------------------------------------------------------------------------------
_SLD = "http://www.opengis.net/sld"
_SE = "http://www.opengis.net/se"
_OGC = "http://www.opengis.net/ogc"


def _sld(layer: str, rules: list[tuple[str, ET.Element | None, str]], geometry: str) -> str:
    ET.register_namespace("", _SLD)
    ET.register_namespace("se", _SE)
    ET.register_namespace("ogc", _OGC)
    root = ET.Element(f"{{{_SLD}}}StyledLayerDescriptor", {"version": "1.1.0"})
    nl = ET.SubElement(root, f"{{{_SLD}}}NamedLayer")
    ET.SubElement(nl, f"{{{_SE}}}Name").text = layer
    us = ET.SubElement(nl, f"{{{_SLD}}}UserStyle")
    ET.SubElement(us, f"{{{_SE}}}Name").text = layer
    fts = ET.SubElement(us, f"{{{_SE}}}FeatureTypeStyle")
    for title, flt, color in rules:
        rule = ET.SubElement(fts, f"{{{_SE}}}Rule")
        ET.SubElement(rule, f"{{{_SE}}}Name").text = title
        if flt is not None:
            rule.append(flt)
        if geometry == "point":
            ps = ET.SubElement(rule, f"{{{_SE}}}PointSymbolizer")
            g = ET.SubElement(ps, f"{{{_SE}}}Graphic")
            mk = ET.SubElement(g, f"{{{_SE}}}Mark")
            ET.SubElement(mk, f"{{{_SE}}}WellKnownName").text = "circle"
            fill = ET.SubElement(mk, f"{{{_SE}}}Fill")
            ET.SubElement(fill, f"{{{_SE}}}SvgParameter", {"name": "fill"}).text = color
            ET.SubElement(g, f"{{{_SE}}}Size").text = "7"
        else:
            ps = ET.SubElement(rule, f"{{{_SE}}}PolygonSymbolizer" if geometry == "polygon" else f"{{{_SE}}}LineSymbolizer")
            fill = ET.SubElement(ps, f"{{{_SE}}}Fill" if geometry == "polygon" else f"{{{_SE}}}Stroke")
            ET.SubElement(fill, f"{{{_SE}}}SvgParameter", {"name": "fill" if geometry == "polygon" else "stroke"}).text = color
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _cmp(op: str, prop: str, literal: str) -> ET.Element:
    e = ET.Element(f"{{{_OGC}}}{op}")
    ET.SubElement(e, f"{{{_OGC}}}PropertyName").text = prop
    ET.SubElement(e, f"{{{_OGC}}}Literal").text = literal
    return e


def _categorized_sld(layer: str, attribute: str, categories: Mapping[str, str], geometry: str) -> str:
    rules = []
    for value, color in categories.items():
        f = ET.Element(f"{{{_OGC}}}Filter")
        f.append(_cmp("PropertyIsEqualTo", attribute, str(value)))
        rules.append((str(value), f, _hex(color)))
    return _sld(layer, rules, geometry)


def _graduated_sld(layer: str, attribute: str, qml: str, geometry: str) -> str:
    r = ET.fromstring(qml.split("\n", 1)[1]).find("renderer-v2")
    syms = {s.get("name"): s for s in r.find("symbols")}
    rules = []
    ranges = list(r.iter("range"))
    for i, rg in enumerate(ranges):
        f = ET.Element(f"{{{_OGC}}}Filter")
        a = ET.SubElement(f, f"{{{_OGC}}}And")
        a.append(_cmp("PropertyIsGreaterThanOrEqualTo", attribute, rg.get("lower")))
        a.append(_cmp("PropertyIsLessThanOrEqualTo" if i == len(ranges) - 1 else "PropertyIsLessThan",
                      attribute, rg.get("upper")))
        rgba = next(p.get("v") for p in syms[rg.get("symbol")].iter("prop") if p.get("k") in ("color", "line_color"))
        rules.append((rg.get("label"), f, "#%02x%02x%02x" % tuple(int(x) for x in rgba.split(",")[:3])))
    return _sld(layer, rules, geometry)


def _hex(color: str) -> str:
    r, g, b, _ = to_rgba(color)
    return "#%02x%02x%02x" % (round(r * 255), round(g * 255), round(b * 255))


# --------------------------------------------------------------------------------------
# GeoPackage
# --------------------------------------------------------------------------------------
def _geometry_kind(gdf: gpd.GeoDataFrame) -> str:
    types = set(gdf.geom_type.dropna())
    if types <= {"Point", "MultiPoint"}:
        return "point"
    if types <= {"LineString", "MultiLineString"}:
        return "line"
    if types <= {"Polygon", "MultiPolygon"}:
        return "polygon"
    raise GeoBiasError(f"a GeoPackage layer needs one geometry kind, got {sorted(types)}")


def _prepare(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise GeoBiasError(f"{what} must be a geopandas.GeoDataFrame, got {type(gdf).__name__}")
    if gdf.crs is None:
        raise GeoBiasError(f"{what} has no CRS; set one with `set_crs(4326)` first")
    if not gdf.index.is_unique:
        raise GeoBiasError(f"{what} has duplicate row labels; make the index unique first")
    out = gdf.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    # keep the row labels as a column so the layers join back to the data
    label = out.index.name or "row"
    if label in out.columns:
        label = f"{label}_label"
    out.index = out.index.rename(label)
    return out.reset_index()


def read_layer_styles(path: str | os.PathLike) -> pd.DataFrame:
    """The ``layer_styles`` table of a GeoPackage (empty frame if there is none).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    pandas.DataFrame
        One row per style: ``f_table_name``, ``f_geometry_column``,
        ``styleName``, ``styleQML``, ``styleSLD``, ``useAsDefault`` ...
    """
    with sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True) as con:
        has = con.execute("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='layer_styles'").fetchone()[0]
        if not has:
            return pd.DataFrame()
        return pd.read_sql_query("SELECT * FROM layer_styles ORDER BY id", con)


def to_gpkg(
    path: str | os.PathLike,
    per_centre: gpd.GeoDataFrame | None = None,
    hotspots: HotSpots | gpd.GeoDataFrame | None = None,
    *,
    value: str | None = None,
    ssi: Sequence[str] | None = None,
    layers: Mapping[str, gpd.GeoDataFrame] | None = None,
    per_centre_layer: str = "per_centre",
    hotspot_layer: str = "hotspots",
    overwrite: bool = False,
) -> Path:
    """Write audit layers to one GeoPackage with QGIS styles embedded (``layer_styles``).

    Parameters
    ----------
    path : str or os.PathLike
        Destination ``.gpkg``; written to a temporary file and renamed, so a
        failed write never leaves a half-written file.
    per_centre : geopandas.GeoDataFrame, optional
        Per-centre results (geometry, ``base``, ``relative``,
        ``n_neighbours``, performance ...). Default style: graduated colours
        of the relative SSI (else the first SSI column, else ``value``); the
        other score columns and ``value`` get alternative styles.
    hotspots : HotSpots or geopandas.GeoDataFrame, optional
        :class:`~geobias.hotspots.HotSpots` (or its ``.frame``): categorized
        style of ``hotspot``.
    value : str, optional
        Performance column of ``per_centre`` (an alternative style).
    ssi : sequence of str, optional
        Score columns of ``per_centre`` (default: ``base``/``relative`` if present).
    layers : mapping of str to GeoDataFrame, optional
        More layers to write, unstyled.
    per_centre_layer, hotspot_layer : str
        Layer names.
    overwrite : bool, default False
        Replace an existing file; without it an existing file raises
        :class:`~geobias.errors.GeoBiasError`.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import geopandas as gpd, tempfile, os
    >>> pc = gpd.GeoDataFrame({"base": [0.1, 0.8, 0.3], "relative": [0.05, 0.4, 0.1]},
    ...                       geometry=gpd.points_from_xy([2.3, 13.4, -3.7], [48.9, 52.5, 40.4]), crs=4326)
    >>> out = to_gpkg(os.path.join(tempfile.mkdtemp(), "audit.gpkg"), pc)
    >>> styles = read_layer_styles(out)
    >>> styles[["f_table_name", "styleName", "useAsDefault"]].values.tolist()
    [['per_centre', 'Relative SSI', 1], ['per_centre', 'Base SSI', 0]]
    """
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise GeoBiasError(f"GeoPackage files end in .gpkg, got {str(path)!r}")
    to_write: list[tuple[str, gpd.GeoDataFrame, list[tuple[str, str, str, bool]]]] = []
    names: set[str] = set()

    if per_centre is not None:
        pc = _prepare(per_centre, "per_centre")
        cols = list(per_centre.columns)
        if value is not None and value not in cols:
            raise GeoBiasError(f"value column {value!r} not found in per_centre; available columns: {cols}")
        score_cols = [c for c in ("relative", "base") if c in cols] if ssi is None else list(ssi)
        for c in score_cols:
            if c not in cols:
                raise GeoBiasError(f"ssi column {c!r} not found in per_centre; available columns: {cols}")
        kind = _geometry_kind(pc)
        styles = []
        for c in score_cols:
            title = {"base": "Base SSI", "relative": "Relative SSI"}.get(c, c)
            qml = graduated_qml(c, pc[c].to_numpy(dtype=float), cmap="YlOrRd", geometry=kind)
            styles.append((title, qml, _graduated_sld(per_centre_layer, c, qml, kind), False))
        if value is not None:
            qml = graduated_qml(value, pc[value].to_numpy(dtype=float), cmap="viridis", geometry=kind)
            styles.append((f"Performance ({value})", qml, _graduated_sld(per_centre_layer, value, qml, kind), False))
        if styles:
            styles[0] = (*styles[0][:3], True)
        to_write.append((per_centre_layer, pc, styles))
        names.add(per_centre_layer)

    if hotspots is not None:
        hs = hotspots.frame if isinstance(hotspots, HotSpots) else hotspots
        if not isinstance(hs, gpd.GeoDataFrame) or "hotspot" not in hs.columns:
            raise GeoBiasError("hotspots must be a HotSpots or a GeoDataFrame with a 'hotspot' column")
        if hotspot_layer in names:
            raise GeoBiasError(f"layer name {hotspot_layer!r} is used twice; pass another hotspot_layer")
        hsf = _prepare(hs, "hotspots")
        kind = _geometry_kind(hsf)
        present = set(hsf["hotspot"].dropna())
        cats = {c: HOTSPOT_COLORS[c] for c in HOTSPOT_CLASSES if c in present or c in HOTSPOT_CLASSES[:7]}
        qml = categorized_qml("hotspot", cats, geometry=kind)
        to_write.append((hotspot_layer, hsf, [("Hot-spot classes", qml,
                                                _categorized_sld(hotspot_layer, "hotspot", cats, kind), True)]))
        names.add(hotspot_layer)

    for lname, lg in (layers or {}).items():
        if lname in names or lname == "layer_styles":
            raise GeoBiasError(f"layer name {lname!r} is used twice (or reserved); rename it")
        to_write.append((lname, _prepare(lg, f"layers[{lname!r}]"), []))
        names.add(lname)
    if not to_write:
        raise GeoBiasError("nothing to write: pass per_centre=, hotspots= or layers=")

    with atomic_path(path, overwrite=overwrite, create=False) as tmp:  # GDAL creates the file itself
        for lname, frame, _ in to_write:
            # GeoPackage 1.3: readable without warnings by the GDAL of current QGIS LTR packages
            frame.to_file(tmp, layer=lname, driver="GPKG", engine="pyogrio", dataset_options={"VERSION": "1.3"})
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        with sqlite3.connect(tmp) as con:
            geom_cols = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
            con.execute(LAYER_STYLES_DDL)
            con.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
                "VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS layer styles', ?)",
                (now,),
            )
            for lname, _, styles in to_write:
                for sname, qml, sld, default in styles:
                    con.execute(
                        "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, "
                        "styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time) "
                        "VALUES ('', '', ?, ?, ?, ?, ?, ?, ?, '', NULL, ?)",
                        (lname, geom_cols[lname], sname, qml, sld, int(default),
                         f"{sname} (written by geobias)", now),
                    )
        con.close()
    return path
