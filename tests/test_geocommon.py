"""geocommon, the shared foundation: atomic writes, column aliases, reprojection, messages, checks."""

from __future__ import annotations

import argparse
import numbers
import os
import sqlite3
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geocommon.atomic import atomic_path, check_target, current_umask
from geocommon.checks import check_scalar
from geocommon.cli import cli_wording, run_cli
from geocommon.columns import LAT_ALIASES, LON_ALIASES, find_lonlat, has_lonlat
from geocommon.crs import is_wgs84, to_wgs84, transform_lonlat
from geocommon.rows import describe_rows, format_labels


class MyError(ValueError):
    pass


# ---------------------------------------------------------------------------- atomic writes
@pytest.fixture()
def umask():
    def set_mask(mask: int) -> None:
        os.umask(mask)

    old = os.umask(0o022)
    os.umask(old)
    yield set_mask
    os.umask(old)


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002])
@pytest.mark.parametrize("create", [True, False])
def test_output_gets_the_permissions_of_any_new_file(tmp_path, umask, mask, create):
    umask(mask)
    assert current_umask() == mask
    target = tmp_path / "out.txt"
    with atomic_path(target, create=create) as tmp:
        tmp.write_text("x")
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
    # the plain way of writing a file gives the same bits
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert plain.stat().st_mode & 0o777 == target.stat().st_mode & 0o777


def test_refuses_to_overwrite_with_the_callers_error_and_wording(tmp_path):
    target = tmp_path / "a.csv"
    target.write_text("old")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        with atomic_path(target) as tmp:
            tmp.write_text("new")
    with pytest.raises(MyError, match=r"a\.csv is taken; use --force"):
        with atomic_path(target, error=MyError, exists_message="{path} is taken; use --force") as tmp:
            tmp.write_text("new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]
    with atomic_path(target, overwrite=True) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"


def test_an_error_inside_leaves_the_target_and_no_temporary_file(tmp_path):
    target = tmp_path / "a.gpkg"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="boom"):
        with atomic_path(target, overwrite=True) as tmp:
            tmp.write_text("half")
            for side in ("-wal", "-journal"):  # what SQLite leaves beside a database
                (tmp.parent / f"{tmp.name}{side}").write_text("")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gpkg"]


def test_interrupt_inside_cleans_up_too(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(tmp_path / "x.txt") as tmp:
            tmp.write_text("half")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_parents_are_created_and_the_suffix_kept(tmp_path):
    target = tmp_path / "a" / "b" / "m.gpkg"
    with atomic_path(target, create=False) as tmp:
        assert tmp.parent == target.parent and tmp.suffix == ".gpkg" and not tmp.exists()
        with sqlite3.connect(tmp) as con:  # a writer that creates the file itself
            con.execute("create table t (x)")
        con.close()
    assert target.exists()
    with sqlite3.connect(target) as con:
        assert con.execute("select count(*) from t").fetchone() == (0,)
    con.close()


def test_a_file_that_appears_meanwhile_is_not_clobbered(tmp_path):
    target = tmp_path / "a.txt"
    with pytest.raises(MyError, match="already exists"):
        with atomic_path(target, error=MyError) as tmp:
            tmp.write_text("mine")
            target.write_text("someone else's")
    assert target.read_text() == "someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_nothing_written_is_an_error_not_an_empty_file(tmp_path):
    with pytest.raises(MyError, match="nothing was written"):
        with atomic_path(tmp_path / "a.gpkg", create=False, error=MyError):
            pass
    assert list(tmp_path.iterdir()) == []


def test_inputs_are_never_written_over(tmp_path):
    inp = tmp_path / "in.csv"
    inp.write_text("data")
    os.symlink(inp, tmp_path / "link.csv")
    for alias in (inp, tmp_path / "." / "in.csv", tmp_path / "link.csv"):
        with pytest.raises(MyError, match="input"):
            check_target(alias, overwrite=True, inputs=[inp], error=MyError)
    assert inp.read_text() == "data"
    assert check_target(tmp_path / "out.csv", inputs=[inp]) == tmp_path / "out.csv"


# ---------------------------------------------------------------------------- column aliases
def test_aliases_find_torchspatial_and_common_names():
    assert find_lonlat(["gt_longitude", "gt_latitude", "hit@1"]) == ("gt_longitude", "gt_latitude")
    assert find_lonlat(["LONGITUDE", "Latitude"]) == ("LONGITUDE", "Latitude")
    assert find_lonlat(["x", "y", "lon", "lat"]) == ("lon", "lat")  # lon/lat before x/y
    assert not has_lonlat(["lon", "hit@1"]) and has_lonlat(["lng", "lat"])
    assert {"lon", "longitude", "lng", "gt_longitude"} <= set(LON_ALIASES)
    assert {"lat", "latitude", "gt_latitude"} <= set(LAT_ALIASES)


# ---------------------------------------------------------------------------- reprojection
LONLAT = np.array([[2.3522, 48.8566], [-74.006, 40.7128], [151.2093, -33.8688], [0.0, 0.0]])


@pytest.mark.parametrize("crs", [3857, 32631, 4258, 2154])
def test_round_trip_through_a_projected_crs(crs):
    s = gpd.GeoSeries(gpd.points_from_xy(LONLAT[:, 0], LONLAT[:, 1]), crs=4326, index=[5, 6, 7, 8])
    if crs in (32631, 2154):  # zones valid over France only
        s = s.iloc[:1]
    back = to_wgs84(s.to_crs(crs))
    assert back.crs.to_epsg() == 4326
    assert back.index.equals(s.index)
    np.testing.assert_allclose(np.c_[back.x, back.y], np.c_[s.x, s.y], atol=1e-7)


def test_geodataframe_keeps_columns_and_axis_order_is_x_lon():
    gdf = gpd.GeoDataFrame({"v": [1, 2]}, geometry=gpd.points_from_xy([2.35, 13.4], [48.85, 52.5]), crs=4326)
    etrs = gdf.to_crs("EPSG:4258")  # authority axis order lat, lon
    out = to_wgs84(etrs)
    assert list(out.columns) == ["v", "geometry"] and is_wgs84(out.crs)
    np.testing.assert_allclose(out.geometry.x, [2.35, 13.4], atol=1e-6)


def test_wgs84_is_relabelled_not_recomputed():
    s = gpd.GeoSeries(gpd.points_from_xy([0.1 + 0.2], [1 / 3]), crs="OGC:CRS84")
    out = to_wgs84(s)
    assert out.crs.to_epsg() == 4326
    assert out.iloc[0].x == 0.1 + 0.2 and out.iloc[0].y == 1 / 3
    same = gpd.GeoSeries(gpd.points_from_xy([1.0], [2.0]), crs=4326)
    assert to_wgs84(same) is same


def test_no_crs_raises_the_callers_error_unless_assumed():
    s = gpd.GeoSeries(gpd.points_from_xy([261845.7], [6250566.7]))
    with pytest.raises(MyError, match=r"the points has no CRS.*set_crs.*or pass assume_crs"):
        to_wgs84(s, error=MyError, what="the points", hint=", or pass assume_crs")
    p = to_wgs84(s, assume_crs=3857).iloc[0]
    assert (round(p.x, 4), round(p.y, 4)) == (2.3522, 48.8566)
    with pytest.raises(MyError, match="GeoSeries or GeoDataFrame"):
        to_wgs84([1, 2], error=MyError)


def test_z_is_dropped_with_the_callers_warning():
    s = gpd.GeoSeries([shapely.Point(1, 2, 3)], crs=4326)
    with pytest.warns(RuntimeWarning, match="Z"):
        out = to_wgs84(s, warning=RuntimeWarning)
    assert not shapely.has_z(np.asarray(out.values)).any() and (out.iloc[0].x, out.iloc[0].y) == (1, 2)


def test_transform_lonlat_matches_to_wgs84():
    s = gpd.GeoSeries(gpd.points_from_xy(LONLAT[:, 0], LONLAT[:, 1]), crs=4326).to_crs(3857)
    lon, lat = transform_lonlat(s.x.to_numpy(), s.y.to_numpy(), 3857)
    np.testing.assert_allclose(np.c_[lon, lat], LONLAT, atol=1e-7)


# ---------------------------------------------------------------------------- row labels
def test_row_labels_are_listed_then_counted():
    assert describe_rows([3, 17]) == "rows [3, 17] (2 rows in all)"
    assert describe_rows(np.array([4])) == "rows [4] (1 row in all)"
    assert format_labels(range(12), limit=5) == "[0, 1, 2, 3, 4] … (12 rows in all)"
    assert format_labels(np.array(["a", "b"], dtype=object)) == "['a', 'b'] (2 rows in all)"
    assert format_labels(np.arange(3, dtype=np.int64)) == "[0, 1, 2] (3 rows in all)"  # no np.int64(…)


# ---------------------------------------------------------------------------- scalar checks
def test_check_scalar_types_bool_and_bounds():
    assert check_scalar(np.int64(3), "k", numbers.Integral, min_val=1) == 3
    with pytest.raises(MyError, match=r"k must be an integer >= 1 \(not a bool\), got True"):
        check_scalar(True, "k", numbers.Integral, min_val=1, error=MyError)
    with pytest.raises(MyError, match=r"k must be an integer >= 1, got 2.0 \(float\)"):
        check_scalar(2.0, "k", numbers.Integral, min_val=1, error=MyError)
    with pytest.raises(MyError, match=r"k must be an integer >= 1, got 0"):
        check_scalar(0, "k", numbers.Integral, min_val=1, error=MyError)
    with pytest.raises(MyError, match=r"p must be a number in \(0, 1\]"):
        check_scalar(0.0, "p", min_val=0, max_val=1, include_boundaries="right", error=MyError)
    assert check_scalar(1.0, "p", min_val=0, max_val=1, include_boundaries="right") == 1.0
    with pytest.raises(MyError, match="nan"):
        check_scalar(float("nan"), "p", error=MyError)
    assert check_scalar(float("inf"), "r", min_val=0) == float("inf")
    with pytest.raises(MyError, match="a finite number > 0"):
        check_scalar(float("inf"), "r", min_val=0, include_boundaries="neither", finite=True, error=MyError)
    assert check_scalar(None, "seed", numbers.Integral, allow_none=True) is None
    with pytest.raises(ValueError, match="seed"):
        check_scalar(None, "seed", numbers.Integral)
    assert check_scalar(False, "flag", bool) is False


# ---------------------------------------------------------------------------- command lines
@pytest.fixture()
def parser():
    p = argparse.ArgumentParser(prog="tool")
    p.add_argument("--version", action="version", version="tool 1")
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("run")
    a.add_argument("--errors", choices=["raise", "coerce"], default="raise")
    a.add_argument("--overwrite", action="store_true")
    a.add_argument("--radius-km", type=float)
    a.add_argument("--offline", action="store_true")
    return p


def test_python_wording_becomes_flags(parser):
    assert cli_wording("or pass errors='coerce' to get NaN rows", parser) == "or pass --errors coerce to get NaN rows"
    assert cli_wording('pass errors="coerce".', parser) == "pass --errors coerce."
    assert cli_wording("pass overwrite=True (CLI: --overwrite)", parser) == "pass --overwrite"
    assert cli_wording("pass overwrite=True (--overwrite on the command line) to replace it", parser) == \
        "pass --overwrite to replace it"
    assert cli_wording("pass errors='coerce' (--errors coerce on the command line)", parser) == "pass --errors coerce"
    assert cli_wording("radius_km=0.5 is too small", parser) == "--radius-km 0.5 is too small"
    assert cli_wording("save with offline=False", parser) == "save with no --offline"
    assert cli_wording("radius_km must be a number > 0, got 0.0.", parser) == "--radius-km must be a number > 0, got 0.0."
    assert cli_wording("value column 'radius_km must be' ...", parser) == "value column 'radius_km must be' ..."
    # not options of this parser, or not parameters at all: untouched
    text = "pass lon=/lat= or `gdf.set_crs(...)`; x=1 in row 'a=b'"
    assert cli_wording(text, parser) == text


def test_exit_codes(parser, capsys):
    def fail(args):
        raise MyError("out exists; pass overwrite=True to replace it")

    def interrupt(args):
        raise KeyboardInterrupt

    assert run_cli(parser, lambda a: None, ["run"]) == 0
    assert run_cli(parser, fail, ["run"], errors=(MyError,)) == 1
    assert capsys.readouterr().err.strip() == "tool: error: out exists; pass --overwrite to replace it"
    assert run_cli(parser, fail, ["run", "--radius-km", "x"], errors=(MyError,)) == 2
    assert run_cli(parser, interrupt, ["run"]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert run_cli(parser, fail, ["--version"]) == 0
    assert capsys.readouterr().out.strip() == "tool 1"
    with pytest.raises(RuntimeError):  # not a library error: a bug, shown with its traceback
        run_cli(parser, lambda a: (_ for _ in ()).throw(RuntimeError("bug")), ["run"], errors=(MyError,))


def test_geocommon_imports_neither_package():
    code = ("import sys, geocommon.atomic, geocommon.checks, geocommon.cli, geocommon.columns, "
            "geocommon.crs, geocommon.earth, geocommon.rows; "
            "bad = [m for m in ('torch', 'geoencode', 'geobias') if m in sys.modules]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name", ["geocommon", "geocommon.atomic", "geocommon.checks", "geocommon.cli",
                                  "geocommon.columns", "geocommon.crs", "geocommon.earth", "geocommon.rows"])
def test_docstring_examples(name):
    import doctest
    import importlib

    failures, tried = doctest.testmod(importlib.import_module(name), raise_on_error=False, verbose=False,
                                      optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failures == 0 and tried > 0


def test_z_dropped_from_a_frame_keeps_its_geometry_column():
    gdf = gpd.GeoDataFrame({"v": [1]}, geometry=gpd.GeoSeries([shapely.Point(500000, 5e6, 30)], crs=32631))
    gdf = gdf.rename_geometry("where")
    out = to_wgs84(gdf, warn_z=False)
    assert out.geometry.name == "where" and list(out.columns) == ["v", "where"]
    assert not shapely.has_z(np.asarray(out.geometry.values)).any()
    lon, lat = transform_lonlat(np.array([500000.0]), np.array([5e6]), 32631)
    assert (out.geometry.x.iloc[0], out.geometry.y.iloc[0]) == pytest.approx((lon[0], lat[0]), abs=1e-9)


def test_file_systems_without_hard_links_still_refuse_to_clobber(tmp_path, monkeypatch):
    import errno

    def no_links(src, dst):
        raise OSError(errno.EPERM, "hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "a.txt"
    with atomic_path(target) as tmp:
        tmp.write_text("one")
    assert target.read_text() == "one"
    with pytest.raises(MyError, match="already exists"):
        with atomic_path(target, error=MyError, exists_message="{path} already exists") as tmp:
            tmp.write_text("two")
    assert target.read_text() == "one" and sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
