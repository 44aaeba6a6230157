"""The ``geoencode`` subcommand registry, exit codes and the deprecated ``geoencode.bench.cli`` path."""

from __future__ import annotations

import argparse
import sys
import types
import warnings

import pytest

import geoencode.cli
import geoencode.cli.bench
from geoencode.cli import main
from geoencode.errors import GeoEncodeError


def _module(name: str, run) -> types.ModuleType:
    """A subcommand module ``name`` whose ``run`` is ``run``; registered in sys.modules by the caller."""
    mod = types.ModuleType(f"cli_test_{name}")

    def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
        p = sub.add_parser(name)
        p.add_argument("--n", type=int, default=1)
        return p

    mod.add_parser, mod.run = add_parser, run
    return mod


@pytest.fixture
def register(monkeypatch):
    def _register(table: dict, name: str, run) -> None:
        mod = _module(name, run)
        monkeypatch.setitem(sys.modules, mod.__name__, mod)
        monkeypatch.setitem(table, name, mod.__name__)
    return _register


def test_top_level_and_bench_registration(register, capsys):
    register(geoencode.cli.COMMANDS, "hello", lambda args: print(f"hello {args.n}") or 0)
    register(geoencode.cli.bench.COMMANDS, "probe", lambda args: print(f"probe {args.n}") or 0)
    assert main(["hello", "--n", "3"]) == 0
    assert capsys.readouterr().out == "hello 3\n"
    assert main(["bench", "probe", "--n", "4"]) == 0
    assert capsys.readouterr().out == "probe 4\n"
    assert main(["bench", "locbench", "--help"]) == 0  # the built-in tasks are still there
    assert "--data-dir" in capsys.readouterr().out


def test_exit_codes(register, capsys):
    def fail(args):
        raise GeoEncodeError("bad rows 3, 5; pass --errors coerce")

    def interrupt(args):
        raise KeyboardInterrupt

    register(geoencode.cli.COMMANDS, "fail", fail)
    register(geoencode.cli.COMMANDS, "stop", interrupt)
    assert main(["fail"]) == 1
    assert capsys.readouterr().err == "geoencode: error: bad rows 3, 5; pass --errors coerce\n"
    assert main(["stop"]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert main(["no-such-command"]) == 2
    assert main([]) == 2
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("geoencode ")


def test_module_registering_the_wrong_name_is_refused(monkeypatch):
    mod = _module("other", lambda args: 0)
    monkeypatch.setitem(sys.modules, mod.__name__, mod)
    monkeypatch.setitem(geoencode.cli.COMMANDS, "hello", mod.__name__)
    with pytest.raises(GeoEncodeError, match="'other', expected 'hello'"):
        geoencode.cli.build_parser()


def test_deprecated_bench_cli_still_works(monkeypatch):
    monkeypatch.delitem(sys.modules, "geoencode.bench.cli", raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from geoencode.bench.cli import add_bench, run_bench
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
    parser = argparse.ArgumentParser()
    add_bench(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["bench", "offline", "--task", "checkerboard", "--encoder", "xyz", "--out", "x"])
    assert (args.bench_command, args.task, args.device) == ("offline", "checkerboard", None)
    assert args._run.__module__ == "geoencode.cli.bench.offline"
    assert callable(run_bench)
