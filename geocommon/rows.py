"""Row labels in error messages: which rows are wrong, and how many, in one format.

``rows [3, 17] (2 rows in all)``; long lists are cut after ``limit`` labels:
``rows [0, 1, 2, 3, 4] … (12 rows in all)``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = ["format_labels", "describe_rows"]


def _plain(label: object) -> object:
    # numpy scalars would print as np.int64(3) under numpy 2
    return label.item() if isinstance(label, np.generic) else label


def format_labels(labels: Iterable, limit: int = 10) -> str:
    """``"[3, 17] (2 rows in all)"``: the first ``limit`` labels and the count.

    Parameters
    ----------
    labels : iterable
        Row labels (or positions) of the offending rows.
    limit : int, default 10
        At most this many labels are listed; the count is always given.

    Returns
    -------
    str

    Examples
    --------
    >>> format_labels(range(12), limit=5)
    '[0, 1, 2, 3, 4] … (12 rows in all)'
    >>> format_labels(np.array(["a"]))
    "['a'] (1 row in all)"
    """
    labels = list(labels)
    shown = [_plain(x) for x in labels[:limit]]
    more = " …" if len(labels) > limit else ""
    return f"{shown}{more} ({len(labels)} row{'s' * (len(labels) != 1)} in all)"


def describe_rows(labels: Iterable, limit: int = 10) -> str:
    """``"rows [3, 17] (2 rows in all)"``, for messages such as "NaN in rows …".

    Examples
    --------
    >>> describe_rows([3, 17])
    'rows [3, 17] (2 rows in all)'
    """
    return "rows " + format_labels(labels, limit)
