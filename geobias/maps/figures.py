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

__all__ = ["plot_map", "audit_figure", "plot_comparison", "save_figure", "colour_range", "FORMATS",
           "CLIP_PERCENTILES"]

#: File formats :func:`save_figure` writes (by suffix).
FORMATS = ("png", "svg", "pdf")

Extent = str | tuple[float, float, float, float]

#: The SSI panels' and layers' default colour range: the 2nd to 98th percentile of the finite values.
CLIP_PERCENTILES = (2.0, 98.0)


def _ordinal(p: float) -> str:
    """``2`` → ``"2nd"``, ``98`` → ``"98th"``, ``99.5`` → ``"99.5th"``."""
    n = int(p) if float(p).is_integer() else -1
    suffix = "th" if n < 0 or 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{p:g}{suffix}"


def _check_clip(clip_percentiles) -> tuple[float, float] | None:
    if clip_percentiles is None:
        return None
    try:
        lo, hi = (float(v) for v in clip_percentiles)
    except (TypeError, ValueError):
        lo = hi = float("nan")
    if not (0 <= lo < hi <= 100):
        raise GeoBiasError("clip_percentiles must be None (the full range) or (low, high) percentiles with "
                           f"0 <= low < high <= 100, e.g. (2, 98); got {clip_percentiles!r}")
    return lo, hi


def colour_range(
    values: np.ndarray,
    clip_percentiles: tuple[float, float] | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
) -> tuple[float, float, str, str]:
    """The colour range of a map's values: full, or clipped to percentiles so one outlier cannot set it.

    Parameters
    ----------
    values : numpy.ndarray
        The values (non-finite ones are ignored).
    clip_percentiles : (float, float) or None, default None
        Percentiles of the finite values that bound the colours, e.g.
        ``(2, 98)`` (``numpy.percentile``'s ``"nearest"`` method: bounds are
        observed values); ``None``: their minimum and maximum. A range that
        collapses to one value (most values equal) falls back to the full range.
    vmin, vmax : float, optional
        Explicit bounds; each replaces its side of the computed range.

    Returns
    -------
    (float, float, str, str)
        ``vmin``, ``vmax``, the colour bar's ``extend`` (``"neither"``,
        ``"min"``, ``"max"`` or ``"both"``: the sides where values fall
        outside) and a note for the legend that states the clipped range
        (``""`` when the percentiles clip nothing).

    Examples
    --------
    >>> values = np.r_[np.linspace(1.0, 5.0, 99), 80.0]  # one outlier
    >>> lo, hi, extend, note = colour_range(values, (2, 98))
    >>> round(hi, 2), extend, note
    (4.96, 'both', 'colour clipped to 2nd–98th percentile: 1.08–4.96')
    >>> colour_range(values)
    (1.0, 80.0, 'neither', '')
    """
    clip = _check_clip(clip_percentiles)
    vals = np.asarray(values, dtype=float)
    finite = vals[np.isfinite(vals)]
    if not finite.size:
        return (0.0 if vmin is None else float(vmin)), (1.0 if vmax is None else float(vmax)), "neither", ""
    full = float(finite.min()), float(finite.max())
    lo, hi = full
    note = ""
    if clip is not None and (vmin is None or vmax is None):
        # "nearest": observed values, so with few centres one outlier cannot drag the bound
        # towards itself by interpolation (98th of 40 values: the 39th, not 22% of the way to the 40th)
        plo, phi = (float(v) for v in np.percentile(finite, clip, method="nearest"))
        if plo < phi:
            lo, hi = plo, phi
            if (vmin is None and lo > full[0]) or (vmax is None and hi < full[1]):
                shown = (lo if vmin is None else float(vmin), hi if vmax is None else float(vmax))
                note = (f"colour clipped to {_ordinal(clip[0])}–{_ordinal(clip[1])} percentile: "
                        f"{shown[0]:.3g}–{shown[1]:.3g}")
    lo = lo if vmin is None else float(vmin)
    hi = hi if vmax is None else float(vmax)
    below, above = full[0] < lo, full[1] > hi
    extend = {(True, True): "both", (True, False): "min", (False, True): "max"}.get((below, above), "neither")
    return lo, hi, extend, note


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
    clip_percentiles: tuple[float, float] | None = None,
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
        Continuous colours; ``vmin``/``vmax`` override the computed range.
    clip_percentiles : (float, float) or None, default None
        Bound the continuous colours by these percentiles of the finite
        values, e.g. ``(2, 98)``, so a few outliers cannot wash out the rest;
        the colour bar then extends (arrows) on the clipped sides and its
        label states the clipped range. ``None``: the full range.
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
    >>> ax = plot_map(pc, "relative", clip_percentiles=(0, 50))  # colours up to the median
    >>> print(ax.figure.axes[-1].get_ylabel())
    relative
    (colour clipped to 0th–50th percentile: 0.1–0.3)
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
        lo, hi, extend, note = colour_range(vals, clip_percentiles, vmin, vmax)
        kw = {"markersize": markersize, "edgecolor": "#333333", "linewidth": 0.2} if points else {"edgecolor": "#555555", "linewidth": 0.2}
        if (~finite).any():
            g[~finite].plot(ax=ax, color="#9e9e9e", zorder=2, **kw)
        order = np.argsort(vals[finite], kind="stable")  # high values on top
        g[finite].iloc[order].plot(ax=ax, column=column, cmap=cmap, vmin=lo, vmax=hi, zorder=3, **kw)
        if legend:
            sm = ax.collections[-1]
            cb = fig.colorbar(sm, ax=ax, shrink=0.8, pad=0.02, extend=extend)
            cb.set_label(f"{column}\n({note})" if note else column, fontsize=8 if note else None)
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
    clip_percentiles: tuple[float, float] | None = CLIP_PERCENTILES,
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
    clip_percentiles : (float, float) or None, default (2, 98)
        Colour range of the SSI panels: these percentiles of each panel's
        finite values (the colour bar extends past them and its label states
        the clipped range), so a few centres with outlying scores (e.g. in
        a crowded corner of the sampling design) cannot hide the others.
        ``None``: the full range. The performance panel always shows its
        full range.

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
    clip = _check_clip(clip_percentiles)
    panels: list[tuple[gpd.GeoDataFrame, str, str, str, tuple[float, float] | None]] = []
    if value is not None:
        panels.append((gdf, value, "viridis", f"Performance ({value})", None))
    for c in ssi:
        panels.append((gdf, c, "YlOrRd", {"base": "Base SSI", "relative": "Relative SSI"}.get(c, c), clip))
    if hotspots is not None:
        hs = _as_frame(hotspots)
        if "hotspot" not in hs.columns:
            raise GeoBiasError("hotspots must be a HotSpots or a GeoDataFrame with a 'hotspot' column")
        panels.append((hs, "hotspot", "", "Hot spots", None))
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
    for ax, (frame, col, cmap, ptitle, pclip) in zip(axes, panels):
        plot_map(frame, col, ax=ax, extent=box, cmap=cmap or "viridis", title=ptitle, markersize=markersize,
                 clip_percentiles=pclip)
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
