"""Compiled ``ties="split"`` kernel (numba), one centre at a time, no KD-trees.

The same numbers as :mod:`geobias.split_ties` (tested against it to 1e-12), computed per centre
in compiled loops instead of batched numpy calls: presence-presence distances by brute force
(``n`` is at most a few thousand), and ring points found from the ring grid's own structure —
ring ``i`` lies at colatitude ``i * s`` and holds ``m_i`` points at equal longitude steps, so
the ring points within a distance of any point are a window of rings and, on each ring, a
window of longitudes (the spherical law of cosines bounds it). Used when numba is installed
(as PySAL does); the numpy path stays the fallback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .background import ring_grid
from .sphere import latlon_to_xyz
from geocommon.knn_ties import TIE_ATOL, TIE_RTOL

try:  # optional: the numpy path in geobias.split_ties is the fallback
    import numba
except ImportError:  # pragma: no cover - exercised where numba is absent
    numba = None

__all__ = ["AVAILABLE", "RingStructure", "ring_structure", "split_numerators"]

#: Whether the compiled kernel can be used here.
AVAILABLE = numba is not None


def _jit(fn):
    return numba.njit(cache=True, nogil=True)(fn) if numba is not None else fn


@_jit
def _tol(d):
    return TIE_RTOL * d + TIE_ATOL


@_jit
def _chord2(ax, ay, az, bx, by, bz):
    dx, dy, dz = ax - bx, ay - by, az - bz
    return dx * dx + dy * dy + dz * dz


@_jit
def _angle(c2):
    """Great-circle angle of a squared chord (the formula of geobias.sphere.chord_to_angle)."""
    return 2.0 * math.asin(min(1.0, 0.5 * math.sqrt(c2)))


@_jit
def _chord2_of(angle):
    """Squared chord of an angle, padded so that no point within the angle is rejected."""
    c = 2.0 * math.sin(0.5 * min(angle, math.pi))
    return c * c * (1.0 + 1e-9) + 1e-300


@_jit
def _ring_window(px, py, pz, radius, s, m, off, rxyz, skip, out_d, out_i):
    """Ring points within ``radius`` of the unit vector ``p`` (all of them, exactly).

    Writes distances and indices to ``out_d``/``out_i`` (grown by the caller when full: returns
    ``-needed`` then) and returns the count; ``skip`` is an index to leave out (or -1).
    """
    R = m.size
    theta = math.acos(max(-1.0, min(1.0, pz)))
    phi = math.atan2(py, px)
    i_lo = max(1, int(math.floor((theta - radius) / s)) - 1)
    i_hi = min(R, int(math.ceil((theta + radius) / s)) + 1)
    cnt = 0
    lim2 = _chord2_of(radius)
    st, ct = math.sin(theta), math.cos(theta)
    for i in range(i_lo, i_hi + 1):
        ti = i * s
        mi = m[i - 1]
        step = 2.0 * math.pi / mi
        denom = st * math.sin(ti)
        full = True
        j0, j1 = 0, mi - 1
        if denom > 1e-12:
            c = (math.cos(radius) - ct * math.cos(ti)) / denom
            if c > 1.0 + 1e-9:
                continue
            if c > -1.0:
                dphi = math.acos(min(1.0, c))
                jc = (phi + math.pi) / step
                j0 = int(math.floor(jc - dphi / step)) - 1
                j1 = int(math.ceil(jc + dphi / step)) + 1
                full = j1 - j0 + 1 >= mi
        if full:
            j0, j1 = 0, mi - 1
        for jj in range(j0, j1 + 1):
            idx = off[i - 1] + (jj % mi)
            if idx == skip:
                continue
            c2 = _chord2(px, py, pz, rxyz[idx, 0], rxyz[idx, 1], rxyz[idx, 2])
            if c2 > lim2:
                continue
            d = _angle(c2)
            if d <= radius:
                if cnt < out_d.size:
                    out_d[cnt] = d
                    out_i[cnt] = idx
                cnt += 1
    return cnt if cnt <= out_d.size else -cnt


@_jit
def _kth(buf, n, k):
    """The k-th smallest of ``buf[:n]`` (one pass keeping the k smallest, sorted)."""
    best = np.full(k, np.inf)
    for t in range(n):
        v = buf[t]
        if v < best[k - 1]:
            j = k - 1
            while j > 0 and best[j - 1] > v:
                best[j] = best[j - 1]
                j -= 1
            best[j] = v
    return best[k - 1]


@_jit
def _ring_knn(b, rxyz, s, m, off, k, buf_d, buf_i):
    """Sorted distances from ring point ``b`` to the other ring points within a radius that
    holds its k-th distance and the tie band around it; returns ``(d, buf_d, buf_i)``."""
    M = rxyz.shape[0]
    r = 1.5 * s
    while True:
        cnt = _ring_window(rxyz[b, 0], rxyz[b, 1], rxyz[b, 2], r, s, m, off, rxyz, b, buf_d, buf_i)
        if cnt < 0:
            buf_d = np.empty(-2 * cnt)
            buf_i = np.empty(-2 * cnt, dtype=np.int64)
            continue
        d = np.sort(buf_d[:cnt])
        if cnt == M - 1 or (cnt >= k and d[k - 1] + _tol(d[k - 1]) <= r):
            return d, buf_d, buf_i
        r *= 2.0


@_jit
def _structure(rxyz, s, m, off, k):
    """Per ring point: its nearest other ring points' distances (ascending, the whole tie band
    at the k-th included, ``inf``-padded) and its k-th distance."""
    M = rxyz.shape[0]
    kth = np.full(M, np.inf)
    start = np.zeros(M + 1, dtype=np.int64)
    flat = np.empty(16 * max(M, 1))
    buf_d = np.empty(64)
    buf_i = np.empty(64, dtype=np.int64)
    for b in range(M):
        d, buf_d, buf_i = _ring_knn(b, rxyz, s, m, off, k, buf_d, buf_i)
        w = d.size
        if d.size >= k:
            kth[b] = d[k - 1]
            w = np.sum(d <= kth[b] + _tol(kth[b]))
        if start[b] + w > flat.size:
            flat = np.concatenate((flat, np.empty(flat.size + w)))
        flat[start[b] : start[b] + w] = d[:w]
        start[b + 1] = start[b] + w
    width = k
    for b in range(M):
        width = max(width, start[b + 1] - start[b])
    wide = np.full((M, width), np.inf)
    for b in range(M):
        wide[b, : start[b + 1] - start[b]] = flat[start[b] : start[b + 1]]
    return wide, kth


@dataclass(frozen=True)
class RingStructure:
    """A ring grid as the compiled kernel uses it (see :func:`ring_structure`)."""

    s: float
    m: np.ndarray
    off: np.ndarray
    xyz: np.ndarray
    wide: np.ndarray
    kth: np.ndarray
    reach: float

    @property
    def size(self) -> int:
        """Number of ring points ``M``."""
        return self.xyz.shape[0]


@lru_cache(maxsize=512)
def ring_structure(radius: float, density: float, k: int) -> RingStructure:
    """The ring grid of :func:`geobias.background.ring_grid` with its structure and neighbours.

    Examples
    --------
    >>> rs = ring_structure(0.1, 100.0, 4)
    >>> rs.size, rs.m.tolist()
    (7, [7])
    """
    grid = ring_grid(radius, density)
    xyz = latlon_to_xyz(grid[:, 0], grid[:, 1], sign_quirk=True)
    s = 1 / np.sqrt(density)
    R = int(np.ceil(radius / s))
    m = np.array([int(np.ceil(2 * np.pi * i)) for i in range(1, R + 1)], dtype=np.int64)
    off = np.concatenate([[0], np.cumsum(m)]).astype(np.int64)
    wide, kth = _structure(xyz, float(s), m, off, int(k))
    reach = float(kth.max()) if kth.size else 0.0
    if not np.isfinite(reach):  # fewer than k + 1 ring points: every pair is a candidate
        reach = np.pi
    return RingStructure(float(s), m, off, xyz, wide, kth, reach)


@_jit
def _count_band(d, a, e, lo, hi):
    """How many of ``d[a:e]`` are clearly closer than the tie band, and how many are in it."""
    n_s, n_t = 0, 0
    for t in range(a, e):
        if d[t] < lo:
            n_s += 1
        elif d[t] <= hi:
            n_t += 1
    return n_s, n_t


@_jit
def _band_signatures(d, who, a, e, sig, lo, hi):
    """The smallest and largest value signature among the presence points in the band."""
    s_lo, s_hi = np.inf, -np.inf
    for t in range(a, e):
        if lo <= d[t] <= hi:
            s_lo = min(s_lo, sig[who[t]])
            s_hi = max(s_hi, sig[who[t]])
    return s_lo, s_hi


@_jit
def _cuts_mixed_tie(n_s, n_t, k, lo, s_lo, s_hi, ring_band):
    """A cut through a tie between different values (or through exact duplicates)."""
    return n_s + n_t > k and (lo <= 0 or (s_lo <= s_hi and (s_lo != s_hi or ring_band > 0)))


@_jit
def _centre(pxyz, x, sig, rs_s, m, off, rxyz, wide, kth, reach, k, out_I):
    """Moran numerators (``out_I[v]``) of one centre; returns whether it is tie-sensitive."""
    V, n = x.shape
    M = rxyz.shape[0]
    N = n + M
    xbar = np.empty(V)
    for v in range(V):
        xbar[v] = x[v].sum() / N
    flag = False
    cap = 256
    rd = np.empty(cap)
    ri = np.empty(cap, dtype=np.int64)
    cq = np.empty(64, dtype=np.int64)
    cd = np.empty(64)
    cand = np.empty(64 + cap)
    contrib = np.zeros(V)
    # presence points in square cells of the polar frame's (x, y) plane: a planar distance is
    # at most the chord, so the cells around a point hold every presence point near it
    cs = 2.0 * math.sin(0.75 * rs_s)
    ext = 0.0
    for p in range(n):
        ext = max(ext, abs(pxyz[p, 0]), abs(pxyz[p, 1]))
    G = min(int(2.0 * ext / cs) + 1, 4 * int(math.sqrt(n)) + 4)
    cs = max(cs, 2.0 * ext / G + 1e-300)
    cell = np.empty(n, dtype=np.int64)
    cstart = np.zeros(G * G + 1, dtype=np.int64)
    for p in range(n):
        cx = min(G - 1, int((pxyz[p, 0] + ext) / cs))
        cy = min(G - 1, int((pxyz[p, 1] + ext) / cs))
        cell[p] = cx * G + cy
        cstart[cell[p] + 1] += 1
    for c in range(G * G):
        cstart[c + 1] += cstart[c]
    members = np.empty(n, dtype=np.int64)
    fill = cstart[:-1].copy()
    for p in range(n):
        members[fill[cell[p]]] = p
        fill[cell[p]] += 1
    # ---- presence rows ------------------------------------------------------------
    for p in range(n):
        ax, ay, az = pxyz[p, 0], pxyz[p, 1], pxyz[p, 2]
        px, py = cell[p] // G, cell[p] % G
        r = 1.5 * rs_s
        while True:
            # presence points within r (by cells), then the ring points within r
            lim2 = _chord2_of(r)
            reach_c = int(math.ceil(math.sqrt(lim2) / cs))
            npc = 0
            for gx in range(max(0, px - reach_c), min(G, px + reach_c + 1)):
                for gy in range(max(0, py - reach_c), min(G, py + reach_c + 1)):
                    c = gx * G + gy
                    for t in range(cstart[c], cstart[c + 1]):
                        q = members[t]
                        if q == p:
                            continue
                        c2 = _chord2(ax, ay, az, pxyz[q, 0], pxyz[q, 1], pxyz[q, 2])
                        if c2 <= lim2:
                            d = _angle(c2)
                            if d <= r:
                                if npc == cq.size:
                                    cq = np.concatenate((cq, np.empty(npc, dtype=np.int64)))
                                    cd = np.concatenate((cd, np.empty(npc)))
                                cq[npc], cd[npc] = q, d
                                npc += 1
            cnt = _ring_window(ax, ay, az, r, rs_s, m, off, rxyz, -1, rd, ri)
            if cnt < 0:
                cap = 2 * (-cnt)
                rd = np.empty(cap)
                ri = np.empty(cap, dtype=np.int64)
                continue
            tot = npc + cnt
            if cand.size < tot:
                cand = np.empty(2 * tot)
            cand[:npc] = cd[:npc]
            cand[npc:tot] = rd[:cnt]
            if tot >= k:
                dk = _kth(cand, tot, k)
                if dk + _tol(dk) <= r:
                    break
            if cnt == M and npc == n - 1:
                dk = _kth(cand, tot, k)
                break
            r *= 2.0
        lo, hi = dk - _tol(dk), dk + _tol(dk)
        n_s, ring_band = _count_band(rd, 0, cnt, lo, hi)
        p_s, p_t = _count_band(cd, 0, npc, lo, hi)
        n_s, n_t = n_s + p_s, ring_band + p_t
        s_lo, s_hi = _band_signatures(cd, cq, 0, npc, sig, lo, hi)
        wt = (k - n_s) / n_t
        for v in range(V):
            sx = 0.0
            for t in range(npc):
                if cd[t] < lo:
                    sx += x[v, cq[t]]
                elif cd[t] <= hi:
                    sx += wt * x[v, cq[t]]
            contrib[v] += (x[v, p] - xbar[v]) * (sx - xbar[v] * k)
        flag |= _cuts_mixed_tie(n_s, n_t, k, lo, s_lo, s_hi, ring_band)
    # ---- ring rows that presence points enter ----------------------------------------
    # pairs (ring point b, presence p) with d <= b's k-th ring distance + tolerance
    counts = np.zeros(M, dtype=np.int64)
    pb = np.empty(64, dtype=np.int64)
    pp = np.empty(64, dtype=np.int64)
    pdist = np.empty(64)
    npair = 0
    bound = reach + _tol(reach)
    for p in range(n):
        while True:
            cnt = _ring_window(pxyz[p, 0], pxyz[p, 1], pxyz[p, 2], bound, rs_s, m, off, rxyz, -1, rd, ri)
            if cnt >= 0:
                break
            cap = 2 * (-cnt)
            rd = np.empty(cap)
            ri = np.empty(cap, dtype=np.int64)
        for t in range(cnt):
            b = ri[t]
            if rd[t] <= kth[b] + _tol(kth[b]):
                if npair == pb.size:
                    pb = np.concatenate((pb, np.empty(npair, dtype=np.int64)))
                    pp = np.concatenate((pp, np.empty(npair, dtype=np.int64)))
                    pdist = np.concatenate((pdist, np.empty(npair)))
                pb[npair], pp[npair], pdist[npair] = b, p, rd[t]
                counts[b] += 1
                npair += 1
    start = np.zeros(M + 1, dtype=np.int64)
    for b in range(M):
        start[b + 1] = start[b] + counts[b]
    fill = start[:-1].copy()
    by_b_p = np.empty(npair, dtype=np.int64)
    by_b_d = np.empty(npair)
    for t in range(npair):
        b = pb[t]
        by_b_p[fill[b]] = pp[t]
        by_b_d[fill[b]] = pdist[t]
        fill[b] += 1
    edge = np.zeros(V)
    W = wide.shape[1]
    for b in range(M):
        a, e = start[b], start[b + 1]
        if a == e:
            continue
        g = e - a
        merged = np.empty(W + g)
        merged[:W] = wide[b]
        merged[W:] = by_b_d[a:e]
        dk = _kth(merged, W + g, k)
        lo, hi = dk - _tol(dk), dk + _tol(dk)
        n_s, ring_band = _count_band(wide[b], 0, W, lo, hi)
        p_s, p_t = _count_band(by_b_d, a, e, lo, hi)
        n_s, n_t = n_s + p_s, ring_band + p_t
        s_lo, s_hi = _band_signatures(by_b_d, by_b_p, a, e, sig, lo, hi)
        wt = (k - n_s) / n_t
        for t in range(a, e):
            d = by_b_d[t]
            w = 1.0 if d < lo else (wt if d <= hi else 0.0)
            if w > 0:
                for v in range(V):
                    edge[v] += w * x[v, by_b_p[t]]
        flag |= _cuts_mixed_tie(n_s, n_t, k, lo, s_lo, s_hi, ring_band)
    for v in range(V):
        out_I[v] = contrib[v] - xbar[v] * (edge[v] - xbar[v] * k * M)
    return flag


@_jit
def _batch(pxyz, x, sig, rs_s, m, off, rxyz, wide, kth, reach, k, out_I, out_flag):
    for c in range(pxyz.shape[0]):
        out_flag[c] = _centre(pxyz[c], x[:, c], sig[c], rs_s, m, off, rxyz, wide, kth, reach, k, out_I[:, c])


def split_numerators(pxyz: np.ndarray, x: np.ndarray, sig: np.ndarray, rs: RingStructure,
                     k: int) -> tuple[np.ndarray, np.ndarray]:
    """Moran numerators ``(V, C)`` and tie flags ``(C,)`` of ``C`` centres (compiled).

    ``pxyz`` ``(C, n, 3)``: presence unit vectors in the polar frame of each centre; ``x``
    ``(V, C, n)`` values; ``sig`` ``(C, n)`` value signatures (see :func:`geobias.moran.signature`).

    Examples
    --------
    >>> rs = ring_structure(0.01, 110000.0, 4)
    >>> I, flag = split_numerators(np.tile([0.0, 0.0, 1.0], (1, 7, 1)), np.ones((1, 1, 7)), np.ones((1, 7)), rs, 4)
    >>> I.shape, flag.tolist()
    ((1, 1), [True])
    """
    V, C, n = x.shape
    out_I = np.zeros((V, C))
    out_flag = np.zeros(C, dtype=np.bool_)
    _batch(np.ascontiguousarray(pxyz, dtype=float), np.ascontiguousarray(x, dtype=float),
           np.ascontiguousarray(sig, dtype=float), rs.s, rs.m, rs.off, rs.xyz, rs.wide, rs.kth,
           rs.reach, int(k), out_I, out_flag)
    return out_I, out_flag
