"""Run the ``Examples`` sections of geoencode's docstrings as doctests.

Every module of the package is found by walking it, so new modules are covered automatically;
each docstring with examples is its own test (``geoencode.registry.build``, …). An example marked
``# doctest: +SKIP`` (one that needs a released checkpoint, say) is skipped by doctest itself;
nothing else is skipped.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import traceback

import pytest

import geoencode

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# Modules that must contribute examples (guards against the walk silently finding nothing).
REQUIRED = [
    "geoencode", "geoencode._coords", "geoencode.registry", "geoencode.encoder", "geoencode.networks",
    "geoencode.serialization", "geoencode.positional._random", "geoencode.positional.cartesian",
    "geoencode.positional.frequencies", "geoencode.positional.grid", "geoencode.positional.harmonics",
    "geoencode.positional.rbf", "geoencode.positional.rff", "geoencode.positional.sphere2vec",
    "geoencode.positional.tile", "geoencode.positional.wrap", "geoencode.compat.torchspatial",
    "geoencode.models.prior", "geoencode.gis.antimeridian", "geoencode.gis.spherical", "geoencode.gis.sampling",
    "geoencode.gis.points", "geoencode.gis.embedding", "geoencode.cli", "geoencode.cli.parsing",
    "geoencode.bench.locbench.registry", "geoencode.bench.locbench.layout", "geoencode.bench.locbench.load",
    "geoencode.bench.locbench.split",
]

# Examples known to be wrong in the docstring (not in the code), with what doctest reports.
# Non-strict xfail: once the docstring is fixed the test XPASSes and the entry should go.
KNOWN_BROKEN: dict[str, str] = {
}

# Modules that only import inside an application providing these (the QGIS plugin runs in QGIS).
# Where the application's Python packages are installed, they are imported and tested as usual.
HOST_ONLY = {"qgis": "geoencode.qgis_plugin."}


def _module_names() -> list[str]:
    names = {"geoencode", *REQUIRED}
    for info in pkgutil.walk_packages(geoencode.__path__, prefix="geoencode."):
        names.add(info.name)
    return sorted(names)


def _needs_host(name: str, exc: BaseException) -> bool:
    """Whether ``name`` failed only because the application it runs inside is absent."""
    missing = getattr(exc, "name", None) or ""
    return isinstance(exc, ModuleNotFoundError) and any(
        missing.split(".")[0] == host and name.startswith(prefix) for host, prefix in HOST_ONLY.items())


def _collect() -> tuple[list[doctest.DocTest], dict[str, int], dict[str, str]]:
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests, per_module, import_errors = [], {}, {}
    for name in _module_names():
        if name.endswith("__main__"):
            continue  # running it would start the program
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # reported by test_module_imports, without hiding the other modules
            if _needs_host(name, exc):
                NO_HOST[name] = str(exc)
                continue
            import_errors[name] = traceback.format_exc()
            continue
        # DocTestFinder keeps only objects whose __module__ is this module, so re-exports are
        # not collected twice.
        found = [t for t in finder.find(module, name, globs=dict(vars(module))) if t.examples]
        per_module[name] = len(found)
        tests += found
    return sorted(tests, key=lambda t: t.name), per_module, import_errors


NO_HOST: dict[str, str] = {}
DOCTESTS, PER_MODULE, IMPORT_ERRORS = _collect()


def _param(test: doctest.DocTest):
    marks = [pytest.mark.xfail(reason=KNOWN_BROKEN[test.name], strict=False)] if test.name in KNOWN_BROKEN else []
    return pytest.param(test, id=test.name, marks=marks)


@pytest.mark.parametrize("test", [_param(t) for t in DOCTESTS])
def test_docstring_example(test: doctest.DocTest) -> None:
    out: list[str] = []
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    result = runner.run(test, out=out.append, clear_globs=False)
    assert result.failed == 0, "".join(out)


@pytest.mark.parametrize("module", _module_names())
def test_module_imports(module: str) -> None:
    """Each module of the package imports (a broken one would otherwise hide its examples)."""
    if module in NO_HOST:
        pytest.skip(f"runs inside its host application only: {NO_HOST[module]}")
    assert module not in IMPORT_ERRORS, IMPORT_ERRORS.get(module)


@pytest.mark.parametrize("module", REQUIRED)
def test_module_has_examples(module: str) -> None:
    assert PER_MODULE.get(module, 0) > 0, f"doctest found no examples in {module}"


def test_known_broken_entries_exist() -> None:
    """Every KNOWN_BROKEN key names a real docstring (a renamed function must not hide a failure)."""
    names = {t.name for t in DOCTESTS}
    assert set(KNOWN_BROKEN) <= names, sorted(set(KNOWN_BROKEN) - names)


def test_every_public_object_has_a_docstring() -> None:
    """The API reference is built from docstrings: each public name needs one."""
    missing = [n for n in geoencode.__all__
               if not (getattr(getattr(geoencode, n), "__doc__", None) or "").strip()]
    assert not missing, f"public objects without a docstring: {missing}"
