"""Interactive web maps of an audit, modelled on :meth:`geopandas.GeoDataFrame.explore`.

:func:`explore` draws one toggleable layer per quantity (performance, base
SSI, relative SSI, hot-spot classes) with a legend each, tooltips and popups
listing value, SSI, class and neighbourhood size, and a layer control. It
returns a :class:`folium.Map`; pass ``m=`` to add to an existing map (e.g. one
map, several models). ``offline=True`` gives a self-contained page: Leaflet
inlined and the bundled Natural Earth outlines instead of tiles
(:mod:`geobias.maps.offline`).

Every string that comes from the data (column names, values, row labels,
layer names) is HTML-escaped before it reaches a tooltip, popup, legend or
the layer control, and the data are embedded with Jinja's HTML-safe
``tojson``: a value such as ``<script>…`` is shown, never run.
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element
from matplotlib import colormaps
from matplotlib.colors import Normalize, to_hex

from geocommon.checks import check_scalar

from ..errors import GeoBiasError
from ..hotspots import HOTSPOT_CLASSES, HOTSPOT_COLORS, HotSpots, lonlat_degrees
from ..io import as_wgs84
from .basemap import padded_extent, world_basemap
from .figures import CLIP_PERCENTILES, _check_clip, colour_range
from .leaflet import AuditLayer, _categorical_legend, _continuous_legend, _Legend, _tip_table, _TipTable, escape
from .offline import make_offline

__all__ = ["explore", "AuditLayer", "escape"]

_NAN_COLOR = "#9e9e9e"
_CSS_KEY = "geobias_css"
_BASEMAP_KEY = "geobias_basemap"
_BASEMAP_PANE = "geobias-basemap"
_CSS = """<style>
.geobias-tip {border-collapse: collapse; font: 12px/1.3 sans-serif;}
.geobias-tip th {text-align: left; padding: 1px 8px 1px 0; font-weight: 600; color: #444;}
.geobias-tip td {text-align: right; padding: 1px 0;}
.geobias-legend {background: rgba(255,255,255,0.9); padding: 6px 8px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 12px/1.3 sans-serif; max-width: 260px;}
.geobias-legend .title {font-weight: 600; margin-bottom: 4px;}
.geobias-legend .bar {height: 10px; width: 200px; border: 1px solid #999;}
.geobias-legend .ticks {display: flex; justify-content: space-between; gap: 6px; width: 202px;}
.geobias-legend .swatch {display: inline-block; width: 11px; height: 11px; margin-right: 5px;
  border: 1px solid #666; border-radius: 50%; vertical-align: -1px;}
</style>"""


def _continuous_colors(values: np.ndarray, cmap: str, clip_percentiles: tuple[float, float] | None = None
                       ) -> tuple[list[str], tuple[float, float], str, str]:
    """Hex colours, the colour range, the legend's CSS gradient and a note on clipping ("" if none)."""
    vmin, vmax, _, note = colour_range(values, clip_percentiles)
    if vmin == vmax:
        vmin, vmax = vmin - 0.5, vmax + 0.5
    norm = Normalize(vmin, vmax, clip=True)  # values past a clipped range take the end colours
    cm = colormaps[cmap].resampled(256)
    colors = [to_hex(cm(norm(v))) if np.isfinite(v) else _NAN_COLOR for v in values]
    stops = ", ".join(to_hex(cm(x)) for x in np.linspace(0, 1, 11))
    return colors, (vmin, vmax), f"linear-gradient(to right, {stops})", note


def _features(geoms: gpd.GeoSeries, colors: Sequence[str], tips: Sequence[str] | None) -> list[dict]:
    if (geoms.geom_type == "Point").all():
        xy = np.column_stack([geoms.x.to_numpy(), geoms.y.to_numpy()])
        geo = [{"type": "Point", "coordinates": [round(float(x), 6), round(float(y), 6)]} for x, y in xy]
    else:
        geo = [json.loads(gpd.GeoSeries([g], crs=4326).to_json())["features"][0]["geometry"] for g in geoms]
    if tips is None:  # tooltips in a shared _TipTable, referenced by position
        return [{"type": "Feature", "geometry": g, "properties": {"c": c, "i": i}}
                for i, (g, c) in enumerate(zip(geo, colors))]
    return [{"type": "Feature", "geometry": g, "properties": {"c": c, "t": t}}
            for g, c, t in zip(geo, colors, tips)]


def _hotspot_frame(hotspots) -> gpd.GeoDataFrame | None:
    if hotspots is None:
        return None
    if isinstance(hotspots, HotSpots):
        return hotspots.frame
    if isinstance(hotspots, gpd.GeoDataFrame) and "hotspot" in hotspots.columns:
        if hotspots.crs is None:
            raise GeoBiasError("hotspots has no CRS; set one with `set_crs(4326)` first")
        return hotspots
    raise GeoBiasError(
        "hotspots must be a geobias.hotspots.HotSpots or a GeoDataFrame with a 'hotspot' column "
        f"(HotSpots.frame), got {type(hotspots).__name__}"
    )


def _ensure_css(m: folium.Map) -> None:
    header = m.get_root().header
    if _CSS_KEY not in header._children:
        header.add_child(Element(_CSS), name=_CSS_KEY)


def _add_basemap(m: folium.Map) -> None:
    if _BASEMAP_KEY in m._children:
        return
    folium.map.CustomPane(_BASEMAP_PANE, z_index=250, pointer_events=False).add_to(m)
    world = world_basemap()
    feats = _features(world.geometry, ["#f4f1ea"] * len(world), [""] * len(world))
    layer = AuditLayer(
        feats, "Natural Earth 1:110m (offline)", class_name="geobias-basemap", pane=_BASEMAP_PANE,
        overlay=False, control=True, show=True, interactive=False,
        style={"color": "#8c8c8c", "weight": 0.6, "opacity": 1.0, "fillOpacity": 1.0},
        attribution="Natural Earth (public domain)",
    )
    m.add_child(layer, name=_BASEMAP_KEY)
    # sea colour behind the outlines (the map div's id is the map's name)
    m.get_root().header.add_child(
        Element(f"<style>#{m.get_name()} {{background: #d9e6ef;}}</style>"), name="geobias_offline_bg"
    )


def explore(
    gdf: gpd.GeoDataFrame,
    value: str | None = None,
    *,
    ssi: Sequence[str] | None = None,
    hotspots: HotSpots | gpd.GeoDataFrame | None = None,
    n: str | None = "n_neighbours",
    tooltip: Sequence[str] = (),
    m: folium.Map | None = None,
    name: str | None = None,
    offline: bool = False,
    tiles: str | None = "OpenStreetMap",
    show: str | Sequence[str] = "first",
    radius: float = 4.0,
    cmap: str = "viridis",
    ssi_cmap: str = "YlOrRd",
    clip_percentiles: tuple[float, float] | None = CLIP_PERCENTILES,
    legend: bool = True,
    layer_control: bool = True,
    map_kwds: dict | None = None,
) -> folium.Map:
    """An interactive map of an audit: performance, base/relative SSI and hot spots as layers.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Per-centre (or per-sample) results with a CRS, e.g. the audit's
        ``per_centre``. Any geometry; points become circle markers.
    value : str, optional
        Performance column: a layer coloured by it (``cmap``) and a tooltip row.
    ssi : sequence of str, optional
        Score columns, one layer each (``ssi_cmap``). Default: those of
        ``"base"`` and ``"relative"`` that ``gdf`` has.
    hotspots : HotSpots or geopandas.GeoDataFrame, optional
        Output of :func:`geobias.hotspots.hotspots` (or its ``.frame``): a
        layer of hot-spot classes (its own geometry) with z and p in the
        tooltip; the class also appears in the other layers' tooltips for the
        rows whose labels match.
    n : str or None, default "n_neighbours"
        Column with the neighbourhood size, shown in tooltips when present.
    tooltip : sequence of str
        More columns of ``gdf`` to list in the tooltips.
    m : folium.Map, optional
        Add the layers to this map instead of a new one (like ``explore``).
    name : str, optional
        Prefix of the layer names, e.g. the model's name when several audits
        share one map.
    offline : bool, default False
        Self-contained page: Leaflet inlined, no tiles, the bundled Natural
        Earth outlines as background (:func:`geobias.maps.offline.make_offline`).
    tiles : str or None, default "OpenStreetMap"
        Tile layer of a new online map (any folium/xyzservices name); ignored
        when ``offline``.
    show : "first", "all" or sequence of str, default "first"
        Layers visible on opening: the first one, all, or those named by key
        (``value``'s column name, an SSI column, ``"hotspots"``).
    radius : float, default 4.0
        Marker radius in pixels.
    cmap, ssi_cmap : str
        matplotlib colormaps for performance and SSI.
    clip_percentiles : (float, float) or None, default (2, 98)
        Colour range of the SSI layers: these percentiles of each layer's
        finite values (centres beyond take the end colours, and the legend
        title states the clipped range), so a few outlying scores cannot
        wash out the rest. ``None``: the full range. The performance layer
        always uses its full range.
    legend : bool, default True
        A legend per layer, shown while the layer is.
    layer_control : bool, default True
        Add (or move last) a :class:`folium.LayerControl`.
    map_kwds : dict, optional
        Extra arguments of :class:`folium.Map` for a new map (``width``,
        ``height``, ``zoom_start`` ...).

    Returns
    -------
    folium.Map
        Save with :func:`geobias.maps.save_map` (atomic; checks offline pages).

    Examples
    --------
    >>> import geopandas as gpd
    >>> pc = gpd.GeoDataFrame({"acc": [0.9, 0.2, 0.6], "base": [0.1, 0.8, 0.3],
    ...                        "relative": [0.05, 0.4, 0.1], "n_neighbours": [12, 9, 10]},
    ...                       geometry=gpd.points_from_xy([2.35, 13.4, -3.7], [48.86, 52.5, 40.4]),
    ...                       crs=4326)
    >>> m = explore(pc, "acc", offline=True)
    >>> type(m).__name__
    'Map'
    >>> html = m.get_root().render()
    >>> "Base SSI" in html, "Relative SSI" in html, "cdn.jsdelivr.net" in html
    (True, True, False)
    >>> html = explore(pc, clip_percentiles=(0, 50)).get_root().render()  # the legend states the range
    >>> "Base SSI (colour clipped to 0th" in html, "percentile: 0.1" in html
    (True, True)
    """
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise GeoBiasError(f"gdf must be a geopandas.GeoDataFrame, got {type(gdf).__name__}")
    check_scalar(radius, "radius", numbers.Real, min_val=0, include_boundaries="neither", finite=True,
                 error=GeoBiasError)
    if gdf.crs is None:
        raise GeoBiasError("gdf has no CRS; set one with `gdf.set_crs(4326)` (lon/lat degrees) first")
    if len(gdf) == 0:
        raise GeoBiasError("gdf is empty: nothing to map")
    if not gdf.index.is_unique:
        raise GeoBiasError("gdf's index has duplicate labels; make it unique (e.g. `reset_index(drop=True)`)")
    if m is not None and not isinstance(m, folium.Map):
        raise GeoBiasError(f"m must be a folium.Map, got {type(m).__name__}")
    cols = list(gdf.columns)
    for what, c in [("value", value), *(("tooltip", t) for t in tooltip)]:
        if c is not None and c not in cols:
            raise GeoBiasError(f"{what} column {c!r} not found; available columns: {cols}")
    if ssi is None:
        ssi = [c for c in ("base", "relative") if c in cols]
    else:
        ssi = list(ssi)
        for c in ssi:
            if c not in cols:
                raise GeoBiasError(f"ssi column {c!r} not found; available columns: {cols}")
    for c in [value, *ssi]:
        if c is not None and not pd.api.types.is_numeric_dtype(gdf[c]):
            raise GeoBiasError(f"column {c!r} must be numeric to be coloured, got dtype {gdf[c].dtype}")
    clip = _check_clip(clip_percentiles)
    hs = _hotspot_frame(hotspots)
    if value is None and not ssi and hs is None:
        raise GeoBiasError("nothing to map: pass value=, ssi= columns or hotspots=")

    g = as_wgs84(gdf, "gdf")
    geoms = g.geometry
    if not (geoms.geom_type == "Point").all() and (geoms.is_empty | geoms.isna()).any():
        raise GeoBiasError("gdf has missing or empty geometries; drop them first")

    # tooltip rows shared by the layers
    hs_class = None
    if hs is not None:
        hs_class = hs["hotspot"].astype(object).reindex(gdf.index)
        if hs_class.isna().all():
            hs_class = None
    tip_cols: list[tuple[str, str]] = []
    if value is not None:
        tip_cols.append((value, value))
    for c in ssi:
        tip_cols.append((c, {"base": "Base SSI", "relative": "Relative SSI"}.get(c, c)))
    if n is not None and n in cols:
        tip_cols.append((n, "Neighbours (n)"))
    tip_cols += [(t, t) for t in tooltip if t not in {c for c, _ in tip_cols}]
    records = gdf[[c for c, _ in tip_cols]].to_numpy(dtype=object) if tip_cols else np.empty((len(gdf), 0))
    tips = []
    for i, label in enumerate(gdf.index):
        rows: list[tuple[str, object]] = [("Row", label)]
        rows += [(lab, records[i, j]) for j, (_, lab) in enumerate(tip_cols)]
        if hs_class is not None:
            rows.append(("Hot spot", hs_class.iloc[i]))
        tips.append(_tip_table(rows))

    prefix = f"{name}: " if name else ""
    specs: list[tuple[str, str, list[dict], str | None]] = []  # key, layer name, features, legend html
    if value is not None:
        colors, vr, grad, _ = _continuous_colors(gdf[value].to_numpy(dtype=float), cmap)
        specs.append((value, f"{prefix}Performance ({value})", _features(geoms, colors, None),
                      _continuous_legend(f"{prefix}{value}", vr, grad)))
    for c in ssi:
        title = {"base": "Base SSI", "relative": "Relative SSI"}.get(c, c)
        colors, vr, grad, note = _continuous_colors(gdf[c].to_numpy(dtype=float), ssi_cmap, clip)
        specs.append((c, f"{prefix}{title}", _features(geoms, colors, None),
                      _continuous_legend(f"{prefix}{title}" + (f" ({note})" if note else ""), vr, grad)))
    if hs is not None:
        h = as_wgs84(hs, "hotspots")
        value_col = next((c for c in h.columns if c not in ("geometry", "z", "p", "hotspot", "bin",
                                                              "n_neighbours", "quadrant")), None)
        hrows = []
        for label, row in h.iterrows():
            r: list[tuple[str, object]] = [("Row", label)]
            if value_col is not None:
                r.append((value_col, row[value_col]))
            r += [("Hot spot", row["hotspot"]), ("z", row["z"]), ("p", row["p"])]
            if "n_neighbours" in h.columns:
                r.append(("Neighbours (n)", row["n_neighbours"]))
            hrows.append(_tip_table(r))
        classes = h["hotspot"].astype(object).to_numpy()
        colors = [HOTSPOT_COLORS.get(c, _NAN_COLOR) for c in classes]
        present = [c for c in HOTSPOT_CLASSES if c in set(classes)]
        hname = f"{prefix}Hot spots" + (f" ({value_col})" if value_col else "")
        specs.append(("hotspots", hname, _features(h.geometry, colors, hrows),
                      _categorical_legend(hname, present)))

    keys = [k for k, *_ in specs]
    if show == "first":
        visible = {keys[0]}
    elif show == "all":
        visible = set(keys)
    elif isinstance(show, str):
        raise GeoBiasError(f"show must be 'first', 'all' or a list of layer keys {keys}, got {show!r}")
    else:
        visible = set(show)
        unknown = visible - set(keys)
        if unknown:
            raise GeoBiasError(f"show names unknown layers {sorted(map(str, unknown))}; layer keys are {keys}")

    new_map = m is None
    if new_map:
        kwds = {"tiles": None if offline else tiles, "control_scale": True}
        kwds.update(map_kwds or {})
        m = folium.Map(**kwds)
    if offline:
        make_offline(m)
        _add_basemap(m)
    _ensure_css(m)

    table = _TipTable(tips)
    m.add_child(table)  # before the layers, whose scripts use it
    for key, lname, feats, leg in specs:
        shared = bool(feats) and "i" in feats[0]["properties"]
        layer = AuditLayer(feats, lname, class_name=f"geobias-{_css_ident(key)}", radius=radius,
                           show=key in visible, tips=table if shared else None)
        m.add_child(layer)
        if legend and leg:
            layer.add_child(_Legend(leg, layer, m.get_name()))

    if layer_control:
        existing = [k for k, ch in m._children.items() if isinstance(ch, folium.LayerControl)]
        if existing:
            for k in existing:
                m._children.move_to_end(k)
        else:
            folium.LayerControl(collapsed=False).add_to(m)

    if new_map and not (map_kwds or {}).get("location"):
        ll = lonlat_degrees(g)
        if hs is not None:
            ll = np.vstack([ll, lonlat_degrees(hs)])
        box = padded_extent(ll, pad=0.05, min_span=2.0)
        m.fit_bounds([[box[1], box[0]], [box[3], box[2]]])
    return m


def _css_ident(key: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in str(key))[:40] or "layer"
