"""Static, publication-ready figures (matplotlib): maps over bundled outlines, model comparison.

All functions draw with matplotlib's object-oriented API (no global pyplot
state, any backend) and return the :class:`~matplotlib.axes.Axes` or
:class:`~matplotlib.figure.Figure`; :func:`save_figure` writes PNG, SVG or PDF
atomically. Backgrounds are the bundled Natural Earth 1:110m outlines
(:func:`geobias.maps.basemap.world_basemap`), world-wide or cropped to the data.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .._io import atomic_path
from ..errors import GeoBiasError
from ..hotspots import HOTSPOT_CLASSES, HOTSPOT_COLORS, HotSpots, lonlat_degrees
from ..io import as_wgs84
from .basemap import padded_extent, world_basemap

__all__ = ["plot_map", "audit_figure", "plot_comparison", "save_figure", "FORMATS"]

#: File formats :func:`save_figure` writes (by suffix).
FORMATS = ("png", "svg", "pdf")

Extent = str | tuple[float, float, float, float]


def _as_frame(data) -> gpd.GeoDataFrame:
    if isinstance(data, HotSpots):
        return data.frame
    if not isinstance(data, gpd.GeoDataFrame):
        raise GeoBiasError(f"expected a geopandas.GeoDataFrame or HotSpots, got {type(data).__name__}")
    if data.crs is None:
        raise GeoBiasError("the GeoDataFrame has no CRS; set one with `set_crs(4326)` first")
    return data


def _resolve_extent(extent: Extent, lonlat: np.ndarray) -> tuple[float, float, float, float]:
    if isinstance(extent, str):
        if extent == "world":
            return (-180.0, -90.0, 180.0, 90.0)
        if extent == "auto":
            box = padded_extent(lonlat, pad=0.08, min_span=10.0)
            # a data set spanning most of the globe gets the whole world
            if box[2] - box[0] > 300:
                return (-180.0, -90.0, 180.0, 90.0)
            return box
        raise GeoBiasError(f"extent must be 'auto', 'world' or (min_lon, min_lat, max_lon, max_lat), got {extent!r}")
    try:
        box = tuple(float(v) for v in extent)
    except TypeError:
        raise GeoBiasError(f"extent must be 'auto', 'world' or a 4-tuple, got {extent!r}") from None
    if len(box) != 4 or not (box[0] < box[2] and box[1] < box[3]):
        raise GeoBiasError(f"extent must be (min_lon, min_lat, max_lon, max_lat) with min < max, got {extent!r}")
    return box  # type: ignore[return-value]


def _draw_basemap(ax: Axes, box: tuple[float, float, float, float]) -> None:
    ax.set_facecolor("#dfe9f1")
    world_basemap(box).plot(ax=ax, color="#f3f0e8", edgecolor="#9a9a9a", linewidth=0.4, zorder=0)


def _frame_axes(ax: Axes, box: tuple[float, float, float, float]) -> None:
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect("equal")
    ax.set_xlabel("Longitude (°)")
    ax.set_ylabel("Latitude (°)")
    ax.tick_params(labelsize=8)


def plot_map(
    data: gpd.GeoDataFrame | HotSpots,
    column: str | None = None,
    *,
    ax: Axes | None = None,
    extent: Extent = "auto",
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    markersize: float = 12.0,
    title: str | None = None,
    legend: bool = True,
    basemap: bool = True,
) -> Axes:
    """A static map of one column (continuous colours) or of hot-spot classes.

    Parameters
    ----------
    data : geopandas.GeoDataFrame or HotSpots
        Points (or any geometry) with a CRS; plotted in lon/lat degrees.
    column : str, optional
        Column to colour by. ``"hotspot"`` (the default for a
        :class:`~geobias.hotspots.HotSpots` or a frame with that column) draws
        the classes in the usual red/blue palette with a legend.
    ax : matplotlib.axes.Axes, optional
        Draw here; default: a new figure.
    extent : "auto", "world" or tuple, default "auto"
        ``"auto"``: the data's box, padded (a regional map); ``"world"``; or
        ``(min_lon, min_lat, max_lon, max_lat)``.
    cmap, vmin, vmax
        Continuous colours.
    markersize : float, default 12
        Marker area in points².
    title : str, optional
    legend : bool, default True
        Colour bar or class legend.
    basemap : bool, default True
        Draw the bundled country outlines.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import geopandas as gpd
    >>> pc = gpd.GeoDataFrame({"relative": [0.1, 0.5, 0.3]},
    ...                       geometry=gpd.points_from_xy([2.3, 13.4, -3.7], [48.9, 52.5, 40.4]), crs=4326)
    >>> ax = plot_map(pc, "relative", title="Relative SSI")
    >>> ax.get_title(), bool(ax.get_xlim()[0] < -3.7)
    ('Relative SSI', True)
    """
    gdf = _as_frame(data)
    if column is None:
        if "hotspot" in gdf.columns:
            column = "hotspot"
        else:
            raise GeoBiasError("pass column= (the column to colour by)")
    if column not in gdf.columns:
        raise GeoBiasError(f"column {column!r} not found; available columns: {list(gdf.columns)}")
    g = as_wgs84(gdf)
    if ax is None:
        fig = Figure(figsize=(7.5, 4.8), layout="constrained")
        ax = fig.add_subplot()
    fig = ax.figure
    box = _resolve_extent(extent, lonlat_degrees(g))
    if basemap:
        _draw_basemap(ax, box)
    points = (g.geom_type == "Point").all()
    if column == "hotspot":
        classes = g["hotspot"].astype(object)
        present = [c for c in HOTSPOT_CLASSES if c in set(classes)]
        # not significant first, so the significant ones are drawn on top
        order = sorted(present, key=lambda c: c != "Not significant")
        for c in order:
            sel = g[classes.to_numpy() == c]
            kw = {"markersize": markersize, "edgecolor": "#333333", "linewidth": 0.3} if points else {"edgecolor": "#555555", "linewidth": 0.2}
            sel.plot(ax=ax, color=HOTSPOT_COLORS[c], zorder=2, **kw)
        if legend and present:
            handles = [Line2D([], [], marker="o", linestyle="", markersize=6, markerfacecolor=HOTSPOT_COLORS[c],
                              markeredgecolor="#333333", markeredgewidth=0.4, label=c) for c in present]
            ax.legend(handles=handles, loc="lower left", fontsize=7, framealpha=0.9, title="Hot-spot class",
                      title_fontsize=7)
    else:
        if not pd.api.types.is_numeric_dtype(g[column]):
            raise GeoBiasError(f"column {column!r} must be numeric (or 'hotspot'), got dtype {g[column].dtype}")
        vals = g[column].to_numpy(dtype=float)
        finite = np.isfinite(vals)
        lo = vmin if vmin is not None else (float(np.nanmin(vals)) if finite.any() else 0.0)
        hi = vmax if vmax is not None else (float(np.nanmax(vals)) if finite.any() else 1.0)
        kw = {"markersize": markersize, "edgecolor": "#333333", "linewidth": 0.2} if points else {"edgecolor": "#555555", "linewidth": 0.2}
        if (~finite).any():
            g[~finite].plot(ax=ax, color="#9e9e9e", zorder=2, **kw)
        order = np.argsort(vals[finite], kind="stable")  # high values on top
        g[finite].iloc[order].plot(ax=ax, column=column, cmap=cmap, vmin=lo, vmax=hi, zorder=3, **kw)
        if legend:
            sm = ax.collections[-1]
            cb = fig.colorbar(sm, ax=ax, shrink=0.8, pad=0.02)
            cb.set_label(column)
    _frame_axes(ax, box)
    if title is not None:
        ax.set_title(title)
    return ax


def audit_figure(
    per_centre: gpd.GeoDataFrame,
    value: str | None = None,
    *,
    ssi: Sequence[str] | None = None,
    hotspots: HotSpots | gpd.GeoDataFrame | None = None,
    extent: Extent = "auto",
    title: str | None = None,
    markersize: float = 10.0,
) -> Figure:
    """One figure with a panel per quantity: performance, base SSI, relative SSI, hot spots.

    Parameters
    ----------
    per_centre : geopandas.GeoDataFrame
        Per-centre (or per-sample) results with a CRS.
    value : str, optional
        Performance column (first panel, ``viridis``).
    ssi : sequence of str, optional
        Score columns (``YlOrRd``). Default: ``"base"`` and ``"relative"`` if present.
    hotspots : HotSpots or geopandas.GeoDataFrame, optional
        Hot-spot classes (last panel).
    extent : "auto", "world" or tuple
        Shared by all panels (computed from ``per_centre``).
    title : str, optional
        Figure title.
    markersize : float, default 10

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import geopandas as gpd
    >>> pc = gpd.GeoDataFrame({"acc": [0.9, 0.2, 0.6], "base": [0.1, 0.8, 0.3], "relative": [0.05, 0.4, 0.1]},
    ...                       geometry=gpd.points_from_xy([2.3, 13.4, -3.7], [48.9, 52.5, 40.4]), crs=4326)
    >>> fig = audit_figure(pc, "acc", title="Model A")
    >>> [ax.get_title() for ax in fig.axes if ax.get_title()]
    ['Performance (acc)', 'Base SSI', 'Relative SSI']
    """
    gdf = _as_frame(per_centre)
    if ssi is None:
        ssi = [c for c in ("base", "relative") if c in gdf.columns]
    panels: list[tuple[gpd.GeoDataFrame, str, str, str]] = []
    if value is not None:
        panels.append((gdf, value, "viridis", f"Performance ({value})"))
    for c in ssi:
        panels.append((gdf, c, "YlOrRd", {"base": "Base SSI", "relative": "Relative SSI"}.get(c, c)))
    if hotspots is not None:
        hs = _as_frame(hotspots)
        if "hotspot" not in hs.columns:
            raise GeoBiasError("hotspots must be a HotSpots or a GeoDataFrame with a 'hotspot' column")
        panels.append((hs, "hotspot", "", "Hot spots"))
    if not panels:
        raise GeoBiasError("nothing to plot: pass value=, ssi= or hotspots=")
    g = as_wgs84(gdf)
    box = _resolve_extent(extent, lonlat_degrees(g))
    ncols = 1 if len(panels) == 1 else 2
    nrows = int(np.ceil(len(panels) / ncols))
    aspect = (box[3] - box[1]) / max(box[2] - box[0], 1e-9)
    width = 6.0 * ncols
    fig = Figure(figsize=(width, max(2.5, nrows * (width / ncols) * aspect + 0.8)), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, (frame, col, cmap, ptitle) in zip(axes, panels):
        plot_map(frame, col, ax=ax, extent=box, cmap=cmap or "viridis", title=ptitle, markersize=markersize)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    return fig


def plot_comparison(
    scores: pd.DataFrame,
    columns: Sequence[str] = ("base", "relative"),
    *,
    ax: Axes | None = None,
    title: str | None = None,
    sort: str | None = None,
) -> Axes:
    """Grouped bar chart of Geo-Bias Scores across models (e.g. ``geobias.compare``'s output).

    Parameters
    ----------
    scores : pandas.DataFrame
        One row per model (index = model name), one column per score.
    columns : sequence of str, default ("base", "relative")
        Scores to show, one bar per model and score.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
    sort : str, optional
        Sort the models by this column (ascending: least biased on top).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"base": [0.21, 0.35], "relative": [0.08, 0.15]}, index=["sphere2vec", "wrap"])
    >>> ax = plot_comparison(scores, title="Geo-bias by model")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['sphere2vec', 'wrap']
    """
    if not isinstance(scores, pd.DataFrame) or scores.empty:
        raise GeoBiasError("scores must be a non-empty pandas.DataFrame (index = model, columns = scores)")
    columns = list(columns)
    missing = [c for c in columns if c not in scores.columns]
    if missing:
        raise GeoBiasError(f"score columns {missing} not found; available columns: {list(scores.columns)}")
    data = scores[columns].astype(float)
    if sort is not None:
        if sort not in scores.columns:
            raise GeoBiasError(f"sort column {sort!r} not found; available columns: {list(scores.columns)}")
        data = data.loc[scores[sort].sort_values(kind="stable").index]
    if ax is None:
        fig = Figure(figsize=(6.5, 0.9 + 0.45 * len(data) * max(1, len(columns) * 0.6)), layout="constrained")
        ax = fig.add_subplot()
    n_models, n_cols = data.shape
    height = 0.8 / n_cols
    y = np.arange(n_models)
    palette = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860"]
    for j, c in enumerate(columns):
        label = {"base": "Base SSI", "relative": "Relative SSI"}.get(c, c)
        pos = y - 0.4 + height * (j + 0.5)
        bars = ax.barh(pos, data[c].to_numpy(), height=height * 0.95, color=palette[j % len(palette)], label=label)
        ax.bar_label(bars, fmt="%.3g", fontsize=7, padding=2)
    ax.set_yticks(y, [str(i) for i in data.index])
    ax.invert_yaxis()
    ax.set_xlabel("Geo-Bias Score")
    ax.margins(x=0.15)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    if title:
        ax.set_title(title)
    return ax


def save_figure(fig: Figure | Axes, path: str | os.PathLike, *, dpi: int = 200, overwrite: bool = False) -> Path:
    """Save a figure (or an axes' figure) as PNG, SVG or PDF, atomically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or matplotlib.axes.Axes
    path : str or os.PathLike
        Destination; the format is its suffix (``.png``, ``.svg``, ``.pdf``).
    dpi : int, default 200
        Resolution of PNGs.
    overwrite : bool, default False
        Replace an existing file; without it an existing file raises
        :class:`~geobias.errors.GeoBiasError`.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> ax = plot_comparison(pd.DataFrame({"base": [0.2], "relative": [0.1]}, index=["m"]))
    >>> save_figure(ax, os.path.join(tempfile.mkdtemp(), "scores.svg")).suffix
    '.svg'
    """
    if isinstance(fig, Axes):
        fig = fig.figure
    if not isinstance(fig, Figure):
        raise GeoBiasError(f"fig must be a matplotlib Figure or Axes, got {type(fig).__name__}")
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise GeoBiasError(f"cannot tell the figure format from {str(path)!r}: use a suffix in {list(FORMATS)}")
    with atomic_path(path, overwrite=overwrite) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi, metadata=None)
    return path
