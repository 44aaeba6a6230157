"""Position encoders ``PE(x)``: one module per family of TorchSpatial's 15 location encoders."""

from .base import PositionEncoder
from .cartesian import XYZ, NeRF, lonlat_to_xyz
from .frequencies import geometric_frequencies, legacy_frequencies, nerf_frequencies
from .grid import Space2VecGrid, Space2VecTheory
from .harmonics import SphericalHarmonics
from .rbf import RBF
from .rff import RFF
from .sphere2vec import DFS, SphereC, SphereCPlus, SphereM, SphereMPlus
from .tile import Tile
from .wrap import Wrap

__all__ = [
    "PositionEncoder", "Tile", "Wrap", "RBF", "RFF", "Space2VecGrid", "Space2VecTheory", "XYZ", "NeRF",
    "SphereC", "SphereCPlus", "SphereM", "SphereMPlus", "DFS", "SphericalHarmonics",
    "geometric_frequencies", "legacy_frequencies", "nerf_frequencies", "lonlat_to_xyz",
]
