"""Position encoders: known values at special points, shapes, dtypes, invariants, gradients."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import geoencode
from geoencode import GeoEncodeError
from geoencode.positional import (
    DFS, RBF, RFF, XYZ, NeRF, SphereC, SphereCPlus, SphereM, SphereMPlus, Space2VecGrid,
    Space2VecTheory, Tile, Wrap, geometric_frequencies, legacy_frequencies,
)

from conftest import SPECIAL_LONLAT

NAMES = list(geoencode.ENCODERS)


def small(name: str):
    """Each encoder with small sizes so the whole matrix of tests stays fast."""
    params = {
        "tile_ffn": {"interval": 10.0, "embed_dim": 8},
        "rbf": {"num_anchors": 16, "random_state": 0},
        "rff": {"frequency_num": 8, "random_state": 0},
        "spherical_harmonics": {"legendre_poly_num": 6},
    }.get(name, {})
    if "frequency_num" in geoencode.get_spec(name).defaults and name != "rff":
        params["frequency_num"] = 4
    return geoencode.position_encoder(name, **params)


def random_lonlat(n: int, seed: int = 0, dtype=torch.float64) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    lon = torch.rand(n, generator=g, dtype=torch.float64) * 360 - 180
    lat = torch.rad2deg(torch.asin(torch.rand(n, generator=g, dtype=torch.float64) * 2 - 1))
    return torch.stack([lon, lat], -1).to(dtype)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_shape_dtype_and_batch_dims(name, dtype):
    pe = small(name)
    x = random_lonlat(24, dtype=dtype).reshape(2, 3, 4, 2)
    out = pe(x)
    assert out.shape == (2, 3, 4, pe.out_dim)
    assert out.dtype == dtype
    assert torch.isfinite(out).all()
    # Batch dimensions are independent: encoding rows one by one gives the same result.
    flat = pe(x.reshape(-1, 2))
    torch.testing.assert_close(out.reshape(-1, pe.out_dim), flat)
    # no points at all is a valid (empty) batch
    assert pe(torch.zeros(3, 0, 2, dtype=dtype)).shape == (3, 0, pe.out_dim)


@pytest.mark.parametrize("name", NAMES)
def test_input_not_modified_and_numpy_accepted(name):
    pe = small(name)
    arr = SPECIAL_LONLAT.numpy().astype(np.float32)
    before = arr.copy()
    out_np = pe(arr)
    t = torch.from_numpy(arr.copy())
    out_t = pe(t)
    np.testing.assert_array_equal(arr, before)
    torch.testing.assert_close(out_np, out_t)
    assert torch.equal(t, torch.from_numpy(before))


@pytest.mark.parametrize("name", NAMES)
def test_same_place_same_code_across_longitude_wraps(name):
    pe = small(name)
    x = random_lonlat(50, seed=1)
    for shift in (360.0, -360.0, 720.0):
        y = x.clone()
        y[:, 0] += shift
        torch.testing.assert_close(pe(y), pe(x), atol=1e-9, rtol=0)


@pytest.mark.parametrize("name", [n for n in NAMES if small(n).periodic])
def test_periodic_by_design(name):
    """Encoders periodic by construction give lon and lon ± 360 the same code without wrapping."""
    pe = small(name)
    pe.wrap_longitudes = False
    x = random_lonlat(50, seed=2)
    y = x.clone()
    y[:, 0] += 360.0
    torch.testing.assert_close(pe(y), pe(x), atol=1e-9, rtol=0)


def test_periodicity_flags():
    periodic = {n for n in NAMES if small(n).periodic}
    assert periodic == {"wrap", "wrap_ffn", "rbf", "xyz", "NeRF", "spherical_harmonics"}


@pytest.mark.parametrize("name", NAMES)
def test_gradients_finite_at_poles_and_dateline(name):
    pe = small(name)
    x = torch.cat([SPECIAL_LONLAT, random_lonlat(20, seed=3)]).requires_grad_(True)
    if name == "rbf":  # a point exactly on an anchor is the worst case for the distance
        pe = RBF(anchors=SPECIAL_LONLAT[:8], kernel_size=5.0)
    out = pe(x)
    (grad,) = torch.autograd.grad((out * torch.linspace(-1, 1, out.shape[-1], dtype=out.dtype)).sum(), x)
    assert torch.isfinite(grad).all()


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_and_device_move_carry_tables(name):
    pe = small(name)
    clone = small(name)
    clone.load_state_dict(pe.state_dict())
    x = random_lonlat(10, seed=4)
    torch.testing.assert_close(clone(x), pe(x))
    moved = pe.to("meta")  # every tensor follows .to(); "meta" exercises that without a GPU
    assert all(t.device.type == "meta" for t in list(moved.buffers()) + list(moved.parameters()))


def test_xyz_known_values():
    out = XYZ()(torch.tensor([[0.0, 0.0], [90.0, 0.0], [0.0, 90.0], [180.0, 0.0], [0.0, -90.0]]))
    expected = torch.tensor([[1.0, 0, 0], [0, 1, 0], [0, 0, 1], [-1, 0, 0], [0, 0, -1]])
    torch.testing.assert_close(out, expected, atol=1e-7, rtol=0)


def test_wrap_known_values():
    out = Wrap()(torch.tensor([[90.0, 45.0], [0.0, 0.0], [-90.0, -45.0]], dtype=torch.float64))
    expected = torch.tensor([[1.0, 1, 0, 0], [0, 0, 1, 1], [-1, -1, 0, 0]], dtype=torch.float64)
    torch.testing.assert_close(out, expected, atol=1e-12, rtol=0)


def test_frequency_ladders():
    f = geometric_frequencies(3, 0.01, 1.0)
    torch.testing.assert_close(f, torch.tensor([100.0, 10.0, 1.0], dtype=torch.float64))
    assert geometric_frequencies(1, 0.01, 1.0).tolist() == [1.0]
    torch.testing.assert_close(legacy_frequencies(4, 8.0), torch.tensor([1.0, 0.5, 0.25, 0.125], dtype=torch.float64))


def test_grid_known_values():
    pe = Space2VecGrid(frequency_num=2, min_radius=1.0, max_radius=4.0)  # f = [1, 1/4] per degree
    out = pe(torch.tensor([[90.0, -30.0]], dtype=torch.float64))[0]
    lon, lat = 90.0, -30.0
    expected = [math.sin(lon), math.cos(lon), math.sin(lon / 4), math.cos(lon / 4),
                math.sin(lat), math.cos(lat), math.sin(lat / 4), math.cos(lat / 4)]
    torch.testing.assert_close(out, torch.tensor(expected, dtype=torch.float64))


def test_theory_known_values():
    pe = Space2VecTheory(frequency_num=1, min_radius=1.0, max_radius=2.0)  # f = 1/2
    lon, lat = 10.0, 20.0
    a = [lon, -lon / 2 + math.sqrt(3) / 2 * lat, -lon / 2 - math.sqrt(3) / 2 * lat]
    expected = [g(v / 2) for v in a for g in (math.sin, math.cos)]
    torch.testing.assert_close(pe(torch.tensor([[lon, lat]], dtype=torch.float64))[0],
                               torch.tensor(expected, dtype=torch.float64))


def test_nerf_known_values():
    out = NeRF(frequency_num=3)(torch.tensor([[0.0, 0.0]], dtype=torch.float64))[0]
    # xyz = (1, 0, 0): sin(π·2^k) = 0 for x, sin 0 = 0 for y, z; cos(π·2^k) = [−1, 1, 1] for x.
    expected = [0.0] * 9 + [-1.0, 1.0, 1.0] + [1.0] * 6
    torch.testing.assert_close(out, torch.tensor(expected, dtype=torch.float64), atol=1e-12, rtol=0)


def test_nerf_high_octaves_accurate_in_float32():
    """Exact phase reduction: every octave is as accurate as the float32 unit vector itself."""
    from geoencode.positional.cartesian import _xyz

    x = random_lonlat(500, seed=11).float()
    out = NeRF(frequency_num=16)(x).double()
    p = _xyz(x).double()  # the float32 unit vector, exactly, in float64
    k = torch.arange(16, dtype=torch.float64)
    turns = (p.unsqueeze(-1) * 2.0 ** (k - 1)).frac()  # exact: 2^(k-1)·p and its fraction
    exact = torch.cat([torch.sin(2 * math.pi * turns), torch.cos(2 * math.pi * turns)], dim=1).flatten(1)
    assert (out - exact).abs().max().item() < 2e-6  # the naive float32 phase is off by up to 6e-3


def test_sphere2vec_lowest_scale_is_unit_vector():
    x = random_lonlat(20, seed=5)
    xyz = XYZ()(x)
    c = SphereC(frequency_num=1, min_radius=0.5, max_radius=1.0)(x)
    torch.testing.assert_close(c, xyz[:, [2, 0, 1]])
    cp = SphereCPlus(frequency_num=1, min_radius=0.5, max_radius=1.0)(x)
    lam, phi = torch.deg2rad(x[:, 0]), torch.deg2rad(x[:, 1])
    torch.testing.assert_close(cp, torch.stack([phi.sin(), phi.cos(), lam.sin(), lam.cos(), xyz[:, 0], xyz[:, 1]], -1))
    # sphereM at scale 1 reduces to [sin φ, cos φ cos λ, cos φ cos λ, cos φ sin λ, cos φ sin λ].
    m = SphereM(frequency_num=1, min_radius=0.5, max_radius=1.0)(x)
    torch.testing.assert_close(m, torch.stack([phi.sin(), xyz[:, 0], xyz[:, 0], xyz[:, 1], xyz[:, 1]], -1))


def test_sphere2vec_frequency_major_order():
    pe = SphereC(frequency_num=3, min_radius=0.1, max_radius=1.0)
    x = torch.tensor([[30.0, 40.0]], dtype=torch.float64)
    out = pe(x)[0].reshape(3, 3)
    for k, f in enumerate(pe.freqs.tolist()):
        lam, phi = math.radians(30.0 * f), math.radians(40.0 * f)
        torch.testing.assert_close(out[k], torch.tensor(
            [math.sin(phi), math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam)], dtype=torch.float64))


def test_b1_fixed_multi_scale_by_default_legacy_reproduces():
    x = torch.tensor([[10.0, 20.0]], dtype=torch.float64)
    legacy = SphereMPlus(frequency_num=8, min_radius=0.01, max_radius=1.0, frequencies="legacy")(x)
    assert torch.unique(legacy.round(decimals=12)).numel() == 6  # up to rounding of the two routes
    fixed = SphereMPlus(frequency_num=8, min_radius=0.01, max_radius=1.0)(x)
    assert torch.unique(fixed).numel() > 40
    dfs_legacy = DFS(frequency_num=8, min_radius=0.01, max_radius=1.0, frequencies="legacy")(x)
    assert dfs_legacy.shape[-1] == 4 * 64 + 32 and torch.unique(dfs_legacy).numel() == 8


def test_dfs_layout():
    pe = DFS(frequency_num=2, min_radius=0.5, max_radius=1.0)
    x = torch.tensor([[30.0, -20.0]], dtype=torch.float64)
    out = pe(x)[0]
    f = pe.freqs
    lam, phi = math.radians(30.0) * f, math.radians(-20.0) * f
    L = torch.cat([lam.sin(), lam.cos()])
    P = torch.cat([phi.sin(), phi.cos()])
    torch.testing.assert_close(out[:16], torch.outer(L, P).reshape(-1))
    torch.testing.assert_close(out[16:20], torch.stack([phi[0].sin(), phi[0].cos(), lam[0].sin(), lam[0].cos()]))


def test_tile_uses_interval():
    pe = Tile(interval=90.0, embed_dim=4)
    assert (pe.num_rows, pe.num_cols) == (2, 4)
    x = torch.tensor([[-170.0, -80.0], [-10.0, -1.0], [10.0, 1.0], [179.0, 89.0], [180.0, 90.0]])
    idx = [0, 1, 6, 7, 7]  # row · 4 + col, borders clipped into the last cell
    torch.testing.assert_close(pe(x), pe.embedding.weight[idx])


def test_rbf_greatcircle_known_values_and_dateline():
    pe = RBF(anchors=[[-179.5, 0.0], [0.0, 90.0]], kernel_size=2.0)
    out = pe(torch.tensor([[179.5, 0.0], [123.0, 88.0]], dtype=torch.float64))
    # 1° across the antimeridian; 2° from the pole whatever the longitude.
    assert out[0, 0].item() == pytest.approx(math.exp(-1 / 8), rel=1e-9)
    assert out[1, 1].item() == pytest.approx(math.exp(-4 / 8), rel=1e-9)
    euclid = RBF(anchors=[[-179.5, 0.0]], kernel_size=2.0, distance="euclidean")
    assert euclid(torch.tensor([[179.5, 0.0]]))[0, 0].item() == pytest.approx(math.exp(-359**2 / 8))


def test_rbf_far_pairs_are_exactly_zero_never_subnormal():
    from geoencode.positional.cartesian import lonlat_to_xyz

    pe = RBF(num_anchors=50, kernel_size=2.0, random_state=1)
    x = random_lonlat(3000, seed=2, dtype=torch.float32)
    with torch.no_grad():
        out = pe(x)
    tiny = torch.finfo(torch.float32).tiny
    assert ((out == 0) | (out >= tiny)).all()  # no subnormal results
    assert (out == 0).float().mean() > 0.5  # most pairs are far apart with a 2° kernel
    # where the result is not flushed, it is the formula's value
    d = torch.rad2deg(torch.acos((lonlat_to_xyz(x[:, 0].double(), x[:, 1].double())
                                  @ lonlat_to_xyz(pe.anchors[:, 0], pe.anchors[:, 1]).T).clamp(-1, 1)))
    expected = torch.exp(-d**2 / 8)
    # float32 cosines resolve angles near an anchor to ~3e-4 rad (as the atan2 form did): 1e-4
    torch.testing.assert_close(out.double(), torch.where(expected < 1e-37, 0.0, expected), atol=1e-4, rtol=0)


def test_rbf_from_locations_picks_rows():
    locs = random_lonlat(30, seed=6)
    pe = RBF.from_locations(locs, num_anchors=5, random_state=0)
    assert pe.out_dim == 5
    assert all((locs == a).all(-1).any() for a in pe.anchors)
    with pytest.raises(GeoEncodeError, match="num_anchors"):
        RBF.from_locations(locs, num_anchors=31)


def test_rff_known_values_and_bandwidth():
    w = torch.tensor([[1.0, 0.0], [0.0, 2.0]], dtype=torch.float64)
    b = torch.tensor([0.0, 0.5], dtype=torch.float64)
    pe = RFF(frequency_num=2, dirvec=w, shift=b)
    out = pe(torch.tensor([[90.0, 45.0]], dtype=torch.float64))[0]  # normalised (0.5, 0.5)
    torch.testing.assert_close(out, torch.tensor([math.cos(0.5), math.cos(1.5)], dtype=torch.float64))
    # W ~ N(0, σ⁻²): the sample standard deviation follows the bandwidth.
    wide = RFF(frequency_num=4000, kernel_size=0.25, random_state=0)
    assert wide.dirvec.std().item() == pytest.approx(4.0, rel=0.05)
    assert RFF(frequency_num=8, random_state=3).dirvec.equal(RFF(frequency_num=8, random_state=3).dirvec)


@pytest.mark.parametrize(
    "factory, match",
    [
        (lambda: SphereC(frequency_num=0), "frequency_num"),
        (lambda: SphereC(min_radius=1.0, max_radius=1.0), "min_radius"),
        (lambda: Space2VecGrid(min_radius=-1.0), "min_radius"),
        (lambda: NeRF(frequency_num=64), "frequency_num"),
        (lambda: Tile(interval=0), "interval"),
        (lambda: RBF(kernel_size=0), "kernel_size"),
        (lambda: RBF(anchors=[[0.0, 100.0]]), "latitude"),
        (lambda: RFF(extent=(10, 0, -90, 90)), "extent"),
        (lambda: SphereMPlus(frequencies="linear"), "frequencies"),
    ],
)
def test_bad_hyper_parameters(factory, match):
    with pytest.raises(GeoEncodeError, match=match):
        factory()


def test_bad_inputs_name_rows():
    pe = XYZ()
    with pytest.raises(GeoEncodeError, match=r"rows \[1, 3\] \(2 rows in all\).*swapped"):
        pe(torch.tensor([[0.0, 0.0], [0.0, 95.0], [0.0, 1.0], [10.0, -91.0]]))
    with pytest.raises(GeoEncodeError, match=r"non-finite.*rows \[2\]"):
        pe(np.array([[0.0, 0.0], [1.0, 1.0], [np.nan, 1.0]]))
    with pytest.raises(GeoEncodeError, match="shape"):
        pe(torch.zeros(4, 3))
    with pytest.raises(GeoEncodeError, match="numeric"):
        pe(np.array([["a", "b"]]))


def test_integer_and_half_inputs():
    pe = SphereC(frequency_num=2)
    assert pe(torch.tensor([[10, 20]])).dtype == torch.get_default_dtype()
    half = pe(torch.tensor([[10.0, 20.0]], dtype=torch.bfloat16))
    assert half.dtype == torch.bfloat16 and torch.isfinite(half.float()).all()


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_blocked_cpu_path_equals_unblocked(name, dtype):
    """Large no-grad calls are encoded block by block into one output; results must not change."""
    pe = small(name)
    x = random_lonlat(3000, seed=7, dtype=dtype)
    x[::97, 0] += 360.0  # some rows need wrapping too
    reference = torch.cat([pe(chunk) for chunk in x.split(50)])  # small calls: one piece each
    pe._block_elements = 4096  # force many blocks
    with torch.no_grad():
        blocked = pe(x.reshape(30, 100, 2))
    assert blocked.shape == (30, 100, pe.out_dim)
    # blocks change the GEMM's summation order (and FMA use) in the phases, which reach 1e4 rad
    # for the finest scales: a few ulps of such a phase (1.8e-12 each in float64) is the floor
    torch.testing.assert_close(blocked.reshape(-1, pe.out_dim), reference.detach(),
                               atol=1e-6 if dtype == torch.float32 else 1e-10, rtol=0)
