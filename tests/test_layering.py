"""The import rules of the three packages, checked on their source:

- ``geobias`` never imports torch or geoencode;
- geoencode's library code never imports geobias (``geoencode/qgis_plugin/`` composes both and is exempt);
- ``geocommon``, the shared torch-free foundation, imports none of geoencode, geobias and torch.

Imports are read with :mod:`ast`, so an import deferred into a function body, a relative import and
``importlib.import_module("…")`` with a literal name all count. A second test imports the packages
in a fresh interpreter, which also catches a forbidden module pulled in through a third party.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: package → (top-level modules it must not import, sub-folders exempt from the rule)
RULES: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "geobias": (frozenset({"torch", "geoencode"}), ()),
    "geoencode": (frozenset({"geobias"}), ("qgis_plugin",)),
    "geocommon": (frozenset({"geoencode", "geobias", "torch"}), ()),
}


def module_name(path: Path, root: Path = ROOT) -> str:
    """``geoencode/gis/encode.py`` → ``geoencode.gis.encode`` (a package's ``__init__`` → the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """``(line, absolute module name)`` of every import in ``source``, at any depth.

    ``module`` is the importing module's dotted name, needed to resolve relative imports.
    """
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.append((node.lineno, name))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("import_module", "__import__"):
                found.append((node.lineno, node.args[0].value))
    return found


def violations(package: str, root: Path = ROOT) -> list[str]:
    """``path:line imports name`` for each import of ``package`` that breaks its rule."""
    forbidden, exempt = RULES[package]
    out = []
    for path in sorted((root / package).rglob("*.py")):
        rel = path.relative_to(root / package)
        if rel.parts and rel.parts[0] in exempt:
            continue
        mod = module_name(path, root)
        for line, name in imported_modules(path.read_text(encoding="utf-8"), mod, path.name == "__init__.py"):
            if name.split(".")[0] in forbidden:
                out.append(f"{path.relative_to(root)}:{line} imports {name}")
    return out


@pytest.mark.parametrize("package", sorted(RULES))
def test_import_rules(package):
    assert (ROOT / package).is_dir()
    assert not violations(package), "\n".join(violations(package))


def test_checker_finds_every_kind_of_import(tmp_path):
    """The checker itself: a top-level, a deferred, a relative and a dynamic import are all found."""
    pkg = tmp_path / "geocommon"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from . import sub\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "a.py").write_text(
        "import numpy\nimport torch.nn as nn\n\n\ndef f():\n    from geobias.io import read\n    return read\n\n\n"
        "def g():\n    import importlib\n    return importlib.import_module('geoencode.gis')\n")
    (pkg / "sub" / "b.py").write_text("from .. import sub\nfrom ..sub.a import f\n")
    assert violations("geocommon", tmp_path) == [
        "geocommon/sub/a.py:2 imports torch.nn",
        "geocommon/sub/a.py:6 imports geobias.io",
        "geocommon/sub/a.py:12 imports geoencode.gis",
    ]
    assert imported_modules("from ..sub.a import f\nfrom . import x\n", "geocommon.sub.b") == [
        (1, "geocommon.sub.a"), (2, "geocommon.sub")]
    assert imported_modules("from . import sub\n", "geocommon", is_package=True) == [(1, "geocommon")]


def test_qgis_plugin_is_the_only_exemption(tmp_path):
    (tmp_path / "geoencode" / "qgis_plugin").mkdir(parents=True)
    (tmp_path / "geoencode" / "qgis_plugin" / "provider.py").write_text("import geobias\n")
    (tmp_path / "geoencode" / "report.py").write_text("def f():\n    import geobias.maps\n")
    assert violations("geoencode", tmp_path) == ["geoencode/report.py:2 imports geobias.maps"]


def test_imports_at_run_time():
    """Importing geobias / geocommon loads none of their forbidden modules, even through a third party."""
    code = ("import json, sys\nout = {}\nfor pkg in ('geocommon', 'geobias'):\n    __import__(pkg)\n"
            "    out[pkg] = sorted(m for m in ('torch', 'geoencode', 'geobias') if m in sys.modules)\n"
            "print(json.dumps(out))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    loaded = json.loads(r.stdout)
    assert loaded == {"geocommon": [], "geobias": ["geobias"]}


def _readme_layout() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Layout", 1)[1].split("```", 2)[1]
    return [word for line in block.splitlines() if line and not line[0].isspace()
            for word in line.split("  ", 1)[0].split()]


def test_readme_layout_matches_the_tree():
    """Every path the README's layout names exists, and every package and geoencode subpackage is named."""
    listed = _readme_layout()
    assert listed, "README.md has no layout block"
    assert [p for p in listed if not (ROOT / p).exists()] == []
    packages = [p.name + "/" for p in ROOT.iterdir() if (p / "__init__.py").is_file()]
    subpackages = [f"geoencode/{p.name}/" for p in (ROOT / "geoencode").iterdir() if (p / "__init__.py").is_file()]
    unnamed = [p for p in packages + subpackages if not any(entry.startswith(p) for entry in listed)]
    assert sorted(unnamed) == []


def test_geoencode_and_its_command_line_load_no_geobias():
    """The library, the GIS layer and every registered subcommand import without geobias."""
    code = ("import sys, geoencode, geoencode.gis, geoencode.cli\ngeoencode.cli.build_parser()\n"
            "print(sorted(m for m in sys.modules if m == 'geobias' or m.startswith('geobias.')))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert r.stdout.strip() == "[]"
