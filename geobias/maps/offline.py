"""Self-contained web maps: Leaflet inlined, no CDN, no tile server.

folium maps normally load Leaflet, jQuery, Bootstrap and Font Awesome from
CDNs and the background from a tile server. :func:`make_offline` turns a
:class:`folium.Map` into one that needs nothing from the network: the
vendored Leaflet 1.9.4 JS/CSS (BSD-2-Clause, ``assets/leaflet-LICENSE.txt``)
is inlined into the page, its images as ``data:`` URIs, the other libraries
(unused by the maps :mod:`geobias.maps` draws) are dropped. Use the bundled
world basemap (:func:`geobias.maps.basemap.world_basemap`) for a background.

:func:`save_map` writes any folium map atomically and, for offline maps,
refuses to write a page that would still fetch something
(:func:`remote_resources`).
"""

from __future__ import annotations

import base64
import os
import re
from importlib import resources
from pathlib import Path

import folium
from branca.element import Element

from .._io import atomic_path, check_target
from ..errors import GeoBiasError

__all__ = ["LEAFLET_VERSION", "leaflet_assets", "make_offline", "is_offline", "remote_resources", "save_map"]

LEAFLET_VERSION = "1.9.4"
_OFFLINE_KEY = "geobias_offline_leaflet"


def _asset(name: str) -> bytes:
    return (resources.files("geobias.maps.assets") / name).read_bytes()


def leaflet_assets() -> tuple[str, str]:
    """The vendored Leaflet JS and CSS, the CSS's images inlined as ``data:`` URIs.

    Returns
    -------
    js, css : str

    Examples
    --------
    >>> js, css = leaflet_assets()
    >>> "Leaflet 1.9.4" in js, "images/" in css, "data:image/png;base64," in css
    (True, False, True)
    """
    js = _asset("leaflet.js").decode("utf-8")
    css = _asset("leaflet.css").decode("utf-8")

    def inline(match: re.Match) -> str:
        data = base64.b64encode(_asset(match.group(1))).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\(images/([A-Za-z0-9_.-]+\.png)\)", inline, css)
    return js, css


def _script_safe(code: str) -> str:
    # "</script" (any case) would end the inline script element early
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)


def make_offline(m: folium.Map) -> folium.Map:
    """Make ``m`` self-contained (in place): inline Leaflet, drop CDN links and tiles.

    Tile layers are removed (they need a server); add
    :func:`~geobias.maps.basemap.world_basemap` as a GeoJSON layer instead
    (:func:`geobias.maps.explore` with ``offline=True`` does). Elements added
    later that bring their own CDN scripts (folium plugins) are detected by
    :func:`save_map`.

    Parameters
    ----------
    m : folium.Map

    Returns
    -------
    folium.Map
        The same map object.

    Examples
    --------
    >>> import folium
    >>> m = make_offline(folium.Map(tiles=None))
    >>> html = m.get_root().render()
    >>> remote_resources(html), "L.map(" in html, "cdn.jsdelivr.net" in html
    ([], True, False)
    """
    if not isinstance(m, folium.Map):
        raise GeoBiasError(f"m must be a folium.Map, got {type(m).__name__}")
    if is_offline(m):
        return m
    # the instance attributes shadow the class-level CDN lists (leaflet, jquery, bootstrap, ...)
    m.default_js = []
    m.default_css = []
    for key, child in list(m._children.items()):
        if isinstance(child, folium.raster_layers.TileLayer):
            del m._children[key]
    js, css = leaflet_assets()
    root = m.get_root()
    header = (
        f"<style>/* Leaflet {LEAFLET_VERSION} (BSD-2-Clause), inlined by geobias */\n{css}</style>\n"
        f"<script>/* Leaflet {LEAFLET_VERSION} (BSD-2-Clause, (c) 2010-2023 Volodymyr Agafonkin, "
        f"(c) 2010-2011 CloudMade), inlined by geobias */\n{_script_safe(js)}</script>"
    )
    # first in <head>, so every later script can use L
    root.header.add_child(Element(header), name=_OFFLINE_KEY, index=0)
    return m


def is_offline(m: folium.Map) -> bool:
    """Whether :func:`make_offline` was applied to ``m``.

    Examples
    --------
    >>> import folium
    >>> is_offline(folium.Map())
    False
    """
    return _OFFLINE_KEY in m.get_root().header._children


_REMOTE = re.compile(
    r"""(?:<script[^>]*\ssrc\s*=\s*["']?|<link[^>]*\shref\s*=\s*["']?|<img[^>]*\ssrc\s*=\s*["']?|"""
    r"""url\(\s*["']?|@import\s+["']?)((?:https?:)?//[^"'\s)>]+)""",
    re.IGNORECASE,
)
_TILE_TEMPLATE = re.compile(r"""["']((?:https?:)?//[^"']*\{z\}[^"']*)["']""", re.IGNORECASE)


def remote_resources(html: str) -> list[str]:
    """URLs that a page would fetch: script/stylesheet/image sources, CSS ``url()``, tile templates.

    Plain links (``<a href>``, e.g. attributions) are not fetched and not listed.

    Parameters
    ----------
    html : str

    Returns
    -------
    list of str
        Sorted, unique.

    Examples
    --------
    >>> remote_resources('<script src="https://cdn.example/x.js"></script><a href="https://x.org">x</a>')
    ['https://cdn.example/x.js']
    """
    found = set(_REMOTE.findall(html)) | set(_TILE_TEMPLATE.findall(html))
    return sorted(found)


def save_map(m: folium.Map, path: str | os.PathLike, *, offline: bool | None = None,
             overwrite: bool = False) -> Path:
    """Write a folium map to an HTML file atomically (temporary file, then rename).

    Parameters
    ----------
    m : folium.Map
    path : str or os.PathLike
        Destination ``.html`` file (missing folders are created).
    offline : bool, optional
        ``True``: make the map self-contained first (:func:`make_offline`).
        Default: as the map is. Either way, an offline map whose page would
        still fetch something raises :class:`~geobias.errors.GeoBiasError`
        (naming the URLs) and nothing is written.
    overwrite : bool, default False
        Replace an existing file; without it an existing file raises
        :class:`~geobias.errors.GeoBiasError`.

    Returns
    -------
    pathlib.Path
        The written file.

    Examples
    --------
    >>> import folium, tempfile, os
    >>> out = save_map(folium.Map(tiles=None), os.path.join(tempfile.mkdtemp(), "m.html"), offline=True)
    >>> out.read_text(encoding="utf-8").count("<script>") > 0
    True
    """
    if not isinstance(m, folium.Map):
        raise GeoBiasError(f"m must be a folium.Map, got {type(m).__name__}")
    if offline:
        make_offline(m)
    path = check_target(path, overwrite=overwrite)  # before rendering, which takes a while
    html = m.get_root().render()
    if is_offline(m):
        remote = remote_resources(html)
        if remote:
            raise GeoBiasError(
                f"the offline map would still load {len(remote)} remote resources ({remote[:5]}), "
                "probably from a folium plugin or tile layer added to it; remove those or save with offline=False"
            )
    with atomic_path(path, overwrite=overwrite) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return path
