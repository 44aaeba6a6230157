"""One command-line style for both console scripts: exit codes, and messages in flag words.

Library errors are written for Python users (``pass errors='coerce'``, ``overwrite=True``).
At the command-line boundary :func:`cli_wording` rewrites every ``name=value`` whose ``name``
is an option of the parser into the flag (``--errors coerce``, ``--overwrite``), so a message
always speaks the words of the interface in use. :func:`run_cli` gives both scripts the same
exit codes: 0 success, 1 a library error, 2 a usage error, 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence

__all__ = ["EXIT_OK", "EXIT_ERROR", "EXIT_USAGE", "EXIT_INTERRUPTED", "option_names", "cli_wording", "run_cli"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# name=value: a quoted string, an ellipsis, or a bare word up to the next space/comma/bracket/slash
_ASSIGNMENT = re.compile(
    r"(?<![\w.\-])(?P<name>[A-Za-z_]\w*)=(?P<value>'[^']*'|\"[^\"]*\"|\.\.\.|[^\s,;:()\[\]/`]+)?"
)
# "k must be an integer >= 1" (geocommon.checks.check_scalar's wording): the name is the subject
_TWICE = re.compile(r"(--[\w-]+(?: [^\s()]+)?) \((?:CLI: )?\1(?: on the command line)?\)")
_SUBJECT = re.compile(r"(?<![\w.\-=`'\"])(?P<name>[A-Za-z_]\w*)(?= must be\b)")


def option_names(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """Python parameter name → the ``--option`` action, over the parser and all its subparsers.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> _ = p.add_argument("--radius-km", type=float)
    >>> option_names(p)["radius_km"].option_strings
    ['--radius-km']
    """
    found: dict[str, argparse.Action] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                for name, act in option_names(sub).items():
                    found.setdefault(name, act)
        elif action.option_strings and action.dest not in (argparse.SUPPRESS, "help"):
            found.setdefault(action.dest, action)
    return found


def _flag(action: argparse.Action) -> str:
    return next((s for s in action.option_strings if s.startswith("--")), action.option_strings[0])


def cli_wording(message: str, parser: argparse.ArgumentParser) -> str:
    """``message`` with each Python ``name=value`` of a parser option written as the flag.

    A parameter named as the subject of a rule (``"k must be an integer >= 1"``, the wording of
    :func:`geocommon.checks.check_scalar`) becomes the flag too.

    Parameters
    ----------
    message : str
        A library error's text.
    parser : argparse.ArgumentParser
        The command line's parser; only names it has an option for are rewritten.

    Returns
    -------
    str

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> _ = p.add_argument("--errors", choices=["raise", "coerce"])
    >>> _ = p.add_argument("--overwrite", action="store_true")
    >>> cli_wording("pass errors='coerce' to get NaN rows", p)
    'pass --errors coerce to get NaN rows'
    >>> cli_wording("x.gpkg already exists; pass overwrite=True to replace it.", p)
    'x.gpkg already exists; pass --overwrite to replace it.'
    >>> cli_wording("use a larger k=", p)   # not an option of this parser: left as it is
    'use a larger k='
    >>> cli_wording("errors must be 'raise' or 'coerce', got 'x'.", p)
    "--errors must be 'raise' or 'coerce', got 'x'."
    """
    options = option_names(parser)

    def rewrite(match: re.Match) -> str:
        action = options.get(match["name"])
        if action is None:
            return match[0]
        flag, value = _flag(action), match["value"]
        if action.nargs == 0:  # store_true / store_false / count
            wanted = getattr(action, "const", True)
            return flag if value is None or value == str(wanted) else f"no {flag}"
        if value is None:
            return flag
        if value[:1] in "'\"" and value[-1:] == value[:1] and len(value) >= 2:
            value = value[1:-1]
        return f"{flag} {value}"

    message = _ASSIGNMENT.sub(rewrite, message)
    message = _SUBJECT.sub(lambda m: _flag(options[m["name"]]) if m["name"] in options else m[0], message)
    # "pass overwrite=True (--overwrite on the command line)" has now said the flag twice
    return _TWICE.sub(r"\1", message)


def run_cli(
    parser: argparse.ArgumentParser,
    run: Callable[[argparse.Namespace], int | None],
    argv: Sequence[str] | None = None,
    *,
    errors: tuple[type[BaseException], ...] = (),
    interrupted: str = "interrupted; no output was written.",
) -> int:
    """Parse ``argv``, call ``run(args)`` and turn the outcome into the exit status.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The command line; its ``prog`` starts every message.
    run : callable
        Does the work; returns an exit status (``None`` counts as 0).
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).
    errors : tuple of exception classes
        The library's errors: printed as ``prog: error: …`` in flag words (:func:`cli_wording`),
        exit status 1.
    interrupted : str
        Printed on Ctrl-C (exit status 130).

    Returns
    -------
    int
        0 success, 1 library error, 2 usage error (argparse), 130 interrupted.

    Examples
    --------
    >>> p = argparse.ArgumentParser(prog="demo")
    >>> _ = p.add_argument("--overwrite", action="store_true")
    >>> def fail(args):
    ...     raise ValueError("out.csv exists; pass overwrite=True to replace it.")
    >>> import contextlib, io
    >>> with contextlib.redirect_stderr(io.StringIO()) as err:
    ...     rc = run_cli(p, fail, [], errors=(ValueError,))
    >>> rc, err.getvalue().strip()
    (1, 'demo: error: out.csv exists; pass --overwrite to replace it.')
    """
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help / --version exit 0, usage errors 2
        return exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else EXIT_USAGE)
    try:
        status = run(args)
        return EXIT_OK if status is None else int(status)
    except errors as exc:
        print(f"{parser.prog}: error: {cli_wording(str(exc), parser)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{parser.prog}: {interrupted}", file=sys.stderr)
        return EXIT_INTERRUPTED
