"""The provider's algorithms, one module each; :data:`ALGORITHMS` is what the provider registers."""

from .audit import GeoBiasAuditAlgorithm
from .encode import EncodeAlgorithm
from .hotspots import HotSpotsAlgorithm

ALGORITHMS = (EncodeAlgorithm, GeoBiasAuditAlgorithm, HotSpotsAlgorithm)

__all__ = ["ALGORITHMS", "EncodeAlgorithm", "GeoBiasAuditAlgorithm", "HotSpotsAlgorithm"]
