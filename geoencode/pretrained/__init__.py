"""Pretrained location encoders (GeoCLIP, SatCLIP) by name, loaded offline from local files.

The package is callable: ``geoencode.pretrained(name, ...)`` is :func:`geoencode.pretrained.pretrained`,
and its modules stay importable (``geoencode.pretrained.geoclip`` …).

Examples
--------
>>> import geoencode
>>> "geoclip" in geoencode.list_pretrained().index, callable(geoencode.pretrained)
(True, True)
"""

import sys
import types

from .encoder import PretrainedEncoder
from .geoclip import GeoCLIPFeatures, GeoCLIPNetwork, equal_earth
from .weights import (
    ENV_VAR, WEIGHTS, PretrainedWeights, get_weights, is_pretrained, list_pretrained, locate, pretrained, sha256,
)

__all__ = [
    "pretrained", "list_pretrained", "get_weights", "is_pretrained", "locate", "sha256", "WEIGHTS", "ENV_VAR",
    "PretrainedWeights", "PretrainedEncoder", "GeoCLIPFeatures", "GeoCLIPNetwork", "equal_earth",
]


class _CallablePackage(types.ModuleType):
    """Lets ``geoencode.pretrained(name)`` call :func:`pretrained` while ``geoencode.pretrained`` stays this package."""

    def __call__(self, *args, **kwargs):
        return pretrained(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
