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
(:func:`esda.fdr`) applied at each level. The classes, their colours and
:func:`~geobias.hotspot_classes.classify` live in :mod:`geobias.hotspot_classes`
(also importable from here).

Weights are taken as given (a :class:`libpysal.graph.Graph` or
:class:`libpysal.weights.W` whose ids are the frame's row labels), or built on
great-circle distance: the ``k`` nearest neighbours and/or all neighbours
within ``radius_km`` (:func:`great_circle_weights`, from :mod:`geobias.weights`).
"""

from __future__ import annotations

import inspect
import numbers
import warnings
from typing import Any, NamedTuple

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.graph import Graph
from libpysal.weights import W
from scipy import stats

from geocommon.checks import check_scalar

from .errors import GeoBiasError, GeoBiasWarning, describe_rows
from .hotspot_classes import _BIN_OF, HOTSPOT_CLASSES, HOTSPOT_COLORS, classify
from .hotspot_classes import _LEVELS as _LEVELS  # kept importable from its old home
from .io import as_wgs84
from .sphere import EARTH_RADIUS_KM
from .weights import great_circle_weights

__all__ = ["HOTSPOT_CLASSES", "HOTSPOT_COLORS", "EARTH_RADIUS_KM", "HotSpots", "hotspots", "great_circle_weights",
           "classify", "lonlat_degrees"]

_METHODS = {"gi_star": "gi_star", "gi*": "gi_star", "g_local": "gi_star", "getis_ord": "gi_star",
            "moran": "moran", "moran_local": "moran", "lisa": "moran"}
_OUTPUT_COLUMNS = ("z", "p", "hotspot", "bin", "n_neighbours", "quadrant")
_QUADRANTS = np.array(["HH", "LH", "LL", "HL"])  # esda's q = 1 … 4
_MAX_SIMULATIONS = 50_000_000  # n x permutations kept in memory (400 MB of float64)


# -- input validation ----------------------------------------------------------------
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
            raise GeoBiasError(f"column {column!r} not found; available columns: {list(gdf.columns)}")
        if not (pd.api.types.is_numeric_dtype(gdf[column]) or pd.api.types.is_bool_dtype(gdf[column])):
            raise GeoBiasError(f"column {column!r} must be numeric, got dtype {gdf[column].dtype}")
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
        Any CRS (transformed to EPSG:4326 by :func:`geobias.io.as_wgs84`);
        non-point geometries are reduced to a representative point.

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
    >>> lonlat_degrees(g.to_crs(3857)).round(6).tolist()
    [[10.0, 50.0]]
    """
    geo = as_wgs84(gdf.geometry)
    if not (geo.geom_type == "Point").all():
        geo = geo.representative_point()
    return np.column_stack([geo.x.to_numpy(dtype=float), geo.y.to_numpy(dtype=float)])


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


def _validate(gdf, column, w, method, k, radius_km, permutations, random_state) -> tuple[str, Graph]:
    """The method's key and the weights graph, once every input of :class:`HotSpots` is checked."""
    _check_frame(gdf, column)
    key = _METHODS.get(str(method).lower())
    if key is None:
        raise GeoBiasError(f"method must be 'gi_star' (Getis-Ord Gi*) or 'moran' (local Moran's I), got {method!r}")
    check_scalar(permutations, "permutations", numbers.Integral, min_val=0, error=GeoBiasError)
    check_scalar(random_state, "random_state", numbers.Integral, allow_none=True, error=GeoBiasError)
    n = len(gdf)
    if n < 3:
        raise GeoBiasError(f"hot-spot analysis needs at least 3 locations, the frame has {n}")
    y = gdf[column].to_numpy(dtype=float)
    if np.ptp(y) == 0:
        raise GeoBiasError(f"column {column!r} is constant ({y[0]!r}); there is nothing to find hot spots in")
    if key == "gi_star" and (y < 0).any():
        raise GeoBiasError(
            f"Getis-Ord Gi* needs non-negative values, column {column!r} has minimum "
            f"{y.min():g}; use method='moran' or shift the values (e.g. `gdf[col] - gdf[col].min()`)"
        )
    if w is None:
        return key, great_circle_weights(gdf, k=k, radius_km=radius_km)
    if k is not None or radius_km is not None:
        raise GeoBiasError("pass either weights w or k/radius_km to build them, not both")
    return key, _align_weights(w, gdf.index)


# -- the statistic -------------------------------------------------------------------
class _Local(NamedTuple):
    """A local statistic's results, in the order of the graph's ids."""

    statistic: esda.G_Local | esda.Moran_Local
    z: np.ndarray
    p: np.ndarray
    p_sim: np.ndarray | None
    classes: pd.Categorical
    n_neighbours: np.ndarray
    quadrant: np.ndarray | None  # esda's q (1 HH, 2 LH, 3 LL, 4 HL); None for Gi*


def _gi_star(y: np.ndarray, graph: Graph, permutations: int, seed: int | None, keep: bool):
    """esda's Gi* with the location itself in its neighbourhood; the z-score, observed and simulated G."""
    if (graph.sparse.diagonal() == 0).all():
        rowmax = np.asarray(graph.sparse.max(axis=1).todense()).ravel()
        graph = graph.assign_self_weight(np.where(rowmax > 0, rowmax, 1.0))
    stat = esda.G_Local(y, graph, transform="R", permutations=permutations, star=True,
                        seed=seed, n_jobs=1, keep_simulations=keep)
    return stat, _gi_star_z(y, graph.sparse), np.asarray(stat.Gs, dtype=float), getattr(stat, "rGs", None)


def _local_moran(y: np.ndarray, graph: Graph, permutations: int, seed: int | None, keep: bool):
    """esda's local Moran without self-weights; the standardised I, observed and simulated I."""
    if (graph.sparse.diagonal() != 0).any():
        graph = graph.assign_self_weight(0).eliminate_zeros()
    stat = esda.Moran_Local(y, graph, transformation="r", permutations=permutations,
                            seed=seed, n_jobs=1, keep_simulations=keep)
    with np.errstate(divide="ignore", invalid="ignore"):
        if keep:
            z = np.asarray(stat.z_sim, dtype=float)
        else:
            z = (np.asarray(stat.Is) - stat.EIc) / np.sqrt(stat.VIc)
    return stat, z, np.asarray(stat.Is, dtype=float), getattr(stat, "rlisas", None)


def _compute(y: np.ndarray, graph: Graph, method: str, permutations: int, random_state: int | None,
             fdr: bool) -> _Local:
    """z, two-sided p and classes of ``y`` (in ``graph.unique_ids`` order); isolates are not tested."""
    n = y.size
    ids = pd.Index(graph.unique_ids)
    card = _cardinalities(graph)
    isolate = card == 0
    if isolate.all() and permutations:  # esda's permutations would fail with a bare numba ValueError
        raise GeoBiasError(f"none of the {n} locations has a neighbour, so none can be tested; "
                           "use a larger radius_km or k, or other weights w")
    # stacklevel 3: the warnings point at the caller of HotSpots(...)
    if isolate.any():
        warnings.warn(
            f"{int(isolate.sum())} locations have no neighbours (isolates) and are not tested: "
            f"{describe_rows(ids[isolate])}; use a larger radius_km or k", GeoBiasWarning, stacklevel=3)
    keep = bool(permutations) and n * permutations <= _MAX_SIMULATIONS
    if permutations and not keep:
        warnings.warn(
            f"{n} locations x {permutations} permutations is too many to keep the "
            "simulations in memory; using esda's folded p_sim, which counts ties as extreme "
            "(anti-conservative for discrete values such as 0/1 hits); pass fewer permutations",
            GeoBiasWarning, stacklevel=3)
    seed = None if random_state is None else int(random_state)
    p_sim = None
    with warnings.catch_warnings():
        # esda's own notices (isolates, zero variance of islands) are summarised above
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        # esda >= 2.6 announces a change of its p_sim's alternative; we compute p ourselves
        warnings.simplefilter("ignore", DeprecationWarning)
        run = _gi_star if method == "gi_star" else _local_moran
        stat, z, observed, sims = run(y, graph, permutations, seed, keep)
        quadrant = np.asarray(stat.q) if method == "moran" else None
        p = np.minimum(1.0, 2.0 * stats.norm.sf(np.abs(z)))
        if permutations:
            p_sim = np.asarray(stat.p_sim, dtype=float)
            p = _two_sided_p(observed, sims) if keep else np.minimum(1.0, 2.0 * p_sim)
        for attr in ("rGs", "rlisas", "sim"):  # n x permutations floats: do not keep them
            if hasattr(stat, attr):
                setattr(stat, attr, None)
    p = np.where(isolate, np.nan, p)
    z = np.where(isolate, np.nan, z)
    return _Local(stat, z, p, p_sim, classify(z, p, fdr=fdr, quadrant=quadrant), card, quadrant)


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


def _frame(gdf: gpd.GeoDataFrame, column: str, hs: HotSpots) -> tuple[gpd.GeoDataFrame, str]:
    """The ``gdf.index``-aligned output table of ``hs`` and the name its ``column`` got there."""
    out = gpd.GeoDataFrame(index=gdf.index.copy(), geometry=gdf.geometry.copy(), crs=gdf.crs)
    value_name = column if column not in _OUTPUT_COLUMNS + ("geometry",) else f"{column}_value"
    out[value_name] = gdf[column].to_numpy()
    out["z"] = hs.z
    out["p"] = hs.p
    out["hotspot"] = hs.classes
    out["bin"] = np.array([_BIN_OF[c] for c in hs.classes], dtype=np.int64)
    out["n_neighbours"] = hs.n_neighbours.astype(np.int64)
    if hs.quadrant is not None:
        out["quadrant"] = hs.quadrant
    return out, value_name


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
        The hot-spot class of each row (:data:`~geobias.hotspot_classes.HOTSPOT_CLASSES`).
    n_neighbours : numpy.ndarray
        Neighbours with a positive weight, the location itself not counted.
    quadrant : numpy.ndarray or None
        Local Moran: ``"HH"``, ``"LH"``, ``"LL"`` or ``"HL"`` per row; ``None`` for Gi*.
    value_column : str
        The name of ``column`` in ``frame`` (``column + "_value"`` where it would clash).
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
        key, graph = _validate(gdf, column, w, method, k, radius_km, permutations, random_state)
        self.column = column
        self.method = key
        self.permutations = int(permutations)
        self.random_state = random_state
        self.fdr = bool(fdr)
        self.w = graph

        ids = pd.Index(graph.unique_ids)
        y = gdf[column].to_numpy(dtype=float)[gdf.index.get_indexer(ids)]
        local = _compute(y, graph, key, self.permutations, random_state, self.fdr)
        back = ids.get_indexer(gdf.index)  # graph order -> the frame's order
        self.statistic = local.statistic
        self.z = local.z[back]
        self.p = local.p[back]
        self.p_sim = None if local.p_sim is None else local.p_sim[back]
        self.classes = local.classes[back]
        self.n_neighbours = local.n_neighbours[back]
        self.quadrant = None if local.quadrant is None else _QUADRANTS[local.quadrant[back] - 1]
        self.frame, self.value_column = _frame(gdf, column, self)

    def counts(self) -> pd.Series:
        """Number of locations per class (all classes, zero counts included).

        Returns
        -------
        pandas.Series
            Indexed by :data:`~geobias.hotspot_classes.HOTSPOT_CLASSES`.
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


def hotspots(gdf: gpd.GeoDataFrame, column: str, w: Graph | W | None = None, **options: Any) -> HotSpots:
    """Hot spots of ``gdf[column]``: the same as ``HotSpots(gdf, column, w, **options)``.

    The parameters (``method``, ``k``, ``radius_km``, ``permutations``,
    ``random_state``, ``fdr``), the results and the method are documented
    once, on :class:`HotSpots`.

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
    return HotSpots(gdf, column, w, **options)


# help() and the docs show the keywords HotSpots takes, which is all that hotspots passes on
hotspots.__signature__ = inspect.signature(HotSpots).replace(return_annotation="HotSpots")
