"""Spatial self-information (SSI): the base and relative Geo-Bias Scores.

For a centre ``c`` with presence points ``P`` (its neighbourhood) and
background ring points ``B`` (:mod:`geobias.background`), the reference builds
a directed kNN graph over ``U = P ∪ B``, computes the unscaled Moran's I
numerator of the values on ``U``, compares it with a normal null whose moments
depend only on the value classes, and reports ``-ln(p + 1e-256)`` (spec §4-5).

The fast path never builds the graph over ``U``. Background points all carry
the value 0, so ``I`` only needs

* the kNN list of every presence point (presence-presence distances plus
  the ``k + 1`` nearest ring points, found in a cached KD-tree of the ring
  pattern after rotating the centre to the pole), and
* which presence points enter the kNN lists of ring points (only ring points
  within the pattern's kNN *reach* of a presence point can be affected).

Everything is vectorised over all centres that share a neighbourhood size
(and therefore a ring pattern). Ties are resolved exactly as in the oracle of
the test-suite: by distance, then by position in ``U`` (presence first, in
neighbourhood order, then the rings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.special import ndtr

from .background import RingPattern
from .sphere import chord_to_angle, haversine, latlon_to_xyz, rotation_to_centre, to_polar_frame

__all__ = [
    "SSI_EPS",
    "null_moments",
    "probability",
    "surprisal",
    "moran_numerators",
    "PresenceBatch",
]

#: Added to the probability before the log, so the largest SSI is 589.46.
SSI_EPS = 1e-256

#: Absolute gap (radians or chord) under which two distances count as tied;
#: far above the 1e-16 noise between our geometry and the reference's.
TIE_ABS = 1e-13

Probability = Literal["two_sided", "density"]


# --------------------------------------------------------------------------
# null model
# --------------------------------------------------------------------------


def null_moments(classes: np.ndarray, counts: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the unscaled Moran's I numerator under the null.

    The moments depend only on the value classes ``c_p`` and their counts
    ``n_p`` (spec §5). The background class ``b`` is the most frequent one
    (the first, in ascending class order, among equally frequent ones).

    Parameters
    ----------
    classes : numpy.ndarray
        ``(C, L)`` class values of ``C`` neighbourhoods, ascending within a
        row among the entries with a positive count.
    counts : numpy.ndarray
        ``(C, L)`` class counts; ``0`` marks padding.
    k : int
        Number of nearest neighbours of the weights.

    Returns
    -------
    mu : numpy.ndarray
        ``(C,)`` null means.
    var : numpy.ndarray
        ``(C,)`` null variances (may be slightly negative for exotic class
        counts with a fixed density; callers clamp at 0).

    Examples
    --------
    >>> mu, var = null_moments(np.array([[0.0, 1.0]]), np.array([[50, 10]]), 4)
    >>> round(float(mu[0]), 6), round(float(var[0]), 6)
    (-1.277778, 6.933333)
    """
    cs = np.asarray(classes, dtype=float)
    ns = np.asarray(counts, dtype=float)
    real = ns > 0
    N = ns.sum(axis=1, keepdims=True)
    xmean = (cs * ns).sum(axis=1, keepdims=True) / N
    a = cs - xmean
    b = np.argmax(ns, axis=1)
    rows = np.arange(cs.shape[0])
    a_b = a[rows, b][:, None]
    c_b = cs[rows, b][:, None]

    # diagonal (p == q) terms
    mu = np.where(real, a * a * ((ns - 1) * k * ns / N - 1), 0.0).sum(axis=1)
    not_b = real.copy()
    not_b[rows, b] = False
    diag_var = (cs - c_b) ** 4 * (2 * (ns - 1) * k * ns / N * (1 - k * (2 * ns - 1) / (3 * N)))
    var = np.where(not_b, diag_var, 0.0).sum(axis=1)

    # off-diagonal (p != q) terms, in row blocks so memory stays C * block * L
    L = cs.shape[1]
    block = max(1, int(4_000_000 // max(1, cs.shape[0] * L)))
    Nf = N[:, :, None]
    for start in range(0, L, block):
        sl = slice(start, min(L, start + block))
        ap, aq = a[:, sl, None], a[:, None, :]
        np_, nq = ns[:, sl, None], ns[:, None, :]
        mx = np.maximum(np_, nq)
        e = np.minimum(np_, nq) * k * mx / Nf
        off = real[:, sl, None] & real[:, None, :]
        off &= np.arange(start, sl.stop)[None, :, None] != np.arange(L)[None, None, :]
        mu = mu + np.where(off, ap * aq * e, 0.0).sum(axis=(1, 2))
        offv = off & not_b[:, sl, None] & not_b[:, None, :]
        coef = (ap * aq - 2 * ap * a_b[:, :, None] + a_b[:, :, None] ** 2) ** 2
        var = var + np.where(offv, coef * e * (1 - k * mx / Nf), 0.0).sum(axis=(1, 2))
    return mu, var


def probability(
    I: np.ndarray,
    mu: np.ndarray,
    var: np.ndarray,
    kind: Probability = "two_sided",
    std_offset: float = 1.0,
) -> np.ndarray:
    """Probability of the observed Moran numerator under the normal null.

    Parameters
    ----------
    I : numpy.ndarray
        Observed unscaled Moran's I numerators.
    mu, var : numpy.ndarray
        Null moments from :func:`null_moments`; negative variances are
        clamped at 0.
    kind : {"two_sided", "density"}, default "two_sided"
        ``"two_sided"``: ``2 * Phi((min(I, 2mu - I) - mu) / sigma')`` (PyGBS);
        ``"density"``: the normal density at ``I`` (TorchSpatial 2024).
    std_offset : float, default 1.0
        Added to ``sigma`` (PyGBS adds 1; the 2024 scripts add nothing).

    Returns
    -------
    numpy.ndarray
        Probabilities; ``nan`` where the density is undefined (``sigma' = 0``).

    Examples
    --------
    >>> float(probability(np.array([0.0]), np.array([0.0]), np.array([1.0]))[0])
    1.0
    """
    sd = np.sqrt(np.maximum(np.asarray(var, dtype=float), 0.0)) + std_offset
    I = np.asarray(I, dtype=float)
    mu = np.asarray(mu, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "two_sided":
            low = np.minimum(I, 2 * mu - I)
            z = (low - mu) / sd
            # sd == 0 and I == mu: the observation *is* the null mean
            z = np.where((sd == 0) & (low == mu), 0.0, z)
            return 2 * ndtr(z)
        if kind == "density":
            z = (I - mu) / sd
            p = np.exp(-0.5 * z * z) / (np.sqrt(2 * np.pi) * sd)
            return np.where(sd > 0, p, np.nan)
    raise ValueError(f"unknown probability kind {kind!r}")


def surprisal(p: np.ndarray) -> np.ndarray:
    """Self-information ``-ln(p + 1e-256)``.

    Parameters
    ----------
    p : numpy.ndarray
        Probabilities (or densities).

    Returns
    -------
    numpy.ndarray
        Surprisal in nats; at most ``589.46``.

    Examples
    --------
    >>> round(float(surprisal(np.array([0.0]))[0]), 2)
    589.46
    """
    return -np.log(np.asarray(p, dtype=float) + SSI_EPS)


# --------------------------------------------------------------------------
# Moran numerator, vectorised over centres sharing one ring pattern
# --------------------------------------------------------------------------


@dataclass
class PresenceBatch:
    """Presence points of ``C`` centres that all have ``n`` presence points.

    Attributes
    ----------
    lat, lon : numpy.ndarray
        ``(C, n)`` coordinates in radians, in neighbourhood order (by distance
        from the centre, ties by sample position).
    values : numpy.ndarray
        ``(V, C, n)`` value vectors (e.g. base = ones, relative = marks).
    centre_lat, centre_lon : numpy.ndarray
        ``(C,)`` centre coordinates in radians.
    """

    lat: np.ndarray
    lon: np.ndarray
    values: np.ndarray
    centre_lat: np.ndarray
    centre_lon: np.ndarray


def _first_k_mask(d: np.ndarray, K: np.ndarray, kmax: int, sig: np.ndarray | None = None,
                  tol: float = 0.0, self_sig: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Mask of the first ``K`` entries of each row ordered by (value, column).

    ``d`` has shape ``(..., L)`` and ``K`` shape ``(...)`` with ``K <= kmax``.
    Uses a partial partition (linear time) instead of a full sort; ties at the
    cut are taken in column order, which makes the selection stable.

    Also returns, per row, whether the cut falls inside a *near tie*
    (relative gap ``<= tol``) between entries whose signatures ``sig`` differ
    (same shape as ``d``): only there can the tie order change the statistic.
    When the cut is at distance 0 the row's own point (signature
    ``self_sig``, not a column of ``d``) is part of the tie as well: whether
    it is among its own ``k + 1`` nearest decides its out-degree.
    """
    L = d.shape[-1]
    if L <= kmax:
        return np.ones(d.shape, dtype=bool), np.zeros(d.shape[:-1], dtype=bool)
    kth = [kk for kk in (kmax - 2, kmax - 1) if kk >= 0]
    part = np.partition(d, kth, axis=-1)
    thr = np.take_along_axis(part, (K - 1)[..., None], axis=-1)
    lt = d < thr
    eq = d == thr
    need = K[..., None] - lt.sum(axis=-1, keepdims=True)
    sel = lt | (eq & (np.cumsum(eq, axis=-1) <= need))
    flag = np.zeros(d.shape[:-1], dtype=bool)
    if sig is not None:
        band = np.abs(d - thr) <= tol * np.abs(thr) + TIE_ABS
        straddles = (band & sel).any(-1) & (band & ~sel).any(-1)
        big = np.where(band, sig, np.inf).min(-1)
        small = np.where(band, sig, -np.inf).max(-1)
        if self_sig is not None:
            # a tie at distance 0 includes the point itself: the reference's
            # k + 1 cut falls inside it when the zero group outgrows k + 1,
            # and the point's own value is part of the tie
            at0 = thr[..., 0] == 0
            straddles = np.where(at0, band.sum(-1) + 1 > kmax, straddles)
            big = np.where(at0, np.minimum(big, self_sig), big)
            small = np.where(at0, np.maximum(small, self_sig), small)
        flag = straddles & (big != small)
    return sel, flag


def _ball_candidates(pattern: RingPattern, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All (point, ring point, chord) pairs within the pattern's reach."""
    m = pattern.size
    if not np.isfinite(pattern.reach):
        d, i = pattern.tree.query(pts, k=m)
        d, i = np.asarray(d).reshape(len(pts), m), np.asarray(i).reshape(len(pts), m)
    else:
        bound = pattern.reach * (1 + 1e-9) + 1e-300
        q = min(m, 16)
        while True:
            d, i = pattern.tree.query(pts, k=q, distance_upper_bound=bound)
            d, i = np.asarray(d).reshape(len(pts), q), np.asarray(i).reshape(len(pts), q)
            if q >= m or not np.isfinite(d[:, -1]).any():
                break
            q = min(m, 2 * q)
    rows, cols = np.nonzero(np.isfinite(d))
    return rows, i[rows, cols], d[rows, cols]


def moran_numerators(batch: PresenceBatch, pattern: RingPattern, k: int,
                     tie_tol: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    """Unscaled Moran's I numerators over presence ∪ ring points.

    Parameters
    ----------
    batch : PresenceBatch
        ``C`` centres with ``n`` presence points each.
    pattern : RingPattern
        Their common ring pattern (same radius and density).
    k : int
        Number of nearest neighbours of the directed kNN weights.

    tie_tol : float, default 1e-9
        Relative gap under which two distances count as a tie.

    Returns
    -------
    I : numpy.ndarray
        ``(V, C)``: ``sum_ij w_ij (x_i - xbar)(x_j - xbar)`` per value vector.
    contested : Contested
        Points whose kNN cut falls inside a distance tie between points with
        different values: there the statistic depends on the reference ball
        tree's tie order, so :func:`resolve_contested` recomputes their terms
        with that very tree.

    Notes
    -----
    Equal to building the spec's kNN graph over ``U`` (ties by position,
    ``k + 1`` neighbours kept for points with more than ``k`` exact
    duplicates before them) and evaluating ``z^T W z``; combined with
    :func:`resolve_contested` it equals the reference's ball-tree graph.

    Examples
    --------
    >>> from geobias.background import ring_pattern
    >>> b = PresenceBatch(lat=np.array([[0.0, 0.001]]), lon=np.zeros((1, 2)),
    ...                   values=np.ones((1, 1, 2)), centre_lat=np.zeros(1), centre_lon=np.zeros(1))
    >>> I, contested = moran_numerators(b, ring_pattern(0.01, 30000.0, 4), 4)
    >>> I.shape
    (1, 1)
    """
    lat, lon, x = batch.lat, batch.lon, np.asarray(batch.values, dtype=float)
    V, C, n = x.shape
    M = pattern.size
    N = n + M
    xbar = x.sum(axis=2) / N  # (V, C)
    pos = np.arange(n)

    # ---- kNN lists of presence points -----------------------------------
    dpp = haversine(lat[:, :, None], lon[:, :, None], lat[:, None, :], lon[:, None, :])
    zero = dpp == 0
    # exact duplicates placed before p in U (self excluded)
    z_p = (zero & (pos[None, None, :] < pos[None, :, None])).sum(axis=2)
    K_p = k + (z_p > k)
    dpp[:, pos, pos] = np.inf

    xyz = latlon_to_xyz(lat, lon)
    rot = rotation_to_centre(batch.centre_lat, batch.centre_lon)
    pxyz = to_polar_frame(xyz, rot).reshape(C * n, 3)
    qk = min(k + 1, M)
    if qk > 0:
        dbg, _ = pattern.tree.query(pxyz, k=qk)
        dbg = chord_to_angle(np.asarray(dbg).reshape(C, n, qk))
        cand = np.concatenate([dpp, dbg], axis=2)
    else:
        cand = dpp
    # value signature of each candidate: the presence value vector (hashed to
    # one number) or -1 for background; ties between equal signatures are moot
    sig_p = _signature(x)  # (C, n)
    sig = np.concatenate([np.broadcast_to(sig_p[:, None, :], (C, n, n)),
                          np.full((C, n, cand.shape[2] - n), -1.0)], axis=2)
    sel, tie_p = _first_k_mask(cand, K_p, k + 1, sig, tie_tol, self_sig=sig_p)
    sel = sel[:, :, :n]  # presence neighbours of p
    # S_p - (-xbar K_p) = sum of x over presence neighbours
    # explicit product-sum (pairwise summation per row) rather than einsum,
    # whose kernel may depend on the batch size: chunking must not change bits
    sx = (sel[None] * x[:, :, None, :]).sum(axis=3)
    S_p = sx - xbar[:, :, None] * K_p[None]
    contrib_p = (x - xbar[:, :, None]) * S_p
    I = contrib_p.sum(axis=2)
    tc, tp = np.nonzero(tie_p)
    cont_c, cont_u, cont_x = [tc], [tp], [contrib_p[:, tc, tp]]

    # ---- presence points entering ring points' kNN lists ----------------
    flat, b, d = _ball_candidates(pattern, pxyz)
    bg_deg = np.full(C, k * M, dtype=float)
    edge_x = np.zeros((V, C))
    if flat.size:
        # keep near-misses too: they matter for the tie check (their rank
        # is >= k, so they are never accepted as neighbours)
        thr = pattern.knn_chord[b, k - 1]
        keep = d <= thr * (1 + tie_tol) + TIE_ABS
        flat, b, d = flat[keep], b[keep], d[keep]
    if flat.size:
        c, p = np.divmod(flat, n)
        n_bg_closer = (pattern.knn_chord[b] < d[:, None]).sum(axis=1)
        order = np.lexsort((p, d, b, c))
        c, p, b, d, n_bg_closer = c[order], p[order], b[order], d[order], n_bg_closer[order]
        new = np.ones(c.size, dtype=bool)
        new[1:] = (c[1:] != c[:-1]) | (b[1:] != b[:-1])
        gid = np.cumsum(new) - 1
        starts = np.flatnonzero(new)
        rank = n_bg_closer + (np.arange(c.size) - starts[gid])
        # K_b: k + 1 only when more than k presence points sit exactly on b
        z_b = np.bincount(gid, weights=(d == 0).astype(float))
        K_b = k + (z_b > k)
        accept = rank < K_b[gid]
        np.add.at(bg_deg, c[starts], K_b - k)
        for v in range(V):
            edge_x[v] = np.bincount(c[accept], weights=x[v, c[accept], p[accept]], minlength=C)
        mixed = _bg_cut_ties(pattern.knn_chord, b, d, sig_p[c, p], gid, starts, rank, K_b, tie_tol)
        if mixed.any():
            g_m = np.flatnonzero(mixed)
            e_g = np.stack([np.bincount(gid[accept], weights=x[v, c[accept], p[accept]],
                                        minlength=starts.size) for v in range(V)])
            cg = c[starts[g_m]]
            xb = xbar[:, cg]
            cont_c.append(cg)
            cont_u.append(n + b[starts[g_m]])
            cont_x.append(-xb * (e_g[:, g_m] - xb * K_b[g_m]))
    sum_S_b = edge_x - xbar * bg_deg[None]
    contested = Contested(np.concatenate(cont_c), np.concatenate(cont_u),
                          np.concatenate(cont_x, axis=1))
    return I - xbar * sum_S_b, contested


@dataclass
class Contested:
    """Points of ``U`` whose kNN cut falls in a tie between different values.

    Attributes
    ----------
    centre : numpy.ndarray
        Batch position of the centre of each contested point.
    point : numpy.ndarray
        Its index in ``U`` (presence ``0..n-1``, then the ring points).
    contribution : numpy.ndarray
        ``(V, m)`` its term ``z_i * sum_j w_ij z_j`` as the fast path counted it.
    """

    centre: np.ndarray
    point: np.ndarray
    contribution: np.ndarray


def _signature(x: np.ndarray) -> np.ndarray:
    """One float per presence point that differs when its values differ."""
    # values are finite; a random projection separates distinct vectors
    w = np.array([1.0, 0.7853981633974483, 0.5772156649015329])[: x.shape[0]]
    return np.tensordot(w, x, axes=(0, 0))


def _bg_cut_ties(knn_chord, b, d, sig, gid, starts, rank, K_b, tol):
    """Flag ring points (groups) whose kNN cut falls in a mixed near tie."""
    G = starts.size
    k = knn_chord.shape[1]
    bb = b[starts]
    # distance at the cut of each ring point's list: merge its ring
    # neighbours with all its presence candidates
    width = int(np.bincount(gid).max())
    pres_d = np.full((G, width), np.inf)
    pres_s = np.full((G, width), np.nan)
    within = np.arange(rank.size) - starts[gid]
    ok = within < width
    pres_d[gid[ok], within[ok]] = d[ok]
    pres_s[gid[ok], within[ok]] = sig[ok]
    alld = np.concatenate([knn_chord[bb], pres_d], axis=1)
    alls = np.concatenate([np.full((G, k), -1.0), pres_s], axis=1)
    order = np.argsort(alld, axis=1, kind="stable")
    alld = np.take_along_axis(alld, order, axis=1)
    alls = np.take_along_axis(alls, order, axis=1)
    Kc = np.minimum(K_b.astype(np.int64), alld.shape[1] - 1)
    rows = np.arange(G)
    d_in, d_out = alld[rows, Kc - 1], alld[rows, Kc]
    near = np.isfinite(d_out) & (np.abs(d_out - d_in) <= tol * np.abs(d_out) + TIE_ABS)
    if not near.any():
        return near
    band = np.abs(alld - d_in[:, None]) <= tol * np.abs(d_in[:, None]) + TIE_ABS
    has_p = (band & ~np.isnan(alls) & (alls != -1.0)).any(1)
    big = np.where(band, alls, np.inf).min(1)
    small = np.where(band, alls, -np.inf).max(1)
    return near & has_p & (big != small)


def exact_moran_numerators(
    presence: np.ndarray,
    values: np.ndarray,
    centre: tuple[float, float],
    radius: float,
    density: float,
    k: int,
) -> np.ndarray:
    """Moran numerators of one centre through the reference's own pipeline.

    Background points rotated with scipy, a haversine ``BallTree`` on
    ``U`` queried for ``k + 1`` neighbours, self dropped: the exact
    computation the reference performs, used where distance ties make the
    result depend on the ball tree's tie order.

    Parameters
    ----------
    presence : numpy.ndarray
        ``(n, 2)`` presence ``(lat, lon)`` in radians, neighbourhood order.
    values : numpy.ndarray
        ``(V, n)`` value vectors.
    centre : tuple of float
        ``(lat, lon)`` in radians.
    radius : float
        Radius in radians.
    density : float
        Ring density.
    k : int
        Number of neighbours.

    Returns
    -------
    numpy.ndarray
        ``(V,)`` Moran numerators.

    Examples
    --------
    >>> P = np.array([[0.0, 0.0], [0.001, 0.0]])
    >>> exact_moran_numerators(P, np.array([[1.0, 1.0]]), (0.0, 0.0), 0.01, 30000, 4).round(4).tolist()
    [1.0]
    """
    tree, pts = reference_tree(np.asarray(presence, dtype=float).reshape(-1, 2), centre, radius, density, k)
    nbrs = tree.query(pts, k=k + 1, return_distance=False)
    n = len(pts) - len(presence)
    heads = np.repeat(np.arange(len(pts)), k + 1)
    tails = nbrs.ravel()
    keep = heads != tails
    heads, tails = heads[keep], tails[keep]
    V = values.shape[0]
    x = np.concatenate([values, np.zeros((V, n))], axis=1)
    z = x - x.mean(axis=1, keepdims=True)
    return (z[:, heads] * z[:, tails]).sum(axis=1)


def reference_tree(presence: np.ndarray, centre, radius: float, density: float, k: int = 4):
    """The reference's ball tree over ``U`` = presence ∪ rings of one centre.

    Parameters
    ----------
    presence : numpy.ndarray
        ``(n, 2)`` presence ``(lat, lon)`` radians, neighbourhood order.
    centre : tuple of float
        ``(lat, lon)`` radians.
    radius, density : float
        Ring parameters.
    k : int, default 4
        Only used to look up the cached ring pattern.

    Returns
    -------
    tree : sklearn.neighbors.BallTree
        Built exactly as the reference builds it (``leaf_size=30``).
    points : numpy.ndarray
        ``(n + M, 2)`` the points of ``U``.

    Examples
    --------
    >>> tree, pts = reference_tree(np.array([[0.0, 0.0]]), (0.0, 0.0), 0.01, 30000)
    >>> pts.shape
    (21, 2)
    """
    from scipy.spatial.transform import Rotation
    from sklearn.neighbors import BallTree

    from .background import ring_pattern

    xyz = ring_pattern(float(radius), density, int(k)).xyz
    if xyz.shape[0]:
        # the reference's rotation and back-conversion, bit for bit
        rot = Rotation.from_euler("yz", [0.5 * np.pi - centre[0], centre[1]], degrees=False)
        out = rot.apply(xyz)
        bg = np.array([np.arcsin(out[:, 2]), np.arctan2(out[:, 1], out[:, 0])]).T
    else:
        bg = np.empty((0, 2))
    pts = np.concatenate([presence, bg])
    return BallTree(pts, leaf_size=30, metric="haversine"), pts


def resolve_contested(I, contested, batch, radius, density, k) -> np.ndarray:
    """Replace the fast path's terms of contested points by the reference's.

    For every centre with contested points, the reference's ball tree over
    ``U`` is built and only the contested points are queried; their kNN lists
    are then exactly the reference's, tie order included.

    Parameters
    ----------
    I : numpy.ndarray
        ``(V, C)`` numerators from :func:`moran_numerators` (modified in place).
    contested : Contested
        As returned with ``I``.
    batch : PresenceBatch
        The batch ``I`` was computed for.
    radius, density : float
        Ring parameters.
    k : int
        Number of neighbours.

    Returns
    -------
    numpy.ndarray
        ``I`` corrected.

    Examples
    --------
    >>> from geobias.background import ring_pattern
    >>> b = PresenceBatch(lat=np.zeros((1, 7)), lon=np.zeros((1, 7)),
    ...                   values=np.array([[[1.0, 0, 1, 0, 1, 0, 1]]]),
    ...                   centre_lat=np.zeros(1), centre_lon=np.zeros(1))
    >>> I, contested = moran_numerators(b, ring_pattern(0.01, 110000.0, 4), 4)
    >>> contested.point.size > 0  # seven identical points with mixed values
    True
    >>> resolve_contested(I, contested, b, 0.01, 110000.0, 4).shape
    (1, 1)
    """
    if contested.centre.size == 0:
        return I
    V, C, n = batch.values.shape
    order = np.argsort(contested.centre, kind="stable")
    cc = contested.centre[order]
    uu = contested.point[order]
    xx = contested.contribution[:, order]
    bounds = np.flatnonzero(np.diff(cc)) + 1
    for sl in np.split(np.arange(cc.size), bounds):
        j = cc[sl[0]]
        P = np.column_stack([batch.lat[j], batch.lon[j]])
        tree, pts = reference_tree(P, (batch.centre_lat[j], batch.centre_lon[j]), radius, density, k)
        pts_u = uu[sl]
        nbrs = tree.query(pts[pts_u], k=k + 1, return_distance=False)
        xv = np.concatenate([batch.values[:, j], np.zeros((V, len(pts) - n))], axis=1)
        z = xv - xv.sum(axis=1, keepdims=True) / len(pts)
        not_self = nbrs != pts_u[:, None]  # the reference drops only the point itself
        zsum = (z[:, nbrs] * not_self[None]).sum(axis=2)
        I[:, j] += (z[:, pts_u] * zsum).sum(axis=1) - xx[:, sl].sum(axis=1)
    return I


# --------------------------------------------------------------------------
# driver: per-centre scores for a set of centres
# --------------------------------------------------------------------------


def _value_classes(marks: np.ndarray, n_background: int) -> tuple[np.ndarray, np.ndarray]:
    """Classes and counts of ``marks`` (``(C, n)``) plus ``n_background`` zeros.

    Returns ``(C, n + 1)`` arrays; a class appears once (ascending) with its
    count, the other slots have count 0 (padding).
    """
    C, n = marks.shape
    vals = np.concatenate([marks, np.zeros((C, 1))], axis=1)
    w = np.concatenate([np.ones((C, n)), np.full((C, 1), float(n_background))], axis=1)
    order = np.argsort(vals, axis=1, kind="stable")
    vals = np.take_along_axis(vals, order, axis=1)
    w = np.take_along_axis(w, order, axis=1)
    start = np.ones(vals.shape, dtype=bool)
    start[:, 1:] = vals[:, 1:] != vals[:, :-1]
    run = np.cumsum(start, axis=1) - 1  # run id within the row
    counts = np.zeros(vals.shape)
    rows = np.repeat(np.arange(C), n + 1)
    np.add.at(counts, (rows, run.ravel()), w.ravel())
    # move run sums to the run's first slot, keep class values there
    cls = np.zeros(vals.shape)
    rr, cc = np.nonzero(start)
    cls[rr, run[rr, cc]] = vals[rr, cc]
    return cls, counts


def ssi_per_centre(
    lat: np.ndarray,
    lon: np.ndarray,
    marks: np.ndarray,
    centres: np.ndarray,
    indptr: np.ndarray,
    indices: np.ndarray,
    radius: float,
    k: int = 4,
    density: float | str = "auto",
    density_factor: float = 5.0,
    probability_kind: Probability = "two_sided",
    std_offset: float = 1.0,
    max_batch: int = 2_000_000,
) -> dict[str, np.ndarray]:
    """Base and relative SSI of each centre (vectorised fast path).

    Parameters
    ----------
    lat, lon : numpy.ndarray
        ``(N,)`` sample coordinates in radians.
    marks : numpy.ndarray
        ``(N,)`` marks used as presence values of the relative score.
    centres : numpy.ndarray
        ``(C,)`` sample positions of the centres.
    indptr, indices : numpy.ndarray
        CSR lists of each centre's presence points (sample positions),
        ordered by (distance, position); see
        :func:`geobias.neighbourhoods.neighbourhood_lists`.
    radius : float
        Neighbourhood radius in radians.
    k : int, default 4
        Nearest neighbours of the weights.
    density : float or "auto", default "auto"
        Ring density (points per square radian).
    density_factor : float, default 5.0
        Background-to-presence ratio of ``density="auto"``.
    probability_kind : {"two_sided", "density"}, default "two_sided"
        See :func:`probability`.
    std_offset : float, default 1.0
        See :func:`probability`.
    max_batch : int, default 2_000_000
        Bound on ``centres * n * (n + k)`` per vectorised batch (memory).

    Returns
    -------
    dict of numpy.ndarray
        ``base``, ``relative`` (SSI; ``nan`` where the density is undefined),
        ``n_neighbours``, ``n_background``, ``n_contested`` (points whose
        neighbours were taken from the reference's ball tree because of ties), ``I_base``, ``I_relative``,
        ``mu_base``, ``mu_relative``, ``var_base``, ``var_relative``.

    Examples
    --------
    >>> lat = np.radians([0.0, 0.1, 0.2]); lon = np.radians([0.0, 0.1, 0.0])
    >>> out = ssi_per_centre(lat, lon, np.array([1.0, 0.0, 1.0]), np.array([0]),
    ...                      np.array([0, 3]), np.array([0, 1, 2]), 0.01)
    >>> out["n_neighbours"].tolist()
    [3]
    """
    from .background import auto_density, ring_pattern

    centres = np.asarray(centres, dtype=np.int64)
    indptr = np.asarray(indptr, dtype=np.int64)
    indices = np.asarray(indices, dtype=np.int64)
    C = centres.size
    n_all = np.diff(indptr)
    out = {key: np.full(C, np.nan) for key in (
        "base", "relative", "I_base", "I_relative", "mu_base", "mu_relative",
        "var_base", "var_relative")}
    out["n_neighbours"] = n_all.copy()
    out["n_background"] = np.zeros(C, dtype=np.int64)
    out["n_contested"] = np.zeros(C, dtype=np.int64)
    for n in np.unique(n_all):
        n = int(n)
        group = np.flatnonzero(n_all == n)
        dens = auto_density(radius, n, density_factor) if density == "auto" else float(density)
        pattern = ring_pattern(float(radius), dens, int(k))
        M = pattern.size
        step = max(1, max_batch // max(1, n * (n + k + 1)))
        for s0 in range(0, group.size, step):
            g = group[s0 : s0 + step]
            pres = indices[indptr[g][:, None] + np.arange(n)[None, :]]
            mk = marks[pres]
            batch = PresenceBatch(
                lat=lat[pres], lon=lon[pres],
                values=np.stack([np.ones_like(mk), mk]),
                centre_lat=lat[centres[g]], centre_lon=lon[centres[g]],
            )
            I, contested = moran_numerators(batch, pattern, k)
            I = resolve_contested(I, contested, batch, radius, dens, k)
            out["n_contested"][g] = np.bincount(contested.centre, minlength=g.size)
            cls_b = np.tile([[0.0, 1.0]], (g.size, 1))
            cnt_b = np.tile([[float(M), float(n)]], (g.size, 1))
            cls_r, cnt_r = _value_classes(mk, M)
            for name, Ii, cls, cnt in (("base", I[0], cls_b, cnt_b), ("relative", I[1], cls_r, cnt_r)):
                mu, var = null_moments(cls, cnt, k)
                p = probability(Ii, mu, var, probability_kind, std_offset)
                out[name][g] = surprisal(p)
                out["I_" + name][g] = Ii
                out["mu_" + name][g] = mu
                out["var_" + name][g] = var
            out["n_background"][g] = M
    return out
