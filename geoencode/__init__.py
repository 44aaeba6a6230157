"""geoencode: location encoders ``Enc(x) = NN(PE(x))`` for lon/lat, in vectorised PyTorch.

Examples
--------
>>> import geoencode
>>> enc = geoencode.build("sphereC", frequency_num=16, out_dim=32)
>>> enc([[2.35, 48.85]]).shape
torch.Size([1, 32])
"""

__version__ = "0.1.0"  # before the imports: subpackages (the CLI) read it while geoencode loads

from . import networks, positional
from .encoder import LocationEncoder
from .errors import CheckpointError, GeoEncodeError, GeoEncodeWarning, UnknownEncoderError
from .registry import ENCODERS, build, get_spec, list_encoders, position_encoder
from .serialization import load, save
from . import pretrained  # a callable module: geoencode.pretrained(name) is geoencode.pretrained.pretrained(name)
from .pretrained import list_pretrained
from . import gis  # noqa: E402,F401  (registers the ``geo`` accessor on GeoPandas/pandas/Dask frames)

__all__ = [
    "LocationEncoder", "build", "position_encoder", "list_encoders", "get_spec", "ENCODERS",
    "save", "load", "networks", "positional",
    "GeoEncodeError", "GeoEncodeWarning", "UnknownEncoderError", "CheckpointError",
    "pretrained", "list_pretrained",
]
