"""Every docstring example in the geobias package runs."""

from __future__ import annotations

import doctest
import importlib

import pytest


# the geobias core modules (other subpackages such as geobias.maps test their own)
CORE = ("audit", "background", "cli", "compare", "errors", "geoloc", "io", "marks",
        "neighbourhoods", "parallel", "presets", "sphere", "sri", "ssi")
MODULES = [f"geobias.{m}" for m in CORE]


@pytest.mark.parametrize("name", ["geobias", *MODULES])
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    failures, _ = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                                  raise_on_error=False, verbose=False)
    assert failures == 0
