"""Great-circle geometry on the unit sphere, in the reference's conventions.

All angles are radians and points are ``(lat, lon)`` pairs, the order that
scikit-learn's haversine metric (and therefore the reference) uses.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from geocommon.earth import EARTH_RADIUS_KM as _EARTH_RADIUS_KM

__all__ = [
    "EARTH_RADIUS_KM",
    "to_radians",
    "wrap_longitude",
    "haversine",
    "latlon_to_xyz",
    "xyz_to_latlon",
    "rotation_to_centre",
    "to_polar_frame",
    "chord_to_angle",
    "angle_to_chord",
]

#: The reference's Earth radius (km to radians), shared by every distance in the project.
EARTH_RADIUS_KM = _EARTH_RADIUS_KM

RadiansConvention = Literal["reference", "numpy"]


def to_radians(deg: np.ndarray, convention: RadiansConvention = "reference") -> np.ndarray:
    """Convert degrees to radians the way a given reference did.

    PyGBS computes ``deg / 180 * pi`` while ``np.radians`` multiplies by a
    rounded ``pi / 180``; the two differ in the last bit, which can flip exact
    nearest-neighbour ties, so reproducing a reference requires its convention.

    Parameters
    ----------
    deg : numpy.ndarray
        Angles in degrees.
    convention : {"reference", "numpy"}, default "reference"
        ``"reference"`` is ``deg / 180 * pi`` (PyGBS), ``"numpy"`` is
        ``np.radians`` (TorchSpatial 2024 scripts).

    Returns
    -------
    numpy.ndarray
        Angles in radians, same shape as ``deg``.

    Examples
    --------
    >>> float(to_radians(np.array([180.0]))[0]) == np.pi
    True
    """
    deg = np.asarray(deg, dtype=float)
    if convention == "reference":
        return deg / 180 * np.pi
    if convention == "numpy":
        return np.radians(deg)
    raise ValueError(f"unknown radians convention {convention!r}")


def wrap_longitude(lon: np.ndarray) -> np.ndarray:
    """Longitudes in degrees wrapped into [-180, 180], the rule geoencode uses.

    Values already in range are returned untouched (bit-exact); the others become
    ``(lon + 180) mod 360 - 180``.

    Parameters
    ----------
    lon : numpy.ndarray
        Longitudes in degrees.

    Returns
    -------
    numpy.ndarray
        Wrapped longitudes.

    Examples
    --------
    >>> wrap_longitude(np.array([190.0, -190.0, 180.0, 12.5, 372.5])).tolist()
    [-170.0, 170.0, 180.0, 12.5, 12.5]
    """
    lon = np.asarray(lon, dtype=float)
    return np.where(np.abs(lon) > 180, np.remainder(lon + 180, 360) - 180, lon)


def haversine(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in radians (scikit-learn's haversine formula).

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array_like
        Coordinates in radians; broadcast against each other.

    Returns
    -------
    numpy.ndarray
        Central angles in radians.

    Examples
    --------
    >>> round(float(haversine(0.0, 0.0, 0.0, np.pi / 2)), 12) == round(np.pi / 2, 12)
    True
    """
    # The exact operation order of sklearn.metrics.pairwise.haversine_distances
    # so that distance ties resolve as in the reference.
    sin_0 = np.sin(0.5 * (np.asarray(lat1) - lat2))
    sin_1 = np.sin(0.5 * (np.asarray(lon1) - lon2))
    a = sin_0 * sin_0 + np.cos(lat1) * np.cos(lat2) * sin_1 * sin_1
    return 2 * np.arcsin(np.sqrt(a))


def latlon_to_xyz(lat, lon, sign_quirk: bool = False) -> np.ndarray:
    """Unit vectors of ``(lat, lon)`` points, shape ``(..., 3)``.

    Parameters
    ----------
    lat, lon : array_like
        Radians.
    sign_quirk : bool, default False
        Multiply ``y`` by ``sign(lat)`` as the reference does for its
        background grid (harmless while all grid latitudes are positive).

    Returns
    -------
    numpy.ndarray
        Cartesian coordinates on the unit sphere.

    Examples
    --------
    >>> latlon_to_xyz(np.array([np.pi / 2]), np.array([0.0])).round(12).tolist()
    [[0.0, 0.0, 1.0]]
    """
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    r = np.cos(lat)
    y = np.sin(lon) * r
    if sign_quirk:
        y = np.sign(lat) * y
    return np.stack([np.cos(lon) * r, y, np.sin(lat)], axis=-1)


def xyz_to_latlon(xyz: np.ndarray) -> np.ndarray:
    """Inverse of :func:`latlon_to_xyz`: ``(..., 3)`` → ``(..., 2)`` (lat, lon).

    Parameters
    ----------
    xyz : numpy.ndarray
        Unit vectors.

    Returns
    -------
    numpy.ndarray
        ``(lat, lon)`` in radians.

    Examples
    --------
    >>> xyz_to_latlon(np.array([[1.0, 0.0, 0.0]])).tolist()
    [[0.0, 0.0]]
    """
    xyz = np.asarray(xyz, dtype=float)
    lat = np.arcsin(np.clip(xyz[..., 2], -1.0, 1.0))
    lon = np.arctan2(xyz[..., 1], xyz[..., 0])
    return np.stack([lat, lon], axis=-1)


def rotation_to_centre(lat_c, lon_c) -> np.ndarray:
    """Rotation matrices taking the north pole onto each centre.

    Equal to ``scipy.spatial.transform.Rotation.from_euler('yz',
    [pi/2 - lat_c, lon_c]).as_matrix()`` (extrinsic y then z), the rotation
    the reference applies to its background rings.

    Parameters
    ----------
    lat_c, lon_c : array_like
        Centre coordinates in radians, shape ``(C,)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(C, 3, 3)``.

    Examples
    --------
    >>> R = rotation_to_centre(np.array([0.0]), np.array([0.0]))
    >>> (R[0] @ [0, 0, 1]).round(12).tolist()
    [1.0, 0.0, 0.0]
    """
    theta = np.pi / 2 - np.asarray(lat_c, dtype=float)
    phi = np.asarray(lon_c, dtype=float)
    ct, st, cp, sp = np.cos(theta), np.sin(theta), np.cos(phi), np.sin(phi)
    zero = np.zeros_like(ct)
    # Rz(phi) @ Ry(theta)
    return np.stack(
        [
            np.stack([cp * ct, -sp, cp * st], axis=-1),
            np.stack([sp * ct, cp, sp * st], axis=-1),
            np.stack([-st, zero, ct], axis=-1),
        ],
        axis=-2,
    )


def to_polar_frame(xyz: np.ndarray, rot: np.ndarray) -> np.ndarray:
    """Apply the inverse of ``rot`` (a centre rotation) to points.

    Parameters
    ----------
    xyz : numpy.ndarray
        Shape ``(C, n, 3)``: points of each centre.
    rot : numpy.ndarray
        Shape ``(C, 3, 3)`` from :func:`rotation_to_centre`.

    Returns
    -------
    numpy.ndarray
        Shape ``(C, n, 3)``: the points with their centre moved to the pole.

    Examples
    --------
    >>> R = rotation_to_centre(np.array([0.0]), np.array([0.0]))
    >>> to_polar_frame(np.array([[[1.0, 0.0, 0.0]]]), R).round(12).tolist()
    [[[0.0, 0.0, 1.0]]]
    """
    # R^T x written out elementwise rather than with matmul: batched BLAS may
    # pick different kernels for different batch sizes, and we want per-centre
    # results that do not depend on how centres are chunked.
    out = np.empty_like(xyz)
    for j in range(3):
        out[..., j] = (
            rot[:, None, 0, j] * xyz[..., 0]
            + rot[:, None, 1, j] * xyz[..., 1]
            + rot[:, None, 2, j] * xyz[..., 2]
        )
    return out


def chord_to_angle(chord: np.ndarray) -> np.ndarray:
    """Central angle (radians) of a chord of the unit sphere.

    Parameters
    ----------
    chord : numpy.ndarray
        Euclidean distances between unit vectors.

    Returns
    -------
    numpy.ndarray
        ``2 * arcsin(chord / 2)``; ``inf`` stays ``inf``.

    Examples
    --------
    >>> float(chord_to_angle(np.array([2.0]))[0]) == np.pi
    True
    """
    chord = np.asarray(chord, dtype=float)
    with np.errstate(invalid="ignore"):
        out = 2 * np.arcsin(np.minimum(chord, 2.0) / 2)
    return np.where(np.isinf(chord), np.inf, out)


def angle_to_chord(angle) -> np.ndarray:
    """Chord length of a central angle (radians); inverse of :func:`chord_to_angle`.

    Parameters
    ----------
    angle : array_like
        Central angles in radians.

    Returns
    -------
    numpy.ndarray
        ``2 * sin(angle / 2)``.

    Examples
    --------
    >>> float(angle_to_chord(np.pi))
    2.0
    """
    return 2 * np.sin(np.asarray(angle, dtype=float) / 2)
