"""Presets: the two published variants of the Geo-Bias Score.

Every ingredient of a preset is also a parameter of :func:`geobias.audit`;
an explicit argument overrides the preset.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["PRESETS", "preset_params"]

_GEOBS = {
    # PyGBS HEAD example_code.py (GeoBS toolbox, 2025)
    "max_neighbors": 100,
    "centres": "all",
    "marks": "raw",
    "density": "auto",
    "density_factor": 5.0,
    "probability": "two_sided",
    "std_offset": 1.0,
    "aggregation": "mean",
    "radians": "reference",
    "neighbour_order": "distance",
}

_TORCHSPATIAL2024 = {
    # the authors' batch scripts for the TorchSpatial camera-ready (Dec 2024 / Jan 2025)
    "max_neighbors": None,
    "centres": "low",
    "marks": "pm1",
    "density": "auto",
    "density_factor": 5.0,
    "probability": "density",
    "std_offset": 0.0,
    "aggregation": "n_weighted",
    "radians": "numpy",
    "neighbour_order": "position",
}

#: Read-only preset definitions.
PRESETS = MappingProxyType(
    {"geobs": MappingProxyType(_GEOBS), "torchspatial2024": MappingProxyType(_TORCHSPATIAL2024)}
)


def preset_params(preset: str | None) -> dict:
    """The parameters of a preset (``None``: the ``geobs`` defaults).

    Parameters
    ----------
    preset : str or None
        ``"geobs"`` or ``"torchspatial2024"``.

    Returns
    -------
    dict
        A fresh, mutable copy.

    Examples
    --------
    >>> preset_params("torchspatial2024")["centres"]
    'low'
    """
    from .errors import GeoBiasError

    name = "geobs" if preset is None else preset
    if name not in PRESETS:
        raise GeoBiasError(f"preset={preset!r} is not one of {sorted(PRESETS)}")
    return dict(PRESETS[name])
