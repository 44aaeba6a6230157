"""Leaflet building blocks for the folium maps: escaping, tooltip tables, layers, legends.

:class:`AuditLayer` is a GeoJSON layer whose colours and tooltips are computed in Python, so
the page carries no styling code per feature; :class:`_TipTable` lets several layers of the same
rows share one copy of each tooltip; :class:`_Legend` is a control shown while its layer is on.
Everything that reaches the page from the data passes through :func:`escape` or Jinja's
HTML-safe ``tojson``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from numbers import Integral, Real

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from ..hotspots import HOTSPOT_COLORS

__all__ = ["AuditLayer", "escape"]


def escape(value: object) -> str:
    """HTML-escape any value for text or attribute context (quotes included).

    Examples
    --------
    >>> escape('<img src=x onerror="alert(1)">')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape(str(value), quote=True)


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return "–"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        return f"{float(value):.4g}"
    return str(value)


def _tip_table(rows: Sequence[tuple[str, object]]) -> str:
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(_fmt(v))}</td></tr>" for k, v in rows)
    return f'<table class="geobias-tip">{cells}</table>'


class AuditLayer(folium.map.Layer):
    """A Leaflet GeoJSON layer with per-feature colour, tooltip and popup (all precomputed).

    Points are drawn as SVG circle markers (class ``geobias-feature`` plus
    ``className``), other geometries as paths. ``features`` is a GeoJSON
    feature list whose properties hold ``c`` (fill colour) and ``t`` (tooltip
    HTML, already escaped).

    Parameters
    ----------
    features : list of dict
    name : str
        Layer name shown in the layer control (escaped here).
    class_name : str
        Extra CSS class of each marker/path.
    radius : float
        Circle-marker radius in pixels.
    show, overlay, control : bool
        As for :class:`folium.map.Layer`.
    pane : str, optional
        Leaflet pane.
    interactive : bool
        Tooltips/popups on hover/click.
    style : dict, optional
        Extra Leaflet path options (``weight``, ``color``, ``fillOpacity`` ...).
    attribution : str, optional
        Attribution text (escaped here).
    tips : _TipTable, optional
        Shared tooltip table: features then carry ``i`` (an index into it)
        instead of ``t``, so layers of the same rows embed each tooltip once.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data|tojson }}, {
            {%- if this.pane %}pane: {{ this.pane|tojson }},{% endif %}
            {%- if this.attribution %}attribution: {{ this.attribution|tojson }},{% endif %}
            pointToLayer: function (f, latlng) {
                return L.circleMarker(latlng, Object.assign({}, {{ this.style|tojson }},
                    {radius: {{ this.radius|tojson }}, fillColor: f.properties.c}));
            },
            style: function (f) {
                return Object.assign({}, {{ this.style|tojson }}, {fillColor: f.properties.c});
            },
            onEachFeature: function (f, layer) {
                {%- if this.interactive %}
                {%- if this.tips_name %}
                var t = {{ this.tips_name }}[f.properties.i];
                {%- else %}
                var t = f.properties.t;
                {%- endif %}
                if (t) {
                    layer.bindTooltip(t, {sticky: true});
                    layer.bindPopup(t);
                }
                {%- endif %}
            }
        });
        {% endmacro %}
        """
    )

    def __init__(
        self,
        features: list[dict],
        name: str,
        *,
        class_name: str = "",
        radius: float = 4.0,
        show: bool = True,
        overlay: bool = True,
        control: bool = True,
        pane: str | None = None,
        interactive: bool = True,
        style: dict | None = None,
        attribution: str | None = None,
        tips: _TipTable | None = None,
    ) -> None:
        super().__init__(name=escape(name), overlay=overlay, control=control, show=show)
        self.tips = tips
        self.tips_name = tips.get_name() if tips is not None else None
        self._name = "AuditLayer"
        self.data = {"type": "FeatureCollection", "features": features}
        self.radius = float(radius)
        self.pane = pane
        self.interactive = bool(interactive)
        self.attribution = escape(attribution) if attribution else None
        base = {"weight": 0.6, "color": "#333333", "opacity": 0.8, "fillOpacity": 0.85,
                "interactive": bool(interactive),
                "className": ("geobias-feature " + class_name).strip()}
        base.update(style or {})
        self.style = base


class _TipTable(MacroElement):
    """A JS array of tooltip HTML strings (already escaped), shared by several layers."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = {{ this.tips|tojson }};
        {% endmacro %}
        """
    )

    def __init__(self, tips: list[str]):
        super().__init__()
        self._name = "GeoBiasTips"
        self.tips = list(tips)


class _Legend(MacroElement):
    """A Leaflet control holding ``html`` (already escaped), shown while ``layer`` is on the map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this.map_name }};
            var layer = {{ this.layer_name }};
            var legend = L.control({position: {{ this.position|tojson }}});
            legend.onAdd = function () {
                var div = L.DomUtil.create('div', 'geobias-legend');
                div.innerHTML = {{ this.html|tojson }};
                return div;
            };
            layer.on('add', function () { legend.addTo(map); });
            layer.on('remove', function () { legend.remove(); });
            if (map.hasLayer(layer)) { legend.addTo(map); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, layer: AuditLayer, map_name: str, position: str = "bottomright"):
        super().__init__()
        self._name = "GeoBiasLegend"
        self.html = html_text
        self.layer_name = layer.get_name()
        self.map_name = map_name
        self.position = position


def _continuous_legend(title: str, vrange: tuple[float, float], gradient: str) -> str:
    # Three short labels fit under the 200 px bar; five 4-digit ones ran into each other.
    ticks = np.linspace(vrange[0], vrange[1], 3)
    labels = "".join(f"<span>{escape(f'{float(t):.3g}')}</span>" for t in ticks)
    return (f'<div class="title">{escape(title)}</div>'
            f'<div class="bar" style="background: {escape(gradient)}"></div>'
            f'<div class="ticks">{labels}</div>')


def _categorical_legend(title: str, present: Sequence[str]) -> str:
    rows = "".join(
        f'<div><span class="swatch" style="background: {escape(HOTSPOT_COLORS[c])}"></span>{escape(c)}</div>'
        for c in present
    )
    return f'<div class="title">{escape(title)}</div>{rows}'
