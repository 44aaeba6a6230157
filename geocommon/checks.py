"""Scalar parameter checks in the spirit of :func:`sklearn.utils.check_scalar`.

One helper instead of a hand-written "positive int, not bool" test per parameter: the type
(``bool`` is refused where a number is asked for, although Python counts it as an ``int``),
finiteness and bounds, with a message that names the parameter, the rule and the value, raised
as the caller's own error class.
"""

from __future__ import annotations

import math
import numbers
from typing import Literal

__all__ = ["check_scalar"]

Closed = Literal["both", "left", "right", "neither"]

_WORDS = {numbers.Integral: "an integer", numbers.Real: "a number", int: "an integer", float: "a number"}


def _kind(target_type: type | tuple[type, ...]) -> str:
    types = target_type if isinstance(target_type, tuple) else (target_type,)
    words = [_WORDS.get(t, f"a {t.__name__}") for t in types]
    return " or ".join(dict.fromkeys(words))


def _bounds(min_val, max_val, closed: Closed) -> str:
    lo_closed = closed in ("both", "left")
    hi_closed = closed in ("both", "right")
    if min_val is not None and max_val is not None:
        return f" in {'[' if lo_closed else '('}{min_val}, {max_val}{']' if hi_closed else ')'}"
    if min_val is not None:
        return f" {'>=' if lo_closed else '>'} {min_val}"
    if max_val is not None:
        return f" {'<=' if hi_closed else '<'} {max_val}"
    return ""


def check_scalar(
    x: object,
    name: str,
    target_type: type | tuple[type, ...] = numbers.Real,
    *,
    min_val: float | None = None,
    max_val: float | None = None,
    include_boundaries: Closed = "both",
    allow_none: bool = False,
    finite: bool = False,
    error: type[Exception] = ValueError,
) -> object:
    """Return ``x`` if it is a scalar of ``target_type`` within the bounds, else raise ``error``.

    Parameters
    ----------
    x : object
        The value to check.
    name : str
        The parameter's name, as the message shows it.
    target_type : type or tuple of types, default numbers.Real
        Accepted types (``numbers.Integral`` accepts numpy integers too). ``bool`` is refused
        unless ``bool`` itself is one of them.
    min_val, max_val : float, optional
        Bounds (``None``: unbounded on that side).
    include_boundaries : {"both", "left", "right", "neither"}, default "both"
        Which bounds are allowed values.
    allow_none : bool, default False
        Accept ``None`` (returned as is).
    finite : bool, default False
        Refuse infinities too (NaN is always refused).
    error : exception class, default ValueError
        Raised for a bad value (the caller's own error class).

    Returns
    -------
    object
        ``x`` unchanged.

    Examples
    --------
    >>> check_scalar(4, "k", numbers.Integral, min_val=1)
    4
    >>> check_scalar(True, "k", numbers.Integral, min_val=1)
    Traceback (most recent call last):
    ...
    ValueError: k must be an integer >= 1 (not a bool), got True.
    >>> check_scalar(0.0, "radius_km", min_val=0, include_boundaries="neither")
    Traceback (most recent call last):
    ...
    ValueError: radius_km must be a number > 0, got 0.0.
    """
    if x is None and allow_none:
        return x
    if include_boundaries not in ("both", "left", "right", "neither"):
        raise ValueError(f"include_boundaries={include_boundaries!r} is not 'both', 'left', 'right' or 'neither'")
    types = target_type if isinstance(target_type, tuple) else (target_type,)
    kind = _kind(target_type).replace("a number", "a finite number") if finite else _kind(target_type)
    rule = kind + _bounds(min_val, max_val, include_boundaries)
    if isinstance(x, bool) and bool not in types:
        raise error(f"{name} must be {rule} (not a bool), got {x!r}.")
    if not isinstance(x, types):
        raise error(f"{name} must be {rule}, got {x!r} ({type(x).__name__}).")
    if isinstance(x, numbers.Real) and not isinstance(x, numbers.Integral) and (
            math.isnan(x) or (finite and math.isinf(x))):
        raise error(f"{name} must be {rule}, got {x!r}.")
    lo_ok = min_val is None or (x >= min_val if include_boundaries in ("both", "left") else x > min_val)
    hi_ok = max_val is None or (x <= max_val if include_boundaries in ("both", "right") else x < max_val)
    if not (lo_ok and hi_ok):
        raise error(f"{name} must be {rule}, got {x!r}.")
    return x
