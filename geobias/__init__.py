"""geobias — Geo-Bias Scores: is a model's performance spatially non-random?

The base (unmarked) and relative (marked) spatial self-information of where a
model performs well or badly (TorchSpatial, NeurIPS 2024; GeoBS/PyGBS), on
libpysal neighbourhood weights, vectorised and exact to the reference.

>>> import geobias
>>> sorted(geobias.PRESETS)
['geobs', 'torchspatial2024']
"""

from .audit import GeoBiasAudit, audit
from .compare import compare, compare_frame
from .errors import GeoBiasError, GeoBiasWarning
from .geoloc import audit_geolocalization
from .marks import SCALES, make_marks
from .knn import centre_graph, centre_weights, knn_graph, knn_weights
from .weights import radius_neighbourhoods
from .presets import PRESETS
from .sri import SRIResult, sri

__all__ = [
    "audit",
    "GeoBiasAudit",
    "compare",
    "compare_frame",
    "audit_geolocalization",
    "sri",
    "SRIResult",
    "radius_neighbourhoods",
    "knn_graph",
    "centre_graph",
    "knn_weights",
    "centre_weights",
    "make_marks",
    "SCALES",
    "PRESETS",
    "GeoBiasError",
    "GeoBiasWarning",
]
