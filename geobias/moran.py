"""Moran's I numerator over presence ∪ ring points, vectorised over centres (reference tie order).

For a centre ``c`` with presence points ``P`` (its neighbourhood) and background ring points
``B`` (:mod:`geobias.background`), the reference builds a directed kNN graph over ``U = P ∪ B``
and takes the unscaled Moran's I numerator of the values on ``U`` (spec §4-5).

The fast path never builds the graph over ``U``. Background points all carry the value 0, so
``I`` only needs

* the kNN list of every presence point (presence-presence distances plus the ``k + 1`` nearest
  ring points, found in a cached KD-tree of the ring pattern after rotating the centre to the
  pole), and
* which presence points enter the kNN lists of ring points (only ring points within the
  pattern's kNN *reach* of a presence point can be affected).

Everything is vectorised over all centres that share a neighbourhood size (and therefore a ring
pattern). This module breaks ties by position in ``U`` and flags the points where the tie order
matters (:class:`~geobias.tie_replay.Contested`) for :mod:`geobias.tie_replay`; the default
``ties="split"`` weights are in :mod:`geobias.split_ties`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .background import RingPattern
from .sphere import chord_to_angle, haversine, latlon_to_xyz, rotation_to_centre, to_polar_frame
from .tie_replay import Contested

__all__ = ["PresenceBatch", "moran_numerators", "signature", "ball_candidates", "TIE_ABS"]

#: Absolute gap (radians or chord) under which two distances count as tied;
#: far above the 1e-16 noise between our geometry and the reference's.
TIE_ABS = 1e-13


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
            # more than k + 1 exact duplicates: whether the point is among its own k + 1
            # nearest (out-degree k or k + 1) is the tree's choice even when values agree
            big = np.where(at0 & straddles, -np.inf, big)
        flag = straddles & (big != small)
    return sel, flag


def ball_candidates(pattern: RingPattern, pts: np.ndarray,
                    bound: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All (point, ring point, chord) pairs within ``bound`` (default: the pattern's reach)."""
    m = pattern.size
    if not np.isfinite(pattern.reach):
        d, i = pattern.tree.query(pts, k=m)
        d, i = np.asarray(d).reshape(len(pts), m), np.asarray(i).reshape(len(pts), m)
    else:
        bound = pattern.reach * (1 + 1e-9) + 1e-300 if bound is None else bound
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
    sig_p = signature(x)  # (C, n)
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
    flat, b, d = ball_candidates(pattern, pxyz)
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
        mixed |= z_b > k  # the same out-degree choice for a ring point under > k duplicates
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



def signature(x: np.ndarray) -> np.ndarray:
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
