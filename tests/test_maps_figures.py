"""Static matplotlib maps and the model-comparison figure (geobias.maps.figures)."""

from __future__ import annotations

import os

import geopandas as gpd
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from geobias.errors import GeoBiasError
from geobias.hotspots import hotspots
from geobias.maps import audit_figure, plot_comparison, plot_map, save_figure, world_basemap
from conftest import synthetic_per_centre

MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-", "svg": b"<?xml"}


@pytest.fixture(scope="module")
def per_centre() -> gpd.GeoDataFrame:
    return synthetic_per_centre(80)


@pytest.fixture(scope="module")
def hs(per_centre):
    return hotspots(per_centre, "acc", k=8, random_state=0)


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_audit_figure_saves_in_each_format(per_centre, hs, tmp_path, fmt):
    fig = audit_figure(per_centre, "acc", hotspots=hs, title="Model A")
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["Performance (acc)", "Base SSI", "Relative SSI", "Hot spots"]
    out = save_figure(fig, tmp_path / f"audit.{fmt}", dpi=60)
    assert out.read_bytes().startswith(MAGIC[fmt])
    assert os.listdir(tmp_path) == [f"audit.{fmt}"]  # no temporary file left
    before = out.read_bytes()
    with pytest.raises(GeoBiasError, match="already exists; pass overwrite=True"):
        save_figure(plot_map(per_centre, "relative"), out, dpi=60)  # no clobbering by default
    assert out.read_bytes() == before
    save_figure(plot_map(per_centre, "relative"), out, dpi=60, overwrite=True)
    assert out.read_bytes() != before and os.listdir(tmp_path) == [f"audit.{fmt}"]


def test_png_is_not_blank(per_centre, tmp_path):
    import matplotlib.image as mpimg

    out = save_figure(plot_map(per_centre, "relative"), tmp_path / "m.png", dpi=60)
    img = mpimg.imread(out)
    assert img.std() > 0.05


def test_regional_and_world_extent(per_centre):
    ax = plot_map(per_centre, "acc")
    x0, x1 = ax.get_xlim()
    assert -20 < x0 < -10 and 30 < x1 < 40  # the data's box, padded
    ax = plot_map(per_centre, "acc", extent="world")
    assert ax.get_xlim() == (-180.0, 180.0) and ax.get_ylim() == (-90.0, 90.0)
    ax = plot_map(per_centre, "acc", extent=(0, 40, 20, 55), basemap=False)
    assert ax.get_xlim() == (0.0, 20.0)
    with pytest.raises(GeoBiasError, match="extent"):
        plot_map(per_centre, "acc", extent="europe")
    with pytest.raises(GeoBiasError, match="min < max"):
        plot_map(per_centre, "acc", extent=(10, 0, 0, 10))


def test_hotspot_map_has_class_legend(hs):
    ax = plot_map(hs)  # a HotSpots object: the classes by default
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels and set(labels) <= set(hs.frame["hotspot"].astype(str))
    assert ax.get_legend().get_title().get_text() == "Hot-spot class"


def test_into_existing_axes_and_projected_input(per_centre):
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_map(per_centre.to_crs(3857), "acc", ax=ax) is ax
    assert ax.get_xlim()[1] < 180  # plotted in degrees


def test_world_basemap_is_bundled_and_small():
    from geobias.maps import basemap_path

    assert basemap_path().stat().st_size < 500_000
    world = world_basemap()
    assert len(world) == 177 and world.is_valid.all() and world.crs.to_epsg() == 4326
    assert 0 < len(world_basemap((0, 45, 5, 48))) < 20


def test_comparison_figure(tmp_path):
    scores = pd.DataFrame({"base": [0.21, 0.35, 0.1], "relative": [0.08, 0.15, 0.02], "n": [1, 2, 3]},
                          index=["sphere2vec", "wrap", "rbf"])
    ax = plot_comparison(scores, sort="relative", title="Geo-bias")
    assert isinstance(ax, Axes)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["rbf", "sphere2vec", "wrap"]
    assert len(ax.patches) == 6
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Base SSI", "Relative SSI"]
    save_figure(ax, tmp_path / "cmp.pdf")
    with pytest.raises(GeoBiasError, match="not found"):
        plot_comparison(scores, columns=["base", "sri"])
    with pytest.raises(GeoBiasError, match="non-empty"):
        plot_comparison(pd.DataFrame())


def test_bad_inputs(per_centre, tmp_path):
    with pytest.raises(GeoBiasError, match="suffix"):
        save_figure(plot_map(per_centre, "acc"), tmp_path / "m.jpg")
    with pytest.raises(GeoBiasError, match="not found"):
        plot_map(per_centre, "nope")
    with pytest.raises(GeoBiasError, match="column="):
        plot_map(per_centre)
    with pytest.raises(GeoBiasError, match="nothing to plot"):
        audit_figure(per_centre[["geometry"]])
    with pytest.raises(GeoBiasError, match="set_crs"):
        plot_map(per_centre.set_crs(None, allow_override=True), "acc")
    assert os.listdir(tmp_path) == []


def _colorbar(ax: Axes):
    """The colour bar of a continuous map panel (its points' collection is the last one)."""
    return ax.collections[-1].colorbar


@pytest.fixture(scope="module")
def with_outlier(per_centre):
    g = per_centre.copy()
    g.loc[g.index[5], "base"] = 80.0  # one crowded centre, as the EASE grid's polar row gave
    g.loc[g.index[7], "relative"] = float("nan")  # non-finite values take no part in the range
    return g


def test_ssi_colours_are_clipped_to_percentiles_so_an_outlier_does_not_set_vmax(with_outlier):
    import numpy as np

    fig = audit_figure(with_outlier, "acc")
    perf, base, rel = [ax for ax in fig.axes if ax.get_title()]
    lo, hi = np.percentile(with_outlier["base"], [2, 98], method="nearest")
    norm = base.collections[-1].norm
    assert (norm.vmin, norm.vmax) == pytest.approx((lo, hi)) and hi < 1.5  # not 80
    cb = _colorbar(base)
    assert cb.extend == "both"
    assert cb.ax.get_ylabel() == f"base\n(colour clipped to 2nd–98th percentile: {lo:.3g}–{hi:.3g})"
    finite = with_outlier["relative"].dropna()
    assert rel.collections[-1].norm.vmax == pytest.approx(np.percentile(finite, 98, method="nearest"))
    assert "2nd–98th percentile" in _colorbar(rel).ax.get_ylabel()
    # the performance panel keeps its full range
    assert perf.collections[-1].norm.vmax == pytest.approx(with_outlier["acc"].max())
    assert _colorbar(perf).ax.get_ylabel() == "acc" and _colorbar(perf).extend == "neither"
    # other percentiles are named as such
    fig = audit_figure(with_outlier, ssi=["base"], clip_percentiles=(1, 99.5))
    assert "1st–99.5th percentile" in _colorbar(fig.axes[0]).ax.get_ylabel()


def test_clip_percentiles_none_keeps_the_full_range(with_outlier):
    fig = audit_figure(with_outlier, "acc", clip_percentiles=None)
    base = [ax for ax in fig.axes if ax.get_title() == "Base SSI"][0]
    norm = base.collections[-1].norm
    assert (norm.vmin, norm.vmax) == (with_outlier["base"].min(), 80.0)
    assert _colorbar(base).ax.get_ylabel() == "base" and _colorbar(base).extend == "neither"
    ax = plot_map(with_outlier, "base")  # plot_map's default: the full range
    assert ax.collections[-1].norm.vmax == 80.0 and _colorbar(ax).ax.get_ylabel() == "base"


def test_plot_map_clipping_and_explicit_bounds(with_outlier):
    ax = plot_map(with_outlier, "base", clip_percentiles=(0, 90))  # only the top is clipped
    assert _colorbar(ax).extend == "max" and "0th–90th percentile" in _colorbar(ax).ax.get_ylabel()
    ax = plot_map(with_outlier, "base", clip_percentiles=(2, 98), vmax=10.0)  # vmax wins on its side
    assert ax.collections[-1].norm.vmax == 10.0 and _colorbar(ax).extend == "both"
    const = with_outlier.assign(base=1.0)  # nothing to clip: no note
    assert _colorbar(plot_map(const, "base", clip_percentiles=(2, 98))).ax.get_ylabel() == "base"


@pytest.mark.parametrize("clip", [(98, 2), (-1, 50), (50, 101), (5,), "2-98", (float("nan"), 98)])
def test_bad_clip_percentiles(per_centre, clip):
    with pytest.raises(GeoBiasError, match="clip_percentiles must be None"):
        audit_figure(per_centre, "acc", clip_percentiles=clip)
    with pytest.raises(GeoBiasError, match="clip_percentiles must be None"):
        plot_map(per_centre, "base", clip_percentiles=clip)
