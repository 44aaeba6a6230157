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

With an audit result, use its methods — :meth:`GeoBiasAudit.hotspots <geobias.GeoBiasAudit.hotspots>`,
:meth:`~geobias.GeoBiasAudit.explore`, :meth:`~geobias.GeoBiasAudit.figure` and
:meth:`~geobias.GeoBiasAudit.to_gpkg` — which call the functions above with the right columns and
weights; ``geobias audit … --map/--figure/--gpkg`` calls those same methods.

All writers are atomic (temporary file in the destination folder, then one
rename), refuse to replace an existing file without ``overwrite=True``, and
raise :class:`~geobias.errors.GeoBiasError` with the fix when the input cannot
be used.
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
