"""Spherical geometry of geoencode.gis: centroids, areas, samples, antimeridian and poles."""

from __future__ import annotations


import numpy as np
import pytest
import shapely

from geoencode import GeoEncodeError, GeoEncodeWarning
from geoencode.gis import (
    fix_antimeridian, geodesic_centroid, representative_points, sample_points, spherical_area,
)

R = 1.0


def _cap_area(lat0: float) -> float:
    return 2 * np.pi * (1 - np.sin(np.radians(abs(lat0))))


def _box_area(lon0, lat0, lon1, lat1) -> float:
    return np.radians(lon1 - lon0) * (np.sin(np.radians(lat1)) - np.sin(np.radians(lat0)))


def _xyz(ll):
    lon, lat = np.radians(ll[..., 0]), np.radians(ll[..., 1])
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], -1)


def _antarctic_ring(lat: float = -70.0, n: int = 360) -> shapely.Polygon:
    """A ring along a parallel, traced once around the pole, not closed over it (as from EPSG:3031)."""
    lon = np.linspace(-180, 180, n, endpoint=False)
    return shapely.Polygon(np.column_stack([lon, np.full(n, lat)]))


# ---------------------------------------------------------------------------------- areas


def test_area_of_boxes_caps_and_globe():
    geoms = [shapely.box(-10, 20, 30, 50), shapely.box(-180, 60, 180, 90), shapely.box(-180, -90, 180, 90)]
    got = spherical_area(geoms, radius=R)
    np.testing.assert_allclose(got, [_box_area(-10, 20, 30, 50), _cap_area(60), 4 * np.pi], rtol=1e-12)


def test_area_with_hole_and_orientation_independent():
    outer = shapely.box(0, 0, 10, 10)
    holed = shapely.Polygon(outer.exterior.coords[::-1], [shapely.box(2, 2, 4, 4).exterior.coords])
    got = spherical_area([holed], radius=R)[0]
    assert got == pytest.approx(_box_area(0, 0, 10, 10) - _box_area(2, 2, 4, 4), rel=1e-12)


def test_area_in_km2():
    earth = spherical_area([shapely.box(-180, -90, 180, 90)])[0]
    assert earth == pytest.approx(4 * np.pi * 6371.0088**2, rel=1e-12)


# ---------------------------------------------------------------------------------- antimeridian


def test_fiji_polygon_is_the_small_one():
    fiji = shapely.Polygon([(177, -18), (-178, -18), (-178, -16), (177, -16)])
    fixed = fix_antimeridian([fiji])[0]
    assert fixed.geom_type == "MultiPolygon"
    assert fixed.bounds == (-180.0, -18.0, 180.0, -16.0)
    assert spherical_area([fiji], radius=R)[0] == pytest.approx(_box_area(177, -18, 182, -16), rel=1e-12)
    # the planar reading is the 355°-wide band
    assert spherical_area([fiji], radius=R, antimeridian="planar")[0] == pytest.approx(
        _box_area(-178, -18, 177, -16), rel=1e-12)


def test_same_polygon_written_beyond_180_or_split_agree():
    a = shapely.Polygon([(177, -18), (-178, -18), (-178, -16), (177, -16)])  # jumps at ±180
    b = shapely.box(177, -18, 182, -16)  # longitudes beyond 180
    c = shapely.MultiPolygon([shapely.box(177, -18, 180, -16), shapely.box(-180, -18, -178, -16)])  # RFC 7946
    cents = geodesic_centroid([a, b, c])
    np.testing.assert_allclose(_xyz(cents), _xyz(cents[[2, 2, 2]]), atol=1e-12)
    assert abs(cents[0, 0]) == pytest.approx(179.5)
    np.testing.assert_allclose(spherical_area([a, b, c], radius=R), _box_area(177, -18, 182, -16), rtol=1e-12)


def test_untouched_geometries_are_returned_as_is():
    g = [shapely.box(0, 0, 1, 1), shapely.Point(3, 4), shapely.LineString([(0, 0), (100, 0)])]
    out = fix_antimeridian(g)
    assert all(a is b for a, b in zip(g, out))


def test_line_across_antimeridian():
    line = shapely.LineString([(170, 0), (-170, 0)])
    lon, lat = geodesic_centroid([line])[0]
    assert abs(lon) == pytest.approx(180.0) and lat == pytest.approx(0.0, abs=1e-12)
    pts = sample_points([line], 500, random_state=3)[0]
    assert (np.abs(pts[:, 0]) >= 170 - 1e-9).all()


# ---------------------------------------------------------------------------------- poles


def test_antarctica_ring_closes_over_the_south_pole():
    ant = _antarctic_ring(-70.0)
    # the ring is a 360-gon along -70°: area equals the cap's to the chord error of 1° edges
    assert spherical_area([ant], radius=R)[0] == pytest.approx(_cap_area(-70), rel=1e-12)
    lon, lat = geodesic_centroid([ant])[0]
    assert lat == pytest.approx(-90.0, abs=1e-9)
    pts = sample_points([ant], 2000, random_state=0)[0]
    assert (pts[:, 1] < -70).all()
    # area-uniform: the fraction south of -80° is the ratio of the caps
    frac = (pts[:, 1] < -80).mean()
    assert frac == pytest.approx(_cap_area(-80) / _cap_area(-70), abs=0.04)


def test_antarctica_from_polar_stereographic():
    """A polygon around the pole in EPSG:3031, transformed to lon/lat, is the polar cap."""
    import geopandas as gpd

    circle = shapely.Point(0, 0).buffer(2_000_000, quad_segs=64)  # 2000 km around the pole
    g = gpd.GeoSeries([circle], crs=3031).to_crs(4326)
    lon, lat = geodesic_centroid(g.values)[0]
    assert lat < -89.9
    samples = sample_points(g.values, 1000)[0]
    assert (samples[:, 1] < -60).all()
    assert samples[:, 0].min() < -150 and samples[:, 0].max() > 150  # all around the pole


def test_natural_earth_style_antarctica():
    """Antarctica as Natural Earth draws it: -180..180 along the coast, closed along -90°."""
    lon = np.linspace(-180, 180, 73)
    coast = np.column_stack([lon, -70 + 3 * np.sin(np.radians(2 * lon))])
    ring = np.vstack([coast, [[180, -90], [-180, -90]]])
    ant = shapely.Polygon(ring)
    assert fix_antimeridian([ant])[0] is ant
    assert geodesic_centroid([ant])[0, 1] < -89.0
    assert (sample_points([ant], 500)[0][:, 1] <= -67).all()


def test_arctic_cap_centroid_is_the_pole_not_the_planar_centroid():
    cap = shapely.box(-180, 60, 180, 90)
    assert geodesic_centroid([cap])[0, 1] == pytest.approx(90.0)
    assert cap.centroid.y == pytest.approx(75.0)  # the planar answer we must not give


# ---------------------------------------------------------------------------------- centroids


def test_centroid_known_values():
    geoms = [
        shapely.box(-10, -10, 10, 10),               # symmetric → (0, 0)
        shapely.Point(12.5, 41.9),                   # a point is itself
        shapely.MultiPoint([(0, 0), (90, 0)]),       # → (45, 0)
        shapely.LineString([(0, 0), (0, 60)]),       # meridian arc → its midpoint
        shapely.LineString([(-30, 0), (30, 0)]),     # equator arc → (0, 0)
    ]
    np.testing.assert_allclose(
        geodesic_centroid(geoms), [[0, 0], [12.5, 41.9], [45, 0], [0, 30], [0, 0]], atol=1e-9)


def test_centroid_of_box_matches_sampled_mean_vector():
    box = shapely.box(20, 10, 60, 70)  # large and lopsided: the planar centroid is (40, 40)
    exact = geodesic_centroid([box])[0]
    samples = sample_points([box], 20000, random_state=1)[0]
    v = _xyz(samples).mean(0)
    v /= np.linalg.norm(v)
    assert np.degrees(np.arccos(np.clip(v @ _xyz(exact), -1, 1))) < 0.3
    # analytic latitude of the centroid of a lon/lat box: mean of z over mean of cos-weighted horizontal part
    assert exact[0] == pytest.approx(40.0, abs=1e-9)
    assert exact[1] < 40.0 + 5 and exact[1] != pytest.approx(40.0, abs=0.1)


def test_centroid_rotation_equivariant_under_longitude_shift():
    g = shapely.Polygon([(0, 0), (30, 5), (20, 40), (-5, 25)])
    base = geodesic_centroid([g])[0]
    for shift in (90, 170, -120):
        moved = shapely.transform(g, lambda c, s=shift: c + [s, 0])
        got = geodesic_centroid([moved])[0]
        assert ((got[0] - base[0] - shift + 180) % 360 - 180) == pytest.approx(0, abs=1e-9)
        assert got[1] == pytest.approx(base[1], abs=1e-9)


def test_undefined_centroid_warns_and_falls_back():
    with pytest.warns(GeoEncodeWarning, match="undefined"):
        out = geodesic_centroid([shapely.box(-180, -90, 180, 90)], labels=["globe"])
    assert np.isfinite(out).all()


def test_zero_area_polygon_uses_its_outline():
    flat = shapely.Polygon([(0, 0), (10, 0), (20, 0)])
    with pytest.warns(GeoEncodeWarning, match="zero area"):
        c = geodesic_centroid([flat])
    assert c[0, 1] == pytest.approx(0, abs=1e-12) and 0 < c[0, 0] < 20


def test_geometry_collection_uses_highest_dimension():
    gc = shapely.GeometryCollection([shapely.Point(100, 50), shapely.box(-1, -1, 1, 1)])
    np.testing.assert_allclose(geodesic_centroid([gc])[0], [0, 0], atol=1e-9)


def test_missing_or_empty_rejected():
    with pytest.raises(GeoEncodeError, match="missing or empty"):
        geodesic_centroid([shapely.Point(0, 0), None])


# ---------------------------------------------------------------------------------- representative


def test_representative_point_inside():
    u = shapely.Polygon([(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)])
    fiji = shapely.Polygon([(177, -18), (-178, -18), (-178, -16), (177, -16)])
    pts = representative_points([u, fiji])
    assert u.contains(shapely.Point(pts[0]))
    assert (pts[1, 0] >= 177 or pts[1, 0] <= -178) and -18 < pts[1, 1] < -16


# ---------------------------------------------------------------------------------- samples


def test_samples_inside_and_uniform_by_area():
    box = shapely.box(0, 0, 90, 80)
    pts = sample_points([box], 20000, random_state=0)[0]
    assert shapely.contains_xy(box, pts[:, 0], pts[:, 1]).all()
    frac = (pts[:, 1] > 40).mean()
    expected = _box_area(0, 40, 90, 80) / _box_area(0, 0, 90, 80)  # ≈ 0.35, planar would say 0.5
    assert frac == pytest.approx(expected, abs=0.015)


def test_multipolygon_parts_by_area():
    big, small = shapely.box(0, 0, 10, 10), shapely.box(50, 0, 51, 1)
    pts = sample_points([shapely.MultiPolygon([big, small])], 20000)[0]
    frac_small = (pts[:, 0] >= 50).mean()
    assert frac_small == pytest.approx(_box_area(50, 0, 51, 1) / (_box_area(0, 0, 10, 10) + _box_area(50, 0, 51, 1)),
                                       abs=0.005)


def test_fiji_samples_stay_near_fiji():
    fiji = shapely.Polygon([(177, -18), (-178, -18), (-178, -16), (177, -16)])
    pts = sample_points([fiji], 1000)[0]
    assert ((pts[:, 0] >= 177) | (pts[:, 0] <= -178)).all()
    assert (np.abs(pts[:, 1] + 17) <= 1).all()


def test_line_samples_on_the_line_and_by_length():
    line = shapely.LineString([(0, 0), (0, 60), (1, 60)])  # 60° then ~0.5° of great circle
    pts = sample_points([line], 5000)[0]
    assert np.all(shapely.distance(line, shapely.points(pts)) < 1e-9)
    assert (pts[:, 1] >= 60 - 1e-9).mean() < 0.02


def test_samples_deterministic_and_keyed():
    geoms = [shapely.box(0, 0, 1, 1), shapely.box(5, 5, 7, 6), shapely.LineString([(0, 0), (3, 3)])]
    a = sample_points(geoms, 8, random_state=7)
    assert np.array_equal(a, sample_points(geoms, 8, random_state=7))
    assert not np.array_equal(a, sample_points(geoms, 8, random_state=8))
    # a row's samples depend on its key only, not on its neighbours
    keys = np.array([11, 22, 33], dtype=np.uint64)
    full = sample_points(geoms, 8, keys=keys)
    part = sample_points(geoms[1:], 8, keys=keys[1:])
    assert np.array_equal(full[1:], part)


def test_points_and_multipoints_samples():
    out = sample_points([shapely.Point(1, 2), shapely.MultiPoint([(0, 0), (10, 10)])], 200)
    assert (out[0] == [1, 2]).all()
    assert set(map(tuple, out[1])) == {(0.0, 0.0), (10.0, 10.0)}


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_sample_args_checked(bad):
    with pytest.raises(GeoEncodeError, match="n_samples"):
        sample_points([shapely.Point(0, 0)], bad)
    with pytest.raises(GeoEncodeError, match="random_state"):
        sample_points([shapely.Point(0, 0)], 2, random_state="x")


def test_thin_polygon_still_sampled():
    sliver = shapely.Polygon([(0, 0), (60, 60.0), (60, 60.01)])
    pts = sample_points([sliver], 50)[0]
    assert shapely.contains_xy(sliver, pts[:, 0], pts[:, 1]).all()


def test_representative_point_of_a_line_is_its_midpoint():
    pts = representative_points([shapely.LineString([(0, 0), (0, 60)])])
    np.testing.assert_allclose(pts, [[0, 30]])


def test_old_names_and_the_mean_earth_radius():
    """geoencode.gis.geometry keeps its names after the split; areas use the IUGG mean radius."""
    from geocommon.earth import MEAN_EARTH_RADIUS_KM

    import geoencode.gis
    import geoencode.gis.geometry as old
    from geoencode.gis import antimeridian, sampling, spherical

    assert old.fix_antimeridian is antimeridian.fix_antimeridian is geoencode.gis.fix_antimeridian
    assert old.geodesic_centroid is spherical.geodesic_centroid and old.sample_points is sampling.sample_points
    assert old.spherical_area is spherical.spherical_area is geoencode.gis.spherical_area
    assert old.MEAN_EARTH_RADIUS_KM == geoencode.gis.MEAN_EARTH_RADIUS_KM == MEAN_EARTH_RADIUS_KM == 6371.0088
    for module in (old, geoencode.gis):  # the old name: the same value, deprecated
        with pytest.warns(DeprecationWarning, match="MEAN_EARTH_RADIUS_KM"):
            assert module.EARTH_RADIUS_KM == 6371.0088
    with pytest.raises(AttributeError):
        old.NOT_A_NAME
    globe = shapely.box(-180, -90, 180, 90)
    np.testing.assert_allclose(old.spherical_area([globe]), [4 * np.pi * 6371.0088**2], rtol=1e-12)
