"""Hot-spot analysis: where a model performs significantly well or badly.

Local statistics from :mod:`esda` on any GeoDataFrame column (per-sample
performance, per-centre Geo-Bias Scores, ...), with PySAL weights:

* **Getis-Ord Gi*** (:class:`esda.G_Local` with ``star=True``): a *hot spot*
  is a location whose neighbourhood (itself included) has significantly high
  values, a *cold spot* one with significantly low values;
* **local Moran's I** (:class:`esda.Moran_Local`): *hot spots* are
  significant high-high clusters, *cold spots* significant low-low clusters,
  and significant high-low / low-high locations are labelled *outliers*.

Inference is by conditional permutation with a seed (``random_state``), or
analytic (normal approximation) with ``permutations=0``. p-values are
**two-sided** and count ties on both sides:
``min(1, 2 * (min(#{sim >= obs}, #{sim <= obs}) + 1) / (P + 1))`` from esda's
simulations, ``2 * (1 - Phi(|z|))`` analytically. (esda's own ``p_sim`` is a
one-sided "folded" value that counts ties as extreme; with discrete values such
as 0/1 hits every all-low neighbourhood would come out as a cold spot.) Each location is classified as
in standard hot-spot analysis (ArcGIS's ``Gi_Bin``): hot or cold spot at 99,
95 or 90 % confidence (p <= 0.01, 0.05, 0.10), otherwise not significant;
optionally with the Benjamini-Hochberg false discovery rate
(:func:`esda.fdr`) applied at each level.

Weights are taken as given (a :class:`libpysal.graph.Graph` or
:class:`libpysal.weights.W` whose ids are the frame's row labels), or built on
great-circle distance: the ``k`` nearest neighbours and/or all neighbours
within ``radius_km`` (:func:`great_circle_weights`).
"""

from __future__ import annotations

import warnings
import esda
import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.graph import Graph
from libpysal.weights import W
from scipy import stats

from .errors import GeoBiasError, GeoBiasWarning, describe_rows
from .sphere import EARTH_RADIUS_KM
from .weights import great_circle_weights

__all__ = [
    "HOTSPOT_CLASSES",
    "HOTSPOT_COLORS",
    "EARTH_RADIUS_KM",
    "HotSpots",
    "hotspots",
    "great_circle_weights",
    "classify",
    "lonlat_degrees",
]


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

_BIN_OF = {c: b for c, b in zip(HOTSPOT_CLASSES[:7], (3, 2, 1, 0, -1, -2, -3))}
_BIN_OF.update({"High-low outlier": 0, "Low-high outlier": 0})
_LEVELS = (0.01, 0.05, 0.10)
_METHODS = {"gi_star": "gi_star", "gi*": "gi_star", "g_local": "gi_star", "getis_ord": "gi_star",
            "moran": "moran", "moran_local": "moran", "lisa": "moran"}
_OUTPUT_COLUMNS = ("z", "p", "hotspot", "bin", "n_neighbours", "quadrant")
_MAX_SIMULATIONS = 50_000_000  # n x permutations kept in memory (400 MB of float64)


# --------------------------------------------------------------------------------------
# input validation
# --------------------------------------------------------------------------------------
def _check_frame(gdf, column: str | None = None) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise GeoBiasError(
            f"expected a geopandas.GeoDataFrame, got {type(gdf).__name__}; build one with "
            "geopandas.GeoDataFrame(df, geometry=geopandas.points_from_xy(df.lon, df.lat), crs=4326)"
        )
    if gdf.crs is None:
        raise GeoBiasError(
            "the GeoDataFrame has no CRS, so its coordinates cannot be interpreted; "
            "set a CRS with `gdf.set_crs(4326)` (lon/lat in degrees) first"
        )
    if not gdf.index.is_unique:
        dup = gdf.index[gdf.index.duplicated()].unique()
        raise GeoBiasError(
            f"the GeoDataFrame index has duplicate labels ({describe_rows(dup)}); results are "
            "aligned by row label, so make it unique, e.g. `gdf.reset_index(drop=True)`"
        )
    bad = gdf.geometry.isna() | gdf.geometry.is_empty
    if bad.any():
        raise GeoBiasError(
            f"missing or empty geometries in {describe_rows(gdf.index[bad.to_numpy()])}; "
            "drop them first, e.g. `gdf[~gdf.geometry.is_empty & gdf.geometry.notna()]`"
        )
    if column is not None:
        if column not in gdf.columns:
            raise GeoBiasError(
                f"column {column!r} not found; available columns: {list(gdf.columns)}"
            )
        if not (pd.api.types.is_numeric_dtype(gdf[column]) or pd.api.types.is_bool_dtype(gdf[column])):
            raise GeoBiasError(
                f"column {column!r} must be numeric, got dtype {gdf[column].dtype}"
            )
        y = gdf[column].to_numpy(dtype=float)
        nan = ~np.isfinite(y)
        if nan.any():
            raise GeoBiasError(
                f"column {column!r} has missing or infinite values in "
                f"{describe_rows(gdf.index[nan])}; drop or fill them first"
            )
    return gdf


def lonlat_degrees(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Longitude/latitude in degrees of each row (points, or representative points), ``(N, 2)``.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Any CRS (transformed to EPSG:4326); non-point geometries are reduced
        to a representative point.

    Returns
    -------
    numpy.ndarray
        ``(N, 2)`` array of ``lon, lat`` in degrees.

    Examples
    --------
    >>> import geopandas as gpd
    >>> g = gpd.GeoDataFrame(geometry=gpd.points_from_xy([10.0], [50.0]), crs=4326)
    >>> lonlat_degrees(g).tolist()
    [[10.0, 50.0]]
    """
    geo = gdf.geometry.to_crs(4326) if gdf.crs is not None and not gdf.crs.equals("EPSG:4326") else gdf.geometry
    if not (geo.geom_type == "Point").all():
        geo = geo.representative_point()
    return np.column_stack([geo.x.to_numpy(dtype=float), geo.y.to_numpy(dtype=float)])


# --------------------------------------------------------------------------------------
# weights
# --------------------------------------------------------------------------------------
def _align_weights(w, index: pd.Index) -> Graph:
    """The weights as a Graph whose ids are exactly ``index`` (any order), or a clear error."""
    if isinstance(w, W):
        w = Graph.from_W(w)
    if not isinstance(w, Graph):
        raise GeoBiasError(
            f"w must be a libpysal.graph.Graph or libpysal.weights.W, got {type(w).__name__}; "
            "build one with libpysal.graph.Graph.build_knn(...) or leave w=None to use great-circle kNN"
        )
    ids = pd.Index(w.unique_ids)
    if len(ids) != len(index) or not ids.isin(index).all():
        missing = index[~index.isin(ids)]
        extra = ids[~ids.isin(index)]
        raise GeoBiasError(
            "the ids of the weights w must be the frame's row labels: "
            f"{len(missing)} row labels have no entry in w"
            + (f" (e.g. {list(missing[:5])})" if len(missing) else "")
            + f", {len(extra)} ids of w are not rows of the frame"
            + (f" (e.g. {list(extra[:5])})" if len(extra) else "")
            + "; restrict the graph with `w.subgraph(gdf.index)` or build it on this frame"
        )
    return w


# --------------------------------------------------------------------------------------
# classification
# --------------------------------------------------------------------------------------
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
        Ordered categories :data:`HOTSPOT_CLASSES`.

    Examples
    --------
    >>> classify(np.array([3.0, -2.1, 0.2]), np.array([0.003, 0.04, 0.6])).tolist()
    ['Hot spot (99% confidence)', 'Cold spot (95% confidence)', 'Not significant']
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


# --------------------------------------------------------------------------------------
# the statistic
# --------------------------------------------------------------------------------------
class HotSpots:
    """Local hot-spot statistics of one column, computed on construction (esda style).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Locations with a CRS; any geometry (non-points use a representative
        point). Results are aligned with ``gdf.index``.
    column : str
        Numeric column to analyse (per-sample performance, ``"base"`` or
        ``"relative"`` SSI, ...). Gi* needs non-negative values.
    w : libpysal.graph.Graph or libpysal.weights.W, optional
        Spatial weights whose ids are ``gdf``'s row labels (e.g. the audit's
        neighbourhood graph). Self-weights are handled per method: Gi*
        includes the location itself (a missing self-weight is set to the
        row's largest weight, 1 for binary weights), local Moran excludes it.
        Default: :func:`great_circle_weights` with ``k`` / ``radius_km``.
    method : {"gi_star", "moran"}, default "gi_star"
        Getis-Ord Gi* (:class:`esda.G_Local`, ``star=True``)
        or local Moran's I (:class:`esda.Moran_Local`, row-standardised).
    k : int, optional
        Nearest neighbours when ``w`` is not given (default 8 unless
        ``radius_km`` is given).
    radius_km : float, optional
        Distance band in km when ``w`` is not given (with ``k``: the ``k``
        nearest within the band).
    permutations : int, default 999
        Conditional permutations for the pseudo p-values; ``0`` for analytic
        (normal) inference.
    random_state : int, optional
        Seed of the permutations (``None``: not reproducible).
    fdr : bool, default False
        Control the false discovery rate (Benjamini-Hochberg) at each
        confidence level instead of testing each location at that level.

    Attributes
    ----------
    z : numpy.ndarray
        Gi*: the Getis-Ord Gi* z-score (Getis & Ord 1995, ArcGIS's GiZScore;
        esda's ``Zs`` for binary weights; sign = hot or cold); local Moran: the standardised I (``z_sim`` from the
        permutations, the analytic conditional z under ``permutations=0``;
        positive = cluster, negative = outlier). NaN for isolates.
    p : numpy.ndarray
        Two-sided, tie-aware p-values (see :mod:`geobias.hotspots`); NaN for
        isolates.
    p_sim : numpy.ndarray or None
        esda's folded one-sided pseudo p-values, for reference (``None``
        without permutations).
    classes : pandas.Categorical
        The hot-spot class of each row (:data:`HOTSPOT_CLASSES`).
    frame : geopandas.GeoDataFrame
        ``gdf.index``-aligned table: the geometry, ``column`` and ``z``, ``p``,
        ``hotspot`` (class), ``bin`` (3 … -3 as ArcGIS's Gi_Bin),
        ``n_neighbours`` and, for local Moran, ``quadrant`` (HH, LH, LL, HL).
    w : libpysal.graph.Graph
        The weights used (before esda's transformation): pass them on.
    statistic : esda.G_Local or esda.Moran_Local
        The underlying esda object.

    Examples
    --------
    Accuracy that rises from west to east on a 10 x 10 grid: cold spots in
    the west, hot spots in the east.

    >>> import geopandas as gpd, numpy as np
    >>> lon, lat = np.meshgrid(np.arange(10.0), np.arange(40.0, 50.0))
    >>> g = gpd.GeoDataFrame({"acc": lon.ravel() / 10 + 0.05},
    ...                      geometry=gpd.points_from_xy(lon.ravel(), lat.ravel()), crs=4326)
    >>> hs = HotSpots(g, "acc", k=8, random_state=0)
    >>> hs
    <HotSpots gi_star column='acc' n=100 hot=... cold=... permutations=999 fdr=False>
    >>> hs.frame.loc[0, "hotspot"], hs.frame.loc[9, "hotspot"]
    ('Cold spot (99% confidence)', 'Hot spot (99% confidence)')
    >>> print(hs.frame.loc[9, ["z", "p", "hotspot", "bin", "n_neighbours"]].to_string())
    z                                3.691888
    p                                   0.004
    hotspot         Hot spot (99% confidence)
    bin                                     3
    n_neighbours                            8
    """

    def __init__(
        self,
        gdf: gpd.GeoDataFrame,
        column: str,
        w: Graph | W | None = None,
        *,
        method: str = "gi_star",
        k: int | None = None,
        radius_km: float | None = None,
        permutations: int = 999,
        random_state: int | None = None,
        fdr: bool = False,
    ) -> None:
        _check_frame(gdf, column)
        key = _METHODS.get(str(method).lower())
        if key is None:
            raise GeoBiasError(
                f"method must be 'gi_star' (Getis-Ord Gi*) or 'moran' (local Moran's I), got {method!r}"
            )
        if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) or permutations < 0:
            raise GeoBiasError(f"permutations must be an integer >= 0, got {permutations!r}")
        if random_state is not None and (isinstance(random_state, bool) or not isinstance(random_state, (int, np.integer))):
            raise GeoBiasError(f"random_state must be an integer seed or None, got {random_state!r}")
        n = len(gdf)
        if n < 3:
            raise GeoBiasError(f"hot-spot analysis needs at least 3 locations, the frame has {n}")
        y_all = gdf[column].to_numpy(dtype=float)
        if np.ptp(y_all) == 0:
            raise GeoBiasError(
                f"column {column!r} is constant ({y_all[0]!r}); there is nothing to find hot spots in"
            )
        if key == "gi_star" and (y_all < 0).any():
            raise GeoBiasError(
                f"Getis-Ord Gi* needs non-negative values, column {column!r} has minimum "
                f"{y_all.min():g}; use method='moran' or shift the values (e.g. `gdf[col] - gdf[col].min()`)"
            )
        if w is None:
            graph = great_circle_weights(gdf, k=k, radius_km=radius_km)
        else:
            if k is not None or radius_km is not None:
                raise GeoBiasError("pass either weights w or k/radius_km to build them, not both")
            graph = _align_weights(w, gdf.index)

        self.column = column
        self.method = key
        self.permutations = int(permutations)
        self.random_state = random_state
        self.fdr = bool(fdr)
        self.w = graph

        ids = pd.Index(graph.unique_ids)
        pos = gdf.index.get_indexer(ids)  # graph order -> frame position
        y = y_all[pos]
        card = _cardinalities(graph)
        isolate = card == 0
        if isolate.any():
            warnings.warn(
                f"{int(isolate.sum())} locations have no neighbours (isolates) and are not tested: "
                f"{describe_rows(ids[isolate])}; use a larger radius_km or k",
                GeoBiasWarning,
                stacklevel=2,
            )

        seed = None if random_state is None else int(random_state)
        keep = bool(self.permutations) and n * self.permutations <= _MAX_SIMULATIONS
        if self.permutations and not keep:
            warnings.warn(
                f"{n} locations x {self.permutations} permutations is too many to keep the "
                "simulations in memory; using esda's folded p_sim, which counts ties as extreme "
                "(anti-conservative for discrete values such as 0/1 hits); pass fewer permutations",
                GeoBiasWarning,
                stacklevel=2,
            )
        quadrant = None
        p_sim = None
        with warnings.catch_warnings():
            # esda's own notices (isolates, zero variance of islands) are summarised above
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            # esda >= 2.6 announces a change of its p_sim's alternative; we compute p ourselves
            warnings.simplefilter("ignore", DeprecationWarning)
            if key == "gi_star":
                gw = graph
                if (gw.sparse.diagonal() == 0).all():
                    rowmax = np.asarray(gw.sparse.max(axis=1).todense()).ravel()
                    gw = gw.assign_self_weight(np.where(rowmax > 0, rowmax, 1.0))
                stat = esda.G_Local(y, gw, transform="R", permutations=self.permutations, star=True,
                                    seed=seed, n_jobs=1, keep_simulations=keep)
                z = _gi_star_z(y, gw.sparse)
                observed, sims = np.asarray(stat.Gs, dtype=float), getattr(stat, "rGs", None)
            else:
                mw = graph
                if (mw.sparse.diagonal() != 0).any():
                    mw = mw.assign_self_weight(0).eliminate_zeros()
                stat = esda.Moran_Local(y, mw, transformation="r", permutations=self.permutations,
                                        seed=seed, n_jobs=1, keep_simulations=keep)
                quadrant = np.asarray(stat.q)
                with np.errstate(divide="ignore", invalid="ignore"):
                    if keep:
                        z = np.asarray(stat.z_sim, dtype=float)
                    else:
                        z = (np.asarray(stat.Is) - stat.EIc) / np.sqrt(stat.VIc)
                observed, sims = np.asarray(stat.Is, dtype=float), getattr(stat, "rlisas", None)
            p_two = np.minimum(1.0, 2.0 * stats.norm.sf(np.abs(z)))
            if self.permutations:
                p_sim = np.asarray(stat.p_sim, dtype=float)
                p_two = _two_sided_p(observed, sims) if keep else np.minimum(1.0, 2.0 * p_sim)
            for attr in ("rGs", "rlisas", "sim"):  # n x permutations floats: do not keep them
                if hasattr(stat, attr):
                    setattr(stat, attr, None)
        p_two = np.where(isolate, np.nan, p_two)
        z = np.where(isolate, np.nan, z)
        classes = classify(z, p_two, fdr=self.fdr, quadrant=quadrant)

        # back to the frame's order
        back = pd.Index(ids).get_indexer(gdf.index)
        self.statistic = stat
        self.z = z[back]
        self.p = p_two[back]
        self.p_sim = None if p_sim is None else p_sim[back]
        self.classes = classes[back]
        self.n_neighbours = card[back]
        self.quadrant = None if quadrant is None else np.array(["HH", "LH", "LL", "HL"])[quadrant[back] - 1]

        out = gpd.GeoDataFrame(index=gdf.index.copy(), geometry=gdf.geometry.copy(), crs=gdf.crs)
        value_name = column if column not in _OUTPUT_COLUMNS + ("geometry",) else f"{column}_value"
        out[value_name] = gdf[column].to_numpy()
        out["z"] = self.z
        out["p"] = self.p
        out["hotspot"] = self.classes
        out["bin"] = np.array([_BIN_OF[c] for c in self.classes], dtype=np.int64)
        out["n_neighbours"] = self.n_neighbours.astype(np.int64)
        if self.quadrant is not None:
            out["quadrant"] = self.quadrant
        self.value_column = value_name
        self.frame = out

    def counts(self) -> pd.Series:
        """Number of locations per class (all classes, zero counts included).

        Returns
        -------
        pandas.Series
            Indexed by :data:`HOTSPOT_CLASSES`.
        """
        return self.frame["hotspot"].value_counts(sort=False).reindex(list(HOTSPOT_CLASSES), fill_value=0)

    @property
    def label(self) -> str:
        """A short human-readable name, e.g. ``"Gi* hot spots of 'acc'"``."""
        name = "Gi*" if self.method == "gi_star" else "Local Moran"
        return f"{name} hot spots of {self.column!r}"

    def __repr__(self) -> str:
        c = self.counts()
        hot = int(c[list(HOTSPOT_CLASSES[:3])].sum())
        cold = int(c[list(HOTSPOT_CLASSES[4:7])].sum())
        return (f"<HotSpots {self.method} column={self.column!r} n={len(self.frame)} hot={hot} "
                f"cold={cold} permutations={self.permutations} fdr={self.fdr}>")


def _gi_star_z(y: np.ndarray, wmat) -> np.ndarray:
    """Getis-Ord Gi* z-scores for general weights (self-weight included in ``wmat``).

    ``(sum_j w_ij y_j - ybar W_i) / (S sqrt((n sum_j w_ij^2 - W_i^2) / (n - 1)))``
    (Getis & Ord 1995; ArcGIS's GiZScore). esda's ``Zs`` equals it with binary
    weights; with row-standardised weights esda's analytic moments differ.
    """
    n = y.size
    ybar = y.mean()
    s = np.sqrt(max((y**2).mean() - ybar**2, 0.0))
    wsum = np.asarray(wmat.sum(axis=1)).ravel()
    w2 = np.asarray(wmat.multiply(wmat).sum(axis=1)).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        return (wmat @ y - ybar * wsum) / (s * np.sqrt((n * w2 - wsum**2) / (n - 1)))


def _two_sided_p(observed: np.ndarray, sims: np.ndarray) -> np.ndarray:
    """Two-sided pseudo p-values that count ties on both sides (conservative for discrete data).

    ``min(1, 2 * (min(#{sim >= obs}, #{sim <= obs}) + 1) / (P + 1))`` per row of
    ``sims`` (``(n, P)``), with a relative tolerance of 1e-9 for "equal".
    """
    sims = np.asarray(sims, dtype=float)
    obs = np.asarray(observed, dtype=float)[:, None]
    scale = np.maximum(np.abs(obs), np.nanmax(np.abs(sims), axis=1, initial=0.0)[:, None])
    tol = 1e-9 * np.where(scale > 0, scale, 1.0)
    ge = (sims >= obs - tol).sum(axis=1)
    le = (sims <= obs + tol).sum(axis=1)
    return np.minimum(1.0, 2.0 * (np.minimum(ge, le) + 1.0) / (sims.shape[1] + 1.0))


def _cardinalities(graph: Graph) -> np.ndarray:
    """Number of neighbours with positive weight, excluding self, in ``graph.unique_ids`` order."""
    adj = graph.adjacency
    focal = adj.index.get_level_values(0)
    neigh = adj.index.get_level_values(1)
    real = (adj.to_numpy() != 0) & (focal != neigh)
    counts = pd.Series(real.astype(np.int64), index=focal).groupby(level=0, sort=False).sum()
    return counts.reindex(graph.unique_ids, fill_value=0).to_numpy()


def hotspots(
    gdf: gpd.GeoDataFrame,
    column: str,
    w: Graph | W | None = None,
    *,
    method: str = "gi_star",
    k: int | None = None,
    radius_km: float | None = None,
    permutations: int = 999,
    random_state: int | None = None,
    fdr: bool = False,
) -> HotSpots:
    """Hot spots of ``gdf[column]``: a :class:`HotSpots` (same parameters).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Locations with a CRS.
    column : str
        Numeric column.
    w : libpysal.graph.Graph or libpysal.weights.W, optional
        Weights on ``gdf``'s row labels (default: great-circle kNN, ``k=8``).
    method : {"gi_star", "moran"}, default "gi_star"
        Getis-Ord Gi* or local Moran's I.
    k, radius_km : optional
        How to build the weights when ``w`` is not given.
    permutations : int, default 999
        Permutations for pseudo p-values (0: analytic).
    random_state : int, optional
        Permutation seed.
    fdr : bool, default False
        Benjamini-Hochberg false-discovery-rate control per confidence level.

    Returns
    -------
    HotSpots
        ``.frame`` holds ``z``, ``p``, ``hotspot`` ... aligned with ``gdf.index``.

    Examples
    --------
    >>> import geopandas as gpd, numpy as np
    >>> rng = np.random.default_rng(0)
    >>> g = gpd.GeoDataFrame({"err": rng.random(50)},
    ...                      geometry=gpd.points_from_xy(rng.uniform(-10, 10, 50), rng.uniform(40, 50, 50)),
    ...                      crs=4326)
    >>> hs = hotspots(g, "err", k=6, random_state=42, fdr=True)
    >>> hs.frame.columns.tolist()
    ['geometry', 'err', 'z', 'p', 'hotspot', 'bin', 'n_neighbours']
    >>> hs.frame.index.equals(g.index)
    True
    """
    return HotSpots(gdf, column, w, method=method, k=k, radius_km=radius_km,
                    permutations=permutations, random_state=random_state, fdr=fdr)
