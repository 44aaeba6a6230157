"""Every docstring example in the geobias package runs."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest


import geobias

# every module of the package itself (subpackages such as geobias.maps test their own)
MODULES = sorted(f"geobias.{m.name}" for m in pkgutil.iter_modules(geobias.__path__) if not m.ispkg)


@pytest.mark.parametrize("name", ["geobias", *MODULES])
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    failures, _ = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                                  raise_on_error=False, verbose=False)
    assert failures == 0
