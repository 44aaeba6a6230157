"""What every ``geoencode`` subcommand shares: ``NAME=VALUE`` parameters, the training options and
the registration of subcommand modules."""

from __future__ import annotations

import argparse
import ast
import importlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from ..errors import GeoEncodeError

__all__ = ["parse_param", "add_subcommands", "add_training_options", "default_device"]


def parse_param(text: str) -> tuple[str, Any]:
    """``"k=v"`` → ``(k, v)`` with ``v`` read as JSON / a Python literal when it is one, else a string.

    Examples
    --------
    >>> parse_param("frequency_num=32"), parse_param("min_radius=1e-4"), parse_param("activation=relu")
    (('frequency_num', 32), ('min_radius', 0.0001), ('activation', 'relu'))
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key.isidentifier():
        raise GeoEncodeError(f"--param takes NAME=VALUE (e.g. frequency_num=32), got {text!r}.")
    value = value.strip()
    for reader in (json.loads, ast.literal_eval):
        try:
            return key, reader(value)
        except (ValueError, SyntaxError, TypeError):
            continue
    return key, value


def add_subcommands(parser: argparse.ArgumentParser, commands: Mapping[str, str], *, dest: str,
                    metavar: str) -> None:
    """Add one subparser per ``name → module`` of ``commands``.

    Each module defines ``add_parser(subparsers) -> ArgumentParser`` (which registers ``name``)
    and ``run(args) -> int``; the parsed arguments carry ``run`` as ``args._run``, the innermost
    subcommand's winning when subcommands nest (``geoencode bench locbench``).

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser(prog="demo")
    >>> add_subcommands(parser, {"list": "geoencode.cli.listing"}, dest="command", metavar="COMMAND")
    >>> args = parser.parse_args(["list", "--json"])
    >>> args.command, args.json, args._run.__module__
    ('list', True, 'geoencode.cli.listing')
    """
    sub = parser.add_subparsers(dest=dest, metavar=metavar, required=True)
    for name, module_name in commands.items():
        module = importlib.import_module(module_name)
        p = module.add_parser(sub)
        if p.prog.split()[-1] != name:
            raise GeoEncodeError(f"{module_name}.add_parser registered {p.prog.split()[-1]!r}, expected {name!r}.")
        p.set_defaults(_run=module.run)


def default_device() -> str:
    """``"cuda"`` when a GPU is visible, else ``"cpu"`` (the default of ``--device``).

    Examples
    --------
    >>> default_device() in ("cpu", "cuda")
    True
    """
    return "cuda" if torch.cuda.is_available() else "cpu"


def add_training_options(p: argparse.ArgumentParser) -> None:
    """The encoder, network, optimiser, device and output options of the ``bench`` subcommands.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser()
    >>> add_training_options(p)
    >>> args = p.parse_args(["--encoder", "xyz", "--param", "frequency_num=4", "--out", "run"])
    >>> args.encoder, args.param, str(args.out), args.device is None
    ('xyz', [('frequency_num', 4)], 'run', True)
    """
    p.add_argument("--encoder", required=True, help="encoder name or alias (see `geoencode list`)")
    p.add_argument("--nn", default=None, help="network: ffn, fcnet, siren, linear (default: the paper's)")
    p.add_argument("--param", action="append", default=[], type=parse_param, metavar="NAME=VALUE",
                   help="encoder/network hyper-parameter, repeatable (e.g. frequency_num=32)")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--device", default=None, help="torch device (default: cuda when available, else cpu)")
    p.add_argument("--out", type=Path, required=True, help="output folder (created)")
    p.add_argument("--overwrite", action="store_true", help="replace existing result files")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
