"""Where training samples come from: background (pseudo-absence) locations and class balancing."""

from __future__ import annotations

from typing import Literal

import torch

from ..errors import GeoEncodeError

Background = Literal["uniform", "torchspatial"]


def random_background(n: int, method: Background = "uniform", *, generator: torch.Generator | None = None,
                      device: torch.device | str | None = None, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """``n`` random background locations, lon/lat degrees ``(n, 2)``.

    Parameters
    ----------
    n : int
        Number of points.
    method : {"uniform", "torchspatial"}
        ``"uniform"``: uniform by area over the whole sphere (``lat = asin(u)``), what the
        presence–absence loss assumes. ``"torchspatial"``: the reference's sampler (bug B5), uniform in
        degrees over the north-east quadrant only (lon ∈ [0, 180), lat ∈ [0, 90)) — for reproduction.
    generator : torch.Generator, optional
        Source of randomness (on the CPU).

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> pts = random_background(1000, generator=g)
    >>> bool((pts[:, 1] < 0).any()), bool((pts[:, 0] < 0).any())
    (True, True)
    """
    u = torch.rand(n, 2, generator=generator, dtype=torch.float64)
    if method == "uniform":
        lonlat = torch.stack([u[:, 0] * 360.0 - 180.0, torch.rad2deg(torch.asin(2.0 * u[:, 1] - 1.0))], -1)
    elif method == "torchspatial":
        lonlat = torch.stack([u[:, 0] * 180.0, u[:, 1] * 90.0], -1)
    else:
        raise GeoEncodeError(f"background must be 'uniform' or 'torchspatial', got {method!r}.")
    return lonlat.to(device=device, dtype=dtype)


def balanced_indices(labels: torch.Tensor, max_per_class: int = 100, *,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    """One epoch of sample indices with at most ``max_per_class`` examples per class, shuffled.

    TorchSpatial's ``BalancedSampler``: each class contributes a fresh random subset of at most
    ``max_per_class`` of its samples (without replacement) every epoch, so frequent classes do not
    dominate the location prior.

    Examples
    --------
    >>> labels = torch.tensor([0] * 50 + [1] * 3)
    >>> idx = balanced_indices(labels, max_per_class=5, generator=torch.Generator().manual_seed(0))
    >>> torch.bincount(labels[idx]).tolist()
    [5, 3]
    """
    if max_per_class < 1:
        raise GeoEncodeError(f"max_per_class must be >= 1, got {max_per_class!r}.")
    labels = labels.cpu()
    order = torch.argsort(labels, stable=True)
    counts = torch.bincount(labels)
    starts = torch.cumsum(counts, 0) - counts
    # A random key per sample, ranked within its class, keeps the first max_per_class of each class.
    keys = torch.rand(len(labels), generator=generator)
    sorted_labels = labels[order]
    perm = torch.argsort(sorted_labels.double() * 2.0 + keys[order], stable=True)  # keys < 1: class-major
    rank = torch.arange(len(labels)) - starts[sorted_labels[perm]]
    chosen = order[perm][rank < max_per_class]
    return chosen[torch.randperm(len(chosen), generator=generator)]
