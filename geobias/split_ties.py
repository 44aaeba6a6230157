"""Moran's I numerator with ``ties="split"`` weights, vectorised over centres (the default).

The same decomposition as :mod:`geobias.moran` (presence rows, then the ring rows that
presence points enter), with the weights of :func:`geobias.ties.split_weights`: the points tied
with a row's k-th neighbour share the remaining weight. The result is a function of the
distances alone, so it does not change with the input order, the CPU or a jitter far below
the tie tolerance; where no row cuts through a tie it equals the reference exactly.

Each row whose cut goes through a tie between different values (or through more than ``k``
exact duplicates, where the reference's out-degree quirk applies) marks its centre as
*tie-sensitive*: only there can ``ties="split"`` and ``ties="reference"`` differ.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from .background import RingPattern
from .moran import PresenceBatch, ball_candidates, signature
from .sphere import angle_to_chord, chord_to_angle, latlon_to_xyz, rotation_to_centre, to_polar_frame
from geocommon.knn_ties import tie_tolerance

__all__ = ["split_moran_numerators"]

def _band_mixed(band: np.ndarray, sig: np.ndarray, ring_in_band: np.ndarray) -> np.ndarray:
    """Whether a row's tie band holds points of different values: presence points whose value
    signatures differ, or presence and (value 0) ring points together."""
    lo = np.where(band, sig, np.inf).min(-1)
    hi = np.where(band, sig, -np.inf).max(-1)
    has_p = np.isfinite(lo)
    return has_p & ((lo != hi) | ring_in_band)


def _presence_rows(x, xbar, pxyz, pattern, k, sig_p):
    """Per centre, the sum over presence rows of ``z_p * sum_j w_pj z_j``, and tie flags.

    Each row needs only its neighbours up to the tie band of its k-th distance: the nearest
    ring points (the pattern's KD-tree) and the nearest presence points of the same centre (one
    KD-tree over the batch, centres kept apart by a fourth coordinate). Rows whose band reaches
    past what was queried are queried again, wider: only duplicate-heavy rows ever are.
    """
    V, C, n = x.shape
    M = pattern.size
    N = C * n
    owner = np.repeat(np.arange(C), n)
    pts = pxyz.reshape(N, 3)
    # chords within a centre are <= 2, so a gap of 4 between centres keeps them apart
    lifted = np.column_stack([pts, 4.0 * owner])
    tree = cKDTree(lifted)
    xf = x.reshape(V, N)
    sig = sig_p.reshape(N)
    contrib = np.zeros((V, C))
    flag = np.zeros(C, dtype=bool)
    rows = np.arange(N)
    q = k + 3
    while rows.size:
        qp, qr = min(q + 1, n), min(q, M)
        dp, ip = tree.query(lifted[rows], k=qp, distance_upper_bound=2.5)
        dp, ip = np.asarray(dp).reshape(rows.size, qp), np.asarray(ip).reshape(rows.size, qp)
        full_p = np.isfinite(dp[:, -1])
        dp = np.where(ip == rows[:, None], np.inf, chord_to_angle(dp))  # the row's own point
        ip = np.where(np.isfinite(dp), ip, 0)
        if qr:
            dr, _ = pattern.tree.query(pts[rows], k=qr)
            dr = chord_to_angle(np.asarray(dr).reshape(rows.size, qr))
        else:
            dr = np.empty((rows.size, 0))
        dk = np.partition(np.concatenate([dp, dr], axis=1), k - 1, axis=1)[:, k - 1]
        tol = tie_tolerance(dk)
        lo, hi = dk - tol, dk + tol
        last_p = np.where(np.isfinite(dp), dp, -np.inf).max(axis=1)
        more = (qp < n) & full_p & (last_p <= hi)
        if qr:
            more |= (qr < M) & (dr[:, -1] <= hi)
        done = ~more
        r, lo, hi, dp, ip, dr = rows[done], lo[done], hi[done], dp[done], ip[done], dr[done]
        c = owner[r]
        closer = dp < lo[:, None]
        band = ~closer & (dp <= hi[:, None])
        ring_closer = (dr < lo[:, None]).sum(axis=1)
        ring_band = (dr <= hi[:, None]).sum(axis=1) - ring_closer
        n_s = closer.sum(axis=1) + ring_closer
        n_t = band.sum(axis=1) + ring_band
        w = closer + band * ((k - n_s) / n_t)[:, None]
        for v in range(V):
            sx = (w * xf[v, ip]).sum(axis=1)
            contrib[v] += np.bincount(c, weights=(xf[v, r] - xbar[v, c]) * (sx - xbar[v, c] * k), minlength=C)
        cut = n_s + n_t > k
        mixed = _band_mixed(band, sig[ip], ring_band > 0)
        flag[c[cut & ((lo <= 0) | mixed)]] = True
        rows, q = rows[more], 4 * q
    return contrib, flag


def _ring_rows(x, xbar, pxyz, pattern, k, sig_p):
    """Per centre, ``sum_b sum_p w_bp x_p`` over ring rows ``b`` and presence points ``p``."""
    V, C, n = x.shape
    edge = np.zeros((V, C))
    flag = np.zeros(C, dtype=bool)
    if pattern.size == 0:
        return edge, flag
    # a presence point farther than a ring point's k-th ring neighbour (plus the tie band)
    # cannot enter its list; with fewer than k + 1 ring points every pair is a candidate
    reach = chord_to_angle(pattern.reach)
    bound = float(angle_to_chord(reach + tie_tolerance(reach))) if np.isfinite(reach) else None
    flat, b, d = ball_candidates(pattern, pxyz.reshape(C * n, 3), bound)
    if flat.size == 0:
        return edge, flag
    d = chord_to_angle(d)
    order = np.lexsort((d, b, flat // n))
    flat, b, d = flat[order], b[order], d[order]
    c, p = np.divmod(flat, n)
    new = np.ones(c.size, dtype=bool)
    new[1:] = (c[1:] != c[:-1]) | (b[1:] != b[:-1])
    gid = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    within = np.arange(c.size) - starts[gid]
    G = starts.size
    # the k-th of the union of two sorted lists, ring neighbours R and presence candidates P:
    # min over t of max(R_t, P_(k-t)), with the first k presence distances of each group
    ring = pattern.wide_angle[b[starts]]
    first = within < k
    pres = np.full((G, k + 1), np.inf)
    pres[gid[first], within[first] + 1] = d[first]
    pres[:, 0] = -np.inf
    ring0 = np.concatenate([np.full((G, 1), -np.inf), ring[:, :k]], axis=1)
    dk = np.maximum(ring0[:, :, None], pres[:, None, :])
    t = np.arange(k + 1)
    dk = dk[:, t, k - t].min(axis=1)
    tol = tie_tolerance(dk)
    lo, hi = dk - tol, dk + tol
    ring_closer = ring < lo[:, None]
    ring_band = ~ring_closer & (ring <= hi[:, None])
    closer = d < lo[gid]
    band = ~closer & (d <= hi[gid])
    n_s = ring_closer.sum(1) + np.add.reduceat(closer, starts)
    n_t = ring_band.sum(1) + np.add.reduceat(band, starts)
    w = closer + band * ((k - n_s) / n_t)[gid]
    for v in range(V):
        edge[v] = np.bincount(c, weights=w * x[v, c, p], minlength=C)
    # mixed values in the band: presence signatures differ, or presence and ring points meet
    sig = sig_p[c, p]
    s_lo = np.minimum.reduceat(np.where(band, sig, np.inf), starts)
    s_hi = np.maximum.reduceat(np.where(band, sig, -np.inf), starts)
    mixed = np.isfinite(s_lo) & ((s_lo != s_hi) | ring_band.any(1))
    g_flag = (n_s + n_t > k) & ((lo <= 0) | mixed)
    flag[c[starts[g_flag]]] = True
    return edge, flag


def split_moran_numerators(batch: PresenceBatch, pattern: RingPattern, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Unscaled Moran's I numerators over presence ∪ ring points, ties split.

    Parameters
    ----------
    batch : PresenceBatch
        ``C`` centres with ``n`` presence points each (any order).
    pattern : RingPattern
        Their common ring pattern.
    k : int
        Number of nearest neighbours.

    Returns
    -------
    I : numpy.ndarray
        ``(V, C)``: ``sum_ij w_ij (x_i - xbar)(x_j - xbar)`` with the split weights.
    tie_sensitive : numpy.ndarray
        ``(C,)`` whether some row of the centre's graph cuts through a tie between different
        values (or through more than ``k`` exact duplicates): only there can the reference's
        tie order give another value.

    Examples
    --------
    >>> from geobias.background import ring_pattern
    >>> b = PresenceBatch(lat=np.zeros((1, 7)), lon=np.zeros((1, 7)),
    ...                   values=np.array([[[1.0] * 7, [1.0, 0, 1, 0, 1, 0, 1]]]).reshape(2, 1, 7),
    ...                   centre_lat=np.zeros(1), centre_lon=np.zeros(1))
    >>> I, sensitive = split_moran_numerators(b, ring_pattern(0.01, 110000.0, 4), 4)
    >>> I.shape, sensitive.tolist()  # seven identical points with mixed values
    ((2, 1), [True])
    """
    lat, lon, x = batch.lat, batch.lon, np.asarray(batch.values, dtype=float)
    V, C, n = x.shape
    xbar = x.sum(axis=2) / (n + pattern.size)
    pxyz = to_polar_frame(latlon_to_xyz(lat, lon), rotation_to_centre(batch.centre_lat, batch.centre_lon))
    sig_p = signature(x)
    contrib, flag_p = _presence_rows(x, xbar, pxyz, pattern, k, sig_p)
    edge, flag_b = _ring_rows(x, xbar, pxyz, pattern, k, sig_p)
    I = contrib - xbar * (edge - xbar * k * pattern.size)
    return I, flag_p | flag_b
