"""Spherical harmonics: against scipy, orthonormality by quadrature, stability, conventions."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special as sps
import torch

from geoencode import GeoEncodeError
from geoencode.positional import SphericalHarmonics


def scipy_real_sh(L: int, lon_deg: np.ndarray, lat_deg: np.ndarray) -> np.ndarray:
    """Real orthonormal SH from scipy's complex ones (``(−1)^m`` cancels the Condon–Shortley phase)."""
    theta, phi = np.deg2rad(90.0 - lat_deg), np.deg2rad(lon_deg)
    cols = []
    for l in range(L):
        for m in range(-l, l + 1):
            y = sps.sph_harm_y(l, abs(m), theta, phi)
            if m > 0:
                cols.append(math.sqrt(2) * (-1) ** m * y.real)
            elif m < 0:
                cols.append(math.sqrt(2) * (-1) ** m * y.imag)
            else:
                cols.append(y.real)
    return np.stack(cols, axis=-1)


def test_matches_scipy_up_to_L60():
    rng = np.random.default_rng(0)
    lon = np.r_[rng.uniform(-180, 180, 60), 0.0, 180.0, 33.0]
    lat = np.r_[rng.uniform(-89.9, 89.9, 60), 90.0, -90.0, 89.999]
    ref = scipy_real_sh(60, lon, lat)
    x = torch.tensor(np.c_[lon, lat])
    out64 = SphericalHarmonics(60)(x).numpy()
    np.testing.assert_allclose(out64, ref, atol=1e-10, rtol=0)
    out32 = SphericalHarmonics(60)(x.float()).double().numpy()
    np.testing.assert_allclose(out32, ref, atol=3e-4, rtol=0)
    # float32 error is the argument rounding, not the recurrence: feed float32-exact angles.
    x32 = x.float().double()
    ref32 = scipy_real_sh(60, x32[:, 0].numpy(), x32[:, 1].numpy())
    assert np.abs(SphericalHarmonics(60)(x32).numpy() - ref32).max() < 1e-5


def gauss_grid(n_lat: int, n_lon: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Gauss–Legendre in cos(colatitude) × uniform longitude: exact for band-limited products."""
    nodes, weights = np.polynomial.legendre.leggauss(n_lat)
    lat = np.rad2deg(np.arcsin(nodes))
    lon = np.arange(n_lon) * 360.0 / n_lon - 180.0
    LON, LAT = np.meshgrid(lon, lat)
    W = np.repeat(weights[:, None], n_lon, axis=1) * (2 * np.pi / n_lon)
    return torch.tensor(np.c_[LON.ravel(), LAT.ravel()]), torch.tensor(W.ravel())


@pytest.mark.parametrize("L", [1, 12, 30])
def test_orthonormal_by_quadrature(L):
    x, w = gauss_grid(L + 1, 2 * L + 1)
    Y = SphericalHarmonics(L)(x)
    gram = Y.T @ (Y * w[:, None])
    assert (gram - torch.eye(L * L, dtype=gram.dtype)).abs().max() < 1e-3
    # Far tighter in float64 than the 1e-3 the spec asks for.
    assert (gram - torch.eye(L * L, dtype=gram.dtype)).abs().max() < 1e-10


def test_torchspatial_convention():
    """θ = lat + 90°, ϕ = lon + 180°, m = 0 terms × π (bug B4): Y00 = 0.8862."""
    L = 8
    sh = SphericalHarmonics(L, convention="torchspatial")
    assert sh(torch.tensor([[12.0, 34.0]]))[0, 0].item() == pytest.approx(math.sqrt(math.pi / 4), rel=1e-6)
    x, w = gauss_grid(L + 1, 2 * L + 1)
    Y = sh(x)
    gram = Y.T @ (Y * w[:, None])
    m_zero = torch.tensor([m == 0 for l in range(L) for m in range(-l, l + 1)])
    expected = torch.diag(torch.where(m_zero, torch.tensor(math.pi**2, dtype=torch.float64), 1.0))
    assert (gram - expected).abs().max() < 1e-9
    # Same functions as "standard" evaluated at the mirrored, rotated point, up to the π factor.
    lonlat = torch.tensor([[20.0, 30.0], [-100.0, -60.0]], dtype=torch.float64)
    mirrored = torch.stack([lonlat[:, 0] + 180.0, -lonlat[:, 1]], -1)
    std = SphericalHarmonics(L)(mirrored)
    torch.testing.assert_close(sh(lonlat), std * torch.where(m_zero, torch.tensor(math.pi, dtype=torch.float64), 1.0))
    satclip = SphericalHarmonics(L, convention="satclip")
    torch.testing.assert_close(satclip(lonlat), sh(lonlat))


def test_known_low_degrees():
    sh = SphericalHarmonics(2)
    out = sh(torch.tensor([[0.0, 90.0], [90.0, 0.0]], dtype=torch.float64))
    c = math.sqrt(3 / (4 * math.pi))
    # order (l, m): (0,0), (1,−1) ∝ y, (1,0) ∝ z, (1,1) ∝ x
    torch.testing.assert_close(out[0], torch.tensor([1 / math.sqrt(4 * math.pi), 0, c, 0], dtype=torch.float64))
    torch.testing.assert_close(out[1], torch.tensor([1 / math.sqrt(4 * math.pi), c, 0, 0], dtype=torch.float64),
                               atol=1e-15, rtol=0)


def test_high_degree_float32_is_finite_with_finite_gradients():
    lonlat = torch.tensor([[0.0, 90.0], [0.0, -90.0], [180.0, 0.0], [-180.0, 89.999], [33.0, -12.0]],
                          dtype=torch.float32)
    out = SphericalHarmonics(100)(lonlat)
    assert out.shape == (5, 10_000) and torch.isfinite(out).all()
    x = lonlat.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(SphericalHarmonics(30)(x).sum(), x)
    assert torch.isfinite(grad).all()


@pytest.mark.parametrize("kwargs", [{"legendre_poly_num": 0}, {"legendre_poly_num": 2.5}, {"convention": "sympy"}])
def test_bad_parameters(kwargs):
    with pytest.raises(GeoEncodeError):
        SphericalHarmonics(**kwargs)
