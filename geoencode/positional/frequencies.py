"""Frequency ladders shared by the multi-scale sinusoidal encoders."""

from __future__ import annotations

import math

import torch

from ..errors import GeoEncodeError


def check_scales(frequency_num: int, min_radius: float, max_radius: float) -> None:
    """Validate the (F, r_min, r_max) triple used by the multi-scale encoders."""
    if not isinstance(frequency_num, int) or isinstance(frequency_num, bool) or frequency_num < 1:
        raise GeoEncodeError(f"frequency_num must be an integer >= 1, got {frequency_num!r}.")
    if not (min_radius > 0):
        raise GeoEncodeError(f"min_radius must be > 0, got {min_radius!r}.")
    if not (max_radius > min_radius):
        raise GeoEncodeError(
            f"min_radius must be smaller than max_radius, got min_radius={min_radius!r}, "
            f"max_radius={max_radius!r}."
        )


def geometric_frequencies(frequency_num: int, min_radius: float, max_radius: float) -> torch.Tensor:
    """Frequencies ``1 / (r_min · exp(k·g))``, ``g = ln(r_max/r_min)/(F−1)``, k = 0..F−1 (float64).

    The first frequency is ``1/min_radius`` (finest scale), the last ``1/max_radius``. With a single
    frequency the reference divides by zero; we return the coarsest scale, ``[1/max_radius]``.

    Examples
    --------
    >>> geometric_frequencies(3, 0.01, 1.0).round(decimals=9).tolist()
    [100.0, 10.0, 1.0]
    """
    check_scales(frequency_num, min_radius, max_radius)
    if frequency_num == 1:
        return torch.tensor([1.0 / max_radius], dtype=torch.float64)
    k = torch.arange(frequency_num, dtype=torch.float64)
    g = math.log(float(max_radius) / float(min_radius)) / (frequency_num - 1.0)
    return 1.0 / (float(min_radius) * torch.exp(k * g))


def legacy_frequencies(frequency_num: int, max_radius: float) -> torch.Tensor:
    """TorchSpatial's private ladder for sphereM+ and dfs: ``r_max^(−k/(F−1))`` (bug B1).

    It ignores ``min_radius``; with the paper's ``r_max = 1`` every frequency is 1.

    Examples
    --------
    >>> legacy_frequencies(3, 1.0).tolist()
    [1.0, 1.0, 1.0]
    """
    if frequency_num == 1:
        return torch.ones(1, dtype=torch.float64)
    k = torch.arange(frequency_num, dtype=torch.float64)
    return 1.0 / torch.pow(torch.tensor(float(max_radius), dtype=torch.float64), k / (frequency_num - 1.0))


def nerf_frequencies(frequency_num: int) -> torch.Tensor:
    """NeRF octaves ``π · 2^k`` (float64).

    Examples
    --------
    >>> nerf_frequencies(2).tolist() == [math.pi, 2 * math.pi]
    True
    """
    return math.pi * torch.pow(2.0, torch.arange(frequency_num, dtype=torch.float64))
