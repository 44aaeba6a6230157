"""Unit vectors and the polar frame of a centre, for the Geo-Bias Score's neighbourhood geometry.

Distances are invariant under rotation, so the score's machinery rotates each centre to the north
pole, where the ring grid (:mod:`geocommon.rings`) and bearings are defined. The rotation is the
inverse of the reference's ``Rotation.from_euler('yz', [pi/2 - lat_c, lon_c])``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["unit_vectors", "to_pole"]


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """``(..., 3)`` unit vectors of ``lat``, ``lon`` in radians.

    Examples
    --------
    >>> unit_vectors(np.array([0.0]), np.array([np.pi / 2])).round(12).tolist()
    [[0.0, 1.0, 0.0]]
    """
    c = np.cos(lat)
    return np.stack([c * np.cos(lon), c * np.sin(lon), np.sin(lat)], axis=-1)


def to_pole(xyz: np.ndarray, lat_c: np.ndarray, lon_c: np.ndarray) -> np.ndarray:
    """Rotate ``(C, n, 3)`` points so that each row's centre ``(lat_c, lon_c)`` is the north pole.

    Examples
    --------
    >>> p = to_pole(unit_vectors(np.array([[0.3]]), np.array([[1.2]])), np.array([0.3]), np.array([1.2]))
    >>> p.round(12).tolist()
    [[[0.0, 0.0, 1.0]]]
    """
    cl, sl = np.cos(lon_c)[:, None], np.sin(lon_c)[:, None]
    x = cl * xyz[..., 0] + sl * xyz[..., 1]
    y = -sl * xyz[..., 0] + cl * xyz[..., 1]
    t = 0.5 * np.pi - lat_c
    ct, st = np.cos(t)[:, None], np.sin(t)[:, None]
    return np.stack([ct * x - st * xyz[..., 2], y, st * x + ct * xyz[..., 2]], axis=-1)
