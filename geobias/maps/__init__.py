"""Maps of an audit: folium web maps (online or offline), matplotlib figures, styled GeoPackages.

Everything here works on plain GeoDataFrames plus column names (and, for hot
spots, optional PySAL weights), so it is usable without an audit object:

=====================================  =============================================================
:func:`explore`                        interactive :class:`folium.Map` (layers, legends, tooltips)
:func:`save_map`                       write a folium map atomically (checks offline pages)
:func:`make_offline`                   inline Leaflet, drop CDNs/tiles (self-contained page)
:func:`plot_map`, :func:`audit_figure`  static maps over bundled Natural Earth outlines
:func:`plot_comparison`                bar chart of scores across models
:func:`save_figure`                    PNG / SVG / PDF, atomically
:func:`to_gpkg`                        GeoPackage with QGIS styles in ``layer_styles``
:func:`world_basemap`                  the bundled country outlines (GeoDataFrame)
=====================================  =============================================================

Hot spots themselves live in :mod:`geobias.hotspots` (:func:`~geobias.hotspots.hotspots`).

Wiring into the audit result and the CLI
----------------------------------------
With ``r`` a :class:`geobias.GeoBiasAudit` (``r.per_centre``: GeoDataFrame indexed by row label
with ``geometry, base, relative, n_neighbours, local_mean, value, n_background``; ``r.value``: the
performance column's name; ``r.neighbourhoods``: its :class:`libpysal.graph.Graph`)::

    def _weights(r):  # the audit's graph, restricted to the centres when they are a subset
        g = r.neighbourhoods
        return g if set(g.unique_ids) == set(r.per_centre.index) else g.subgraph(r.per_centre.index)

    # r.hotspots(column="value", method="gi_star", permutations=999, random_state=None, fdr=False)
    geobias.hotspots.hotspots(r.per_centre, column, w=_weights(r), method=method,
                              permutations=permutations, random_state=random_state,
                              fdr=fdr)                                       # -> HotSpots
    # ("value" = per-sample performance; "relative"/"base" = hot spots of the scores)

    # r.explore(m=None, offline=False, hotspots=None, **kwargs)
    geobias.maps.explore(r.per_centre, "local_mean", hotspots=hotspots, tooltip=["value"],
                         m=m, offline=offline, **kwargs)                     # -> folium.Map

    # r.to_gpkg(path, hotspots=None)
    geobias.maps.to_gpkg(path, r.per_centre, hotspots, value="local_mean")   # -> Path

    # r.figure(hotspots=None, extent="auto")
    geobias.maps.audit_figure(r.per_centre, "local_mean", hotspots=hotspots,
                              extent=extent, title=...)                      # -> Figure

    # the table of geobias.compare(...) (index = model, columns base/relative)
    geobias.maps.plot_comparison(scores)                                     # -> Axes

CLI (``geobias audit … --map out.html [--offline] --figure out.png --gpkg out.gpkg``)::

    hs = geobias.hotspots.hotspots(r.per_centre, "value", w=_weights(r), random_state=args.seed)
    if args.map:
        geobias.maps.save_map(geobias.maps.explore(r.per_centre, "local_mean", hotspots=hs,
                                                   tooltip=["value"], offline=args.offline),
                              args.map)
    if args.figure:   # .png / .svg / .pdf
        geobias.maps.save_figure(geobias.maps.audit_figure(r.per_centre, "local_mean",
                                                           hotspots=hs), args.figure)
    if args.gpkg:
        geobias.maps.to_gpkg(args.gpkg, r.per_centre, hs, value="local_mean")

All writers are atomic (temporary file in the destination folder, then one
rename) and raise :class:`~geobias.errors.GeoBiasError` with the fix when the
input cannot be used.
"""

from __future__ import annotations

from .basemap import basemap_path, world_basemap
from .figures import audit_figure, plot_comparison, plot_map, save_figure
from .folium_map import explore
from .offline import is_offline, make_offline, remote_resources, save_map
from .qgis import read_layer_styles, to_gpkg

__all__ = [
    "explore",
    "save_map",
    "make_offline",
    "is_offline",
    "remote_resources",
    "plot_map",
    "audit_figure",
    "plot_comparison",
    "save_figure",
    "to_gpkg",
    "read_layer_styles",
    "world_basemap",
    "basemap_path",
]
