"""A plain, unvectorised transcription of the Geo-Bias Score spec (§2-§6).

This is the test oracle: one centre at a time, loops over points, a dense 0/1
weight matrix per neighbourhood, double loops for the null moments, exactly as
``shared/specs/geobias-scores.md`` words it. It shares no code with
:mod:`geobias` (even the ring grid and rotation are rewritten here), so a bug
in the fast path cannot hide in both.

Like the reference, the kNN weights come from a haversine ``BallTree`` over
``U`` queried for ``k + 1`` neighbours with the point itself dropped: exact
distance ties (duplicate coordinates, the regular ring grid) are then broken
the way the reference breaks them.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial.transform import Rotation
from scipy.stats import norm
from sklearn.metrics.pairwise import haversine_distances
from sklearn.neighbors import BallTree


def oracle_background(center, radius, density):
    dist = 1 / np.sqrt(density)
    n_lag = int(np.ceil(radius / dist))
    pts = []
    for i in range(1, n_lag + 1):
        m = int(np.ceil(2 * np.pi * i))
        delta = 2 * np.pi / m
        for j in range(m):
            pts.append([np.pi / 2 - dist * i, -np.pi + delta * j])
    xyz = []
    for phi, theta in pts:
        r = np.cos(phi)
        xyz.append((np.cos(theta) * r, np.sign(phi) * np.sin(theta) * r, np.sin(phi)))
    xyz = np.array(xyz).reshape(-1, 3)
    rot = Rotation.from_euler("yz", [0.5 * np.pi - center[0], center[1]], degrees=False)
    out = rot.apply(xyz) if len(xyz) else xyz
    return np.column_stack([np.arcsin(np.clip(out[:, 2], -1, 1)), np.arctan2(out[:, 1], out[:, 0])])


def oracle_weights(points, k):
    """Dense directed kNN weights: k + 1 nearest by the ball tree, self dropped."""
    n = len(points)
    nbrs = BallTree(points, leaf_size=30, metric="haversine").query(points, k=k + 1, return_distance=False)
    W = np.zeros((n, n))
    for i in range(n):
        for j in nbrs[i]:
            if j != i:
                W[i, j] = 1.0
    return W


def oracle_split_weights(points, k, rtol=1e-9, atol=1e-9):
    """Dense kNN weights with ties split (spec §4b), from the full haversine distance matrix."""
    D = haversine_distances(points)
    n = len(points)
    W = np.zeros((n, n))
    for i in range(n):
        d = np.delete(D[i], i)
        others = np.delete(np.arange(n), i)
        dk = np.sort(d)[k - 1]
        tol = rtol * dk + atol
        S = others[d < dk - tol]
        T = others[(d >= dk - tol) & (d <= dk + tol)]
        W[i, S] = 1.0
        W[i, T] = (k - len(S)) / len(T)
    return W


def oracle_moments(values, k):
    cs, ns = np.unique(values, return_counts=True)
    N = ns.sum()
    xmean = np.sum(cs * ns) / N
    b = int(np.argmax(ns))
    mu, var = 0.0, 0.0
    for p in range(len(cs)):
        for q in range(len(cs)):
            ap, aq, ab = cs[p] - xmean, cs[q] - xmean, cs[b] - xmean
            if p != q:
                e = min(ns[p], ns[q]) * k * max(ns[p], ns[q]) / N
                mu += ap * aq * e
                if p != b and q != b:
                    var += (ap * aq - 2 * ap * ab + ab**2) ** 2 * e * (1 - k * max(ns[p], ns[q]) / N)
            else:
                mu += ap**2 * ((ns[p] - 1) * k * ns[p] / N - 1)
                if p != b:
                    var += (cs[p] - cs[b]) ** 4 * 2 * (ns[p] - 1) * k * ns[p] / N * (
                        1 - k * (2 * ns[p] - 1) / (3 * N)
                    )
    return mu, var


def oracle_ssi(presence, values, center, radius, k=4, density="auto", density_factor=5.0,
               probability="two_sided", std_offset=1.0, ties="reference"):
    """SSI of one neighbourhood; ``presence`` (n, 2) radians (lat, lon)."""
    presence = np.asarray(presence, dtype=float).reshape(-1, 2)
    if density == "auto":
        density = int(np.ceil(density_factor * len(presence) / (np.pi * radius**2)))
    bg = oracle_background(center, radius, density)
    pts = np.concatenate([presence, bg])
    x = np.concatenate([np.asarray(values, dtype=float), np.zeros(len(bg))])
    W = oracle_weights(pts, k) if ties == "reference" else oracle_split_weights(pts, k)
    z = x - x.mean()
    I = float(z @ W @ z)
    mu, var = oracle_moments(x, k)
    sd = math.sqrt(max(var, 0.0)) + std_offset
    if probability == "two_sided":
        low = min(I, 2 * mu - I)
        p = 2 * norm.cdf(low, loc=mu, scale=sd) if sd > 0 else (1.0 if low == mu else 0.0)
    else:
        p = norm.pdf(I, loc=mu, scale=sd) if sd > 0 else float("nan")
    return -np.log(p + 1e-256), I, mu, var


def oracle_neighbourhood(lat, lon, c, radius, max_neighbors=None, ties="reference"):
    """PyGBS: the max_neighbors nearest (ball tree) within the radius, or
    (no cap) every sample within the radius in sample order (TorchSpatial 2024).

    ``ties="split"``: every sample tied with the cap's last one is in, and the radius is
    inclusive within the tie tolerance (spec §4b)."""
    X = np.column_stack([lat, lon])
    if ties == "split":
        d = haversine_distances(X[c : c + 1], X)[0]
        lim = radius + 1e-9 * radius + 1e-9
        if max_neighbors is not None and max_neighbors < len(X):
            dcap = np.sort(d)[max_neighbors - 1]
            lim = min(lim, dcap + 1e-9 * dcap + 1e-9)
        return [j for j in range(len(X)) if d[j] <= lim]
    if max_neighbors is not None and max_neighbors < len(X):
        tree = BallTree(X, leaf_size=30, metric="haversine")
        d, nb = tree.query(X[c : c + 1], k=max_neighbors)
        return [int(j) for j, dj in zip(nb[0], d[0]) if dj <= radius]
    d = haversine_distances(X[c : c + 1], X)[0]
    return [j for j in range(len(X)) if d[j] <= radius]


def oracle_audit(lat, lon, marks, radius, centres=None, k=4, max_neighbors=None, ties="reference", **kw):
    """Per-centre (base, relative, n) for the given centres (default: all)."""
    centres = range(len(lat)) if centres is None else centres
    out = []
    kw["ties"] = ties
    for c in centres:
        nb = oracle_neighbourhood(lat, lon, c, radius, max_neighbors, ties)
        P = np.column_stack([np.asarray(lat)[nb], np.asarray(lon)[nb]])
        center = (lat[c], lon[c])
        base = oracle_ssi(P, np.ones(len(nb)), center, radius, k, **kw)[0]
        rel = oracle_ssi(P, np.asarray(marks)[nb], center, radius, k, **kw)[0]
        out.append((base, rel, len(nb)))
    return np.array(out)
