"""Dataset-level Geo-Bias audit: validated input → neighbourhoods → SSI scores.

:func:`audit` (or :class:`GeoBiasAudit` directly) computes everything on
construction, esda style, and exposes the dataset scores (``base``,
``relative``), the per-centre scores as a GeoDataFrame aligned with the
input's row labels, the neighbourhood weights as a libpysal ``Graph`` and the
parameters it ran with.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.graph import Graph

from .audit_data import MAX_RADIUS_KM, centre_mask, clean_frame, validate_params
from .audit_run import centre_lists, check_k, score_centres
from .errors import GeoBiasWarning, describe_rows
from .io import to_lonlat_frame
from .marks import make_marks, resolve_threshold
from .presets import preset_params
from .sphere import EARTH_RADIUS_KM, to_radians
from .weights import lists_to_graph

__all__ = ["audit", "GeoBiasAudit", "MAX_RADIUS_KM"]

_DEFAULT = object()

_PARAMS = (
    "max_neighbors", "centres", "marks", "density", "density_factor",
    "probability", "std_offset", "aggregation", "radians", "neighbour_order",
)


class GeoBiasAudit:
    """Geo-Bias Scores of one model's per-sample results (computed on construction).

    Parameters
    ----------
    data : geopandas.GeoDataFrame, pandas.DataFrame, str or os.PathLike
        Per-sample results: a GeoDataFrame of points (any CRS), a DataFrame
        with longitude/latitude columns in degrees, or a path to a
        TorchSpatial evaluation CSV.
    value : str, default "hit@1"
        Performance column.
    radius_km : float, default 100
        Neighbourhood radius (great circle, Earth radius 6371 km).
    k : int, default 4
        Nearest neighbours of the weights over presence ∪ background.
    preset : {"geobs", "torchspatial2024"}, default "geobs"
        Defaults for all the following ingredients (see :mod:`geobias.presets`).
    max_neighbors : int or None
        Neighbourhood = samples within the radius among the centre's
        ``max_neighbors`` nearest (``None``: all within the radius).
    centres : {"all", "low"} or array_like
        Which samples are centres: all, the low-performance ones, a boolean
        mask aligned with the rows, or a list of row labels.
    marks : {"raw", "pm1"} or callable
        Presence values of the relative score (see :func:`geobias.marks.make_marks`).
    threshold : float or str, optional
        Threshold the value at this many km (or a scale level such as
        ``"city"``): ``+1`` below, ``-1`` at or above (geolocalization).
    lower_is_better : bool, default True
        Direction of ``threshold``.
    density : float or "auto"
        Background points per square radian.
    density_factor : float
        Background-to-presence ratio of ``density="auto"``.
    probability : {"two_sided", "density"}
        Two-sided normal tail (PyGBS) or normal density (TorchSpatial 2024).
    std_offset : float
        Added to the null standard deviation (PyGBS: 1).
    aggregation : {"mean", "n_weighted"}
        Dataset score: plain mean or neighbourhood-size-weighted mean.
    radians : {"reference", "numpy"}
        Degree-to-radian convention (affects exact ties only).
    neighbour_order : {"distance", "position"}
        Order of the presence points in ``U`` (ball-tree distance order or
        sample order); with ``ties="reference"`` it decides exact distance
        ties, as in the reference.
    ties : {"split", "reference"}, default "split"
        How distance ties in the kNN weights (and at the ``max_neighbors``
        cap) are treated. ``"split"``: points tied with the k-th neighbour
        share the remaining weight, and every sample tied with the cap's last
        one is in — a function of the data, the same on every machine and for
        any row order. ``"reference"``: the reference's ball-tree tie order,
        bit-exact to PyGBS / the TorchSpatial scripts *on the same machine*
        and machine-dependent by nature. The two agree exactly on every
        centre that is not tie-sensitive (see ``n_tie_sensitive``). Presets
        never set it.
    neighbourhoods : libpysal.graph.Graph, optional
        Precomputed neighbourhoods (focal = centre label, neighbours =
        presence labels); overrides ``radius_km``/``max_neighbors`` for the
        choice of presence points (``radius_km`` still sizes the rings).
    lon, lat : str, optional
        Coordinate columns of a DataFrame.
    n_jobs : int, optional
        Processes (default: all cores for large inputs, serial otherwise).
    client : dask.distributed.Client, optional
        Run the per-centre chunks on this Dask cluster.
    progress : bool, default True
        Show a tqdm progress bar.
    chunk_size : int, default 2000
        Centres per parallel chunk.

    Attributes
    ----------
    base, relative : float
        Dataset-level base (unmarked) and relative (marked) SSI.
    per_centre : geopandas.GeoDataFrame
        Indexed by the input's row labels: ``geometry``, ``base``,
        ``relative``, ``n_neighbours``, ``local_mean`` (mean performance in
        the neighbourhood), ``value``, ``n_background``, ``tie_sensitive``
        (whether ``ties="split"`` and ``ties="reference"`` can differ there).
    neighbourhoods : libpysal.graph.Graph
        The neighbourhoods used.
    n_samples, n_centres : int
        Samples after cleaning and centres scored.
    n_dropped_nan, n_dropped_coords, n_skipped, n_duplicates : int
        Rows dropped for a missing value / missing coordinates, centres whose
        score is undefined (``sigma = 0`` under ``probability="density"``),
        rows sharing exact coordinates with an earlier row.
    n_tie_sensitive : int
        Centres where a kNN cut (or the cap) goes through a distance tie
        between different values: the only centres whose score depends on
        the ``ties`` mode (and, with ``ties="reference"``, on the machine).
    n_wrapped : int
        Rows whose longitude was outside ±180° and was wrapped into it.
    message : str
        Notes on the run ("" when there is nothing to say).

    Examples
    --------
    >>> import pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"lon": rng.uniform(0, 2, 60), "lat": rng.uniform(0, 2, 60),
    ...                    "hit@1": rng.integers(0, 2, 60)})
    >>> res = GeoBiasAudit(df, value="hit@1", radius_km=100, progress=False)
    >>> res.n_centres
    60
    >>> bool(res.base > 0)
    True
    """

    def __init__(
        self,
        data,
        value: str = "hit@1",
        radius_km: float = 100.0,
        k: int = 4,
        preset: str | None = "geobs",
        *,
        max_neighbors: Any = _DEFAULT,
        centres: Any = _DEFAULT,
        marks: Any = _DEFAULT,
        threshold: float | str | None = None,
        lower_is_better: bool = True,
        density: Any = _DEFAULT,
        density_factor: Any = _DEFAULT,
        probability: Any = _DEFAULT,
        std_offset: Any = _DEFAULT,
        aggregation: Any = _DEFAULT,
        radians: Any = _DEFAULT,
        neighbour_order: Any = _DEFAULT,
        ties: str = "split",
        neighbourhoods=None,
        lon: str | None = None,
        lat: str | None = None,
        n_jobs: int | None = None,
        client=None,
        progress: bool = True,
        chunk_size: int = 2000,
    ) -> None:
        params = preset_params(preset)
        given = dict(max_neighbors=max_neighbors, centres=centres, marks=marks, density=density,
                     density_factor=density_factor, probability=probability,
                     std_offset=std_offset, aggregation=aggregation, radians=radians,
                     neighbour_order=neighbour_order)
        params.update({key: v for key, v in given.items() if v is not _DEFAULT})
        validate_params(params, radius_km, k, ties)
        self.ties = ties
        self.preset = preset
        self.value = value
        self.radius_km = float(radius_km)
        self.k = int(k)
        self.threshold = resolve_threshold(threshold)
        self.lower_is_better = bool(lower_is_better)
        for key in _PARAMS:
            setattr(self, key, params[key])
        self._notes: list[str] = []
        self._run(data, neighbourhoods, lon, lat, n_jobs, client, progress, chunk_size)

    # ------------------------------------------------------------------
    def _warn(self, msg: str) -> None:
        self._notes.append(msg)
        warnings.warn(msg, GeoBiasWarning, stacklevel=4)

    def _run(self, data, neighbourhoods, lon, lat, n_jobs, client, progress, chunk_size) -> None:
        frame0 = to_lonlat_frame(data, lon, lat)
        frame, counts = clean_frame(frame0, self.value, self._warn)
        for key, v in counts.items():
            setattr(self, key, v)
        values = frame["_value"].to_numpy()
        self.n_samples = len(frame)
        if np.unique(values).size == 1:
            self._warn(f"performance {self.value!r} is constant ({float(values[0])!r}): the relative "
                       "score then only reflects where the samples are, not how the model does")
        self.n_duplicates = int(frame.duplicated(subset=["lon", "lat"]).sum())
        marks = make_marks(values, self.marks, self.threshold, self.lower_is_better)
        centres = np.flatnonzero(centre_mask(self.centres, frame, values, self.threshold, self.lower_is_better,
                                             frame0.index))
        radius = self.radius_km / EARTH_RADIUS_KM
        latr = to_radians(frame["lat"].to_numpy(), self.radians)
        lonr = to_radians(frame["lon"].to_numpy(), self.radians)
        self._frame = frame
        if centres.size == 0:
            self._warn(
                f"no centres: no low-performance samples in {self.value!r}"
                if isinstance(self.centres, str) and self.centres == "low"
                else "no centres selected"
            )
            self._empty(frame)
            return
        centres, indptr, indices, nb_ties = centre_lists(
            latr, lonr, centres, radius, max_neighbors=self.max_neighbors, order=self.neighbour_order,
            ties=self.ties, index=frame.index, graph=neighbourhoods)
        check_k(self.k, self.density, self.density_factor, frame.index, centres, np.diff(indptr), radius)
        self._lists = (indptr, indices, centres)
        res = score_centres(latr, lonr, marks, centres, indptr, indices, n_jobs=n_jobs, client=client,
                            progress=progress, chunk_size=chunk_size, radius=radius, k=self.k,
                            density=self.density, density_factor=self.density_factor,
                            probability_kind=self.probability, std_offset=self.std_offset, ties=self.ties)
        res["tie_sensitive"] = res["tie_sensitive"] | nb_ties
        self._finish(frame, values, centres, indptr, indices, res)

    def _empty(self, frame) -> None:
        self.n_centres = 0
        self.n_skipped = 0
        self.base = float("nan")
        self.relative = float("nan")
        self._lists = None
        self.n_tie_sensitive = 0
        cols = ["base", "relative", "n_neighbours", "local_mean", "value", "n_background", "tie_sensitive"]
        self.per_centre = gpd.GeoDataFrame(
            {c: pd.Series(dtype=float) for c in cols},
            geometry=gpd.GeoSeries([], crs=4326), crs=4326,
        )

    def _finish(self, frame, values, centres, indptr, indices, res) -> None:
        n_nb = res["n_neighbours"]
        local_mean = np.add.reduceat(values[indices], indptr[:-1]) / n_nb
        undefined = np.isnan(res["base"]) | np.isnan(res["relative"])
        self.n_skipped = int(undefined.sum())
        if self.n_skipped:
            self._warn(
                f"{self.n_skipped} centres have an undefined score (null sigma = 0 under "
                f"probability='density', e.g. single-sample neighbourhoods) and are left out "
                f"of the dataset score ({describe_rows(frame.index[centres[undefined]])})"
            )
        ok = ~undefined
        self.n_centres = int(centres.size)
        if ok.any():
            w = n_nb[ok].astype(float) if self.aggregation == "n_weighted" else np.ones(ok.sum())
            self.base = float(np.sum(res["base"][ok] * w) / w.sum())
            self.relative = float(np.sum(res["relative"][ok] * w) / w.sum())
        else:
            self.base = self.relative = float("nan")
            self._notes.append("no centre has a defined score")
        sub = frame.iloc[centres]
        self.per_centre = gpd.GeoDataFrame(
            {
                "base": res["base"],
                "relative": res["relative"],
                "n_neighbours": n_nb,
                "local_mean": local_mean,
                "value": values[centres],
                "n_background": res["n_background"],
                "tie_sensitive": res["tie_sensitive"],
            },
            index=sub.index,
            geometry=gpd.points_from_xy(sub["lon"], sub["lat"]),
            crs=4326,
        )
        self.n_contested = int(res["n_contested"].sum())
        self.n_tie_sensitive = int(res["tie_sensitive"].sum())

    # ------------------------------------------------------------------
    @functools.cached_property
    def neighbourhoods(self) -> Graph:
        """The neighbourhoods used as a :class:`libpysal.graph.Graph` (focal = centre, neighbours =
        its presence labels, itself included); built on first access (1M samples: ~60M edges)."""
        if self._lists is None:
            return Graph.from_arrays(np.array([], dtype=int), np.array([], dtype=int), np.array([]))
        indptr, indices, centres = self._lists
        return lists_to_graph(indptr, indices, centres, self._frame.index)

    @property
    def message(self) -> str:
        """Notes collected during the run (dropped rows, skipped centres...)."""
        return "; ".join(self._notes)

    @property
    def params(self) -> dict:
        """The parameters this audit ran with (preset resolved)."""
        out = dict(preset=self.preset, value=self.value, radius_km=self.radius_km, k=self.k,
                   threshold=self.threshold, lower_is_better=self.lower_is_better, ties=self.ties)
        out.update({key: getattr(self, key) for key in _PARAMS})
        return out

    def to_frame(self) -> pd.DataFrame:
        """Per-centre results as a plain DataFrame with ``lon``/``lat`` columns.

        Returns
        -------
        pandas.DataFrame
            Same index as :attr:`per_centre`.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"lon": [0.0, 0.1], "lat": [0.0, 0.1], "hit@1": [1, 0]})
        >>> audit(df, progress=False).to_frame().columns.tolist()[:3]
        ['lon', 'lat', 'base']
        """
        pc = self.per_centre
        out = pd.DataFrame(pc.drop(columns=pc.geometry.name))
        out.insert(0, "lat", pc.geometry.y if len(pc) else pd.Series(dtype=float))
        out.insert(0, "lon", pc.geometry.x if len(pc) else pd.Series(dtype=float))
        return out

    def _weights(self):
        """The audit's neighbourhood graph restricted to the scored centres."""
        g = self.neighbourhoods
        ids = self.per_centre.index
        return g if set(g.unique_ids) == set(ids) else g.subgraph(ids)

    def hotspots(self, column: str = "value", method: str = "gi_star", permutations: int = 999,
                 random_state: int | None = None, fdr: bool = False):
        """Hot/cold spots of per-sample performance (``"value"``) or of a score, on the audit's weights.

        Parameters
        ----------
        column : str, default "value"
            ``"value"`` (the performance), ``"local_mean"``, ``"base"`` or ``"relative"``.
        method : {"gi_star", "moran"}
            Getis-Ord Gi* or local Moran's I (esda).
        permutations : int
            Conditional permutations for the pseudo p-values.
        random_state : int, optional
            Seed of the permutations.
        fdr : bool
            False-discovery-rate correction of the significance levels.

        Returns
        -------
        geobias.hotspots.HotSpots

        Examples
        --------
        >>> import pandas as pd
        >>> rng = np.random.default_rng(0)
        >>> df = pd.DataFrame({"lon": rng.uniform(0, 5, 300), "lat": rng.uniform(0, 5, 300)})
        >>> df["hit@1"] = (df["lon"] > 2.5).astype(int)
        >>> hs = audit(df, radius_km=100, progress=False).hotspots(random_state=0, permutations=99)
        >>> "hotspot" in hs.frame.columns
        True
        """
        from .hotspots import hotspots

        return hotspots(self.per_centre, column, w=self._weights(), method=method, permutations=permutations,
                        random_state=random_state, fdr=fdr)

    def explore(self, m=None, offline: bool = False, hotspots=None, **kwargs):
        """An interactive folium map of performance, base/relative SSI and hot spots (layers).

        Parameters
        ----------
        m : folium.Map, optional
            Add the layers to this map.
        offline : bool
            Inline Leaflet and use the bundled basemap (no network needed to view the file).
        hotspots : geobias.hotspots.HotSpots, optional
            Hot spots to show (e.g. from :meth:`hotspots`).
        **kwargs
            Passed to :func:`geobias.maps.explore`.

        Returns
        -------
        folium.Map
        """
        from .maps import explore

        return explore(self.per_centre, "local_mean", hotspots=hotspots, tooltip=["value"], m=m, offline=offline,
                       **kwargs)

    def figure(self, hotspots=None, extent="auto", **kwargs):
        """A matplotlib figure: local performance, base/relative SSI and hot spots over a basemap.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from .maps import audit_figure

        return audit_figure(self.per_centre, "local_mean", hotspots=hotspots, extent=extent, **kwargs)

    def to_gpkg(self, path, hotspots=None, overwrite: bool = False):
        """Write per-centre (and hot-spot) layers to a GeoPackage that QGIS opens styled.

        Returns
        -------
        pathlib.Path
        """
        from .maps import to_gpkg

        return to_gpkg(path, self.per_centre, hotspots, value="local_mean", overwrite=overwrite)

    def summary(self) -> dict:
        """Dataset-level numbers as a dict (what a comparison table row needs).

        Returns
        -------
        dict
            ``base``, ``relative``, ``n_samples``, ``n_centres``, ``mean_value``...

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"lon": [0.0, 0.1], "lat": [0.0, 0.1], "hit@1": [1, 0]})
        >>> audit(df, progress=False).summary()["n_centres"]
        2
        """
        return dict(
            base=self.base, relative=self.relative, n_samples=self.n_samples,
            n_centres=self.n_centres, n_skipped=self.n_skipped,
            mean_value=float(self._frame["_value"].mean()),
        )

    def __repr__(self) -> str:
        drops = []
        if self.n_dropped_coords:
            drops.append(f"{self.n_dropped_coords} without coordinates")
        if self.n_dropped_nan:
            drops.append(f"{self.n_dropped_nan} without {self.value}")
        dropped = f" ({', '.join(drops)} dropped)" if drops else ""
        skipped = f", {self.n_skipped} undefined" if self.n_skipped else ""
        return (
            f"GeoBiasAudit(preset={self.preset!r}, value={self.value!r}, "
            f"radius_km={self.radius_km:g}, k={self.k})\n"
            f"  samples: {self.n_samples}{dropped}; centres: {self.n_centres}{skipped}\n"
            f"  base (unmarked SSI):   {self.base:.4f}\n"
            f"  relative (marked SSI): {self.relative:.4f}\n"
            f"  aggregation: {self.aggregation}; probability: {self.probability}; "
            f"max_neighbors: {self.max_neighbors}\n"
            f"  ties: {self.ties}; tie-sensitive centres: {self.n_tie_sensitive} of {self.n_centres}"
        )


def audit(data, value: str = "hit@1", radius_km: float = 100.0, k: int = 4,
          preset: str | None = "geobs", **kwargs: Any) -> GeoBiasAudit:
    """Audit one model's per-sample results for geographic bias.

    A thin wrapper around :class:`GeoBiasAudit`; see there for all parameters.

    Parameters
    ----------
    data : geopandas.GeoDataFrame, pandas.DataFrame, str or os.PathLike
        Per-sample results (points, lon/lat columns, or a TorchSpatial CSV).
    value : str, default "hit@1"
        Performance column.
    radius_km : float, default 100
        Neighbourhood radius in km.
    k : int, default 4
        Nearest neighbours of the weights.
    preset : {"geobs", "torchspatial2024"}, default "geobs"
        Published variant to reproduce; any ingredient can be overridden.
    **kwargs
        Further keyword arguments of :class:`GeoBiasAudit`.

    Returns
    -------
    GeoBiasAudit
        Scores as attributes (``base``, ``relative``, ``per_centre``, ...).

    Examples
    --------
    >>> import pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"lon": rng.uniform(-1, 1, 80), "lat": rng.uniform(-1, 1, 80),
    ...                    "hit@1": rng.integers(0, 2, 80)})
    >>> res = audit(df, value="hit@1", radius_km=100, k=4, preset="geobs", progress=False)
    >>> len(res.per_centre)
    80
    """
    return GeoBiasAudit(data, value=value, radius_km=radius_km, k=k, preset=preset, **kwargs)
