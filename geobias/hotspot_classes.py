"""Hot-spot classes: their labels, colours and the rule that assigns them.

The classes of standard hot-spot analysis (ArcGIS's ``Gi_Bin``): hot or cold spot
at 99, 95 or 90 % confidence (two-sided p <= 0.01, 0.05, 0.10), otherwise not
significant, plus the high-low / low-high outliers of local Moran's I.
:mod:`geobias.hotspots` computes the statistic; the maps colour by these classes.
"""

from __future__ import annotations

import esda
import numpy as np
import pandas as pd

__all__ = ["HOTSPOT_CLASSES", "HOTSPOT_COLORS", "classify"]

#: Class labels, from hottest to coldest (``bin`` 3 … -3), then the local-Moran outliers.
HOTSPOT_CLASSES: tuple[str, ...] = (
    "Hot spot (99% confidence)",
    "Hot spot (95% confidence)",
    "Hot spot (90% confidence)",
    "Not significant",
    "Cold spot (90% confidence)",
    "Cold spot (95% confidence)",
    "Cold spot (99% confidence)",
    "High-low outlier",
    "Low-high outlier",
)

#: Colours of the classes (the usual red-to-blue hot-spot palette), as hex strings.
HOTSPOT_COLORS: dict[str, str] = {
    "Hot spot (99% confidence)": "#d62f27",
    "Hot spot (95% confidence)": "#ed7551",
    "Hot spot (90% confidence)": "#fab984",
    "Not significant": "#cfcfcf",
    "Cold spot (90% confidence)": "#c0ccbe",
    "Cold spot (95% confidence)": "#849eba",
    "Cold spot (99% confidence)": "#4575b5",
    "High-low outlier": "#e78ac3",
    "Low-high outlier": "#66c2a5",
}

# ArcGIS's Gi_Bin of each class; outliers are no hot or cold spot, so bin 0
_BIN_OF = {c: b for c, b in zip(HOTSPOT_CLASSES[:7], (3, 2, 1, 0, -1, -2, -3))}
_BIN_OF.update({"High-low outlier": 0, "Low-high outlier": 0})
_LEVELS = (0.01, 0.05, 0.10)


def classify(
    z: np.ndarray,
    p: np.ndarray,
    fdr: bool = False,
    quadrant: np.ndarray | None = None,
) -> pd.Categorical:
    """Hot-spot classes from z-scores (sign) and two-sided p-values.

    Parameters
    ----------
    z : numpy.ndarray
        Signed statistic: positive = high values around the location.
    p : numpy.ndarray
        Two-sided p-values (NaN = not tested, e.g. an isolate).
    fdr : bool, default False
        Replace each level (0.01, 0.05, 0.10) by its Benjamini-Hochberg
        false-discovery-rate cut-off (:func:`esda.fdr`).
    quadrant : numpy.ndarray, optional
        Local-Moran quadrants (1 HH, 2 LH, 3 LL, 4 HL). When given, HH/LL
        clusters are hot/cold spots and significant HL/LH locations outliers.

    Returns
    -------
    pandas.Categorical
        Ordered categories :data:`~geobias.hotspot_classes.HOTSPOT_CLASSES`.

    Examples
    --------
    >>> classify(np.array([3.0, -2.1, 0.2]), np.array([0.003, 0.04, 0.6])).tolist()
    ['Hot spot (99% confidence)', 'Cold spot (95% confidence)', 'Not significant']
    >>> classify(np.array([1.0, 1.0]), np.array([0.02, 0.02]), quadrant=np.array([4, 3])).tolist()
    ['High-low outlier', 'Cold spot (95% confidence)']
    """
    z = np.asarray(z, dtype=float)
    p = np.asarray(p, dtype=float)
    tested = np.isfinite(p) & np.isfinite(z)
    labels = np.full(z.shape, "Not significant", dtype=object)
    # from the weakest level to the strongest, so the strongest wins
    for level, conf in zip(reversed(_LEVELS), (90, 95, 99)):
        cut = esda.fdr(p[tested], level) if fdr and tested.any() else level
        sig = tested & (p <= cut)
        if quadrant is None:
            labels[sig & (z > 0)] = f"Hot spot ({conf}% confidence)"
            labels[sig & (z < 0)] = f"Cold spot ({conf}% confidence)"
        else:
            q = np.asarray(quadrant)
            labels[sig & (q == 1)] = f"Hot spot ({conf}% confidence)"
            labels[sig & (q == 3)] = f"Cold spot ({conf}% confidence)"
            labels[sig & (q == 4)] = "High-low outlier"
            labels[sig & (q == 2)] = "Low-high outlier"
    return pd.Categorical(labels, categories=list(HOTSPOT_CLASSES), ordered=True)
