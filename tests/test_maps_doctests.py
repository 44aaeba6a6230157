"""Run the docstring examples of geobias.hotspots and geobias.maps (tests/test_docstrings.py covers geoencode)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import geobias.maps

MODULES = ["geobias.hotspots", "geobias._io"] + sorted(
    info.name for info in pkgutil.walk_packages(geobias.maps.__path__, prefix="geobias.maps.")
)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _tests():
    finder = doctest.DocTestFinder(exclude_empty=True)
    out = []
    for name in MODULES:
        module = importlib.import_module(name)
        out += [t for t in finder.find(module, name, globs=dict(vars(module))) if t.examples]
    return sorted(out, key=lambda t: t.name)


DOCTESTS = _tests()


@pytest.mark.parametrize("test", DOCTESTS, ids=[t.name for t in DOCTESTS])
def test_docstring_example(test):
    out: list[str] = []
    result = doctest.DocTestRunner(optionflags=FLAGS).run(test, out=out.append, clear_globs=False)
    assert result.failed == 0, "".join(out)


def test_every_module_has_examples():
    names = {t.name.rsplit(".", 1)[0] for t in DOCTESTS} | {t.name for t in DOCTESTS}
    for module in ("geobias.hotspots", "geobias.maps.folium_map", "geobias.maps.figures",
                   "geobias.maps.qgis", "geobias.maps.offline", "geobias.maps.basemap"):
        assert any(n.startswith(module + ".") for n in names), module
