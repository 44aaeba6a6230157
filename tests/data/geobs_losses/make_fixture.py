#!/usr/bin/env python
"""Generate the GeoBS geo-bias *loss* parity fixture (``geobs_losses.npz``).

This script runs the GeoBS toolbox's own code (seai-lab/GeoBS,
``baselines/gbsloss.py``). That code is NOT vendored into this project: the
script imports it from the checkout given on the command line::

    git --git-dir=<GeoBS bare repo> archive HEAD baselines | tar -x -C /tmp/geobs
    python tests/data/geobs_losses/make_fixture.py \
        --geobs /tmp/geobs/baselines \
        --out tests/data/geobs_losses/geobs_losses.npz

Optional: ``--geobs-root DIR`` gives a checkout of the whole repository at the
same commit (``git archive bdc3c3b gbsloss partition gbs gbsio utils
loss_example_code.py``). The script then runs ``loss_example_code.py`` in a
subprocess to record what happens when MarkedSSILoss is built and used the way
that example does (``marked_ssi_*`` entries).

For every anchor the script does what ``TorchSpatial/trainer.py``
(``train_ssi_debias`` / ``train_sri_debias``) does for one batch element, and
it also records the ``TorchSpatial/tester.py`` form of SRI. README.md in this
folder lists the arrays and the definitions.

No stand-in modules are needed: ``baselines/gbsloss.py`` imports only numpy,
torch, scipy and scikit-learn.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile

import numpy as np

# --------------------------------------------------------------------------
# Parameters (defaults from GeoBS baselines/configs.json)
# --------------------------------------------------------------------------
N_POINTS = 1500
N_CLASSES = 5
N_ANCHORS = 40
PARTITION_K = 400                # "partition_k"
SSI_RADIUS = 0.01                # "ssi_radius"
BINARY_THRES = 0.9               # "BinaryPerformanceTransformer_thres"
SSI_MIN_NEIGHBOURS = 10          # trainer/tester: skip if neighbourhood < 10
SRI_RADIUS = 0.1                 # "sri_radius"
SRI_SCALE_GRID = 0.05            # "sri_scale_grid"
SRI_DISTANCE_LAG = 0.02          # "sri_distance_lag"
SRI_SPLIT_NUMBER = 4             # "sri_split_number"
SOFTHIST_BINS = 4                # "SoftHistogramPerformanceTransformer_bins"
SOFTHIST_SIGMA = 3.0             # SoftHistogramPerformanceTransformer default
SRI_PARTITION_THRESHOLD = 10     # default `threshold` of get_*_idx
SRI_TRAIN_MIN_NEIGHBOURS = 50    # trainer: skip if neighbourhood < 50
SRI_TEST_MIN_NEIGHBOURS = 51     # tester: needs neighbourhood > 50
FIXED_VALUES_P = 0.25            # P(value == 1) of the fixed SSI values

# Gaussian clusters, (lat, lon) in radians; well away from the poles, the
# antimeridian and the equator.  Two clusters are 0.12 rad apart so that some
# 0.1-rad neighbourhoods hold more than k=400 points (truncated by k).
CLUSTER_CENTRES = np.array([[0.70, -1.20],
                            [0.70, -1.08],
                            [-0.45, 0.60],
                            [0.30, 2.10],
                            [-0.90, -2.40]])
CLUSTER_STDS = np.array([0.012, 0.02, 0.02, 0.03, 0.045])
CLUSTER_SIZES = np.array([300, 300, 300, 300, 300])

SRI_MODES = ("scale_grid", "distance_lag", "direction_sector")


def make_dataset():
    """Deterministic synthetic dataset (numpy default_rng seed 0)."""
    rng = np.random.default_rng(0)
    cluster = np.repeat(np.arange(len(CLUSTER_SIZES)), CLUSTER_SIZES)
    assert cluster.shape[0] == N_POINTS
    lat = CLUSTER_CENTRES[cluster, 0] + rng.normal(size=N_POINTS) * CLUSTER_STDS[cluster]
    lon = CLUSTER_CENTRES[cluster, 1] + rng.normal(size=N_POINTS) * CLUSTER_STDS[cluster]
    logits = (rng.normal(size=(N_POINTS, N_CLASSES)) * 2.0).astype(np.float32)
    labels = rng.integers(0, N_CLASSES, size=N_POINTS).astype(np.int64)
    anchors = rng.permutation(N_POINTS)[:N_ANCHORS].astype(np.int64)
    fixed = (np.random.default_rng(1).random(N_POINTS) < FIXED_VALUES_P).astype(np.float32)
    return dict(lat=lat.astype(np.float64), lon=lon.astype(np.float64), cluster=cluster.astype(np.int64),
                logits=logits, labels=labels, anchors=anchors, ssi_values_fixed=fixed)


def git_blob_sha1(path):
    with open(path, "rb") as fh:
        data = fh.read()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def geobs_commit(geobs_dir, git_dir):
    cmds = []
    if git_dir:
        cmds.append(["git", "--git-dir", git_dir, "rev-parse", "HEAD"])
    cmds.append(["git", "-C", geobs_dir, "rev-parse", "HEAD"])
    for cmd in cmds:
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, check=True)
            return out.stdout.strip()
        except Exception:
            continue
    return "unknown"


def padded(rows, width, fill, dtype):
    out = np.full((len(rows), width), fill, dtype=dtype)
    for i, r in enumerate(rows):
        if r is not None:
            out[i, :len(r)] = r
    return out


# --------------------------------------------------------------------------
# MarkedSSILoss probe (optional): runs their loss_example_code.py verbatim
# --------------------------------------------------------------------------
_MARKED_PROBE = r"""
import os, sys, traceback
root = sys.argv[1]
sys.path.insert(0, root)
src = open(os.path.join(root, "loss_example_code.py")).read()
stage = "import"
try:
    exec(compile(src, os.path.join(root, "loss_example_code.py"), "exec"), {"__name__": "__main__"})
    print("MARKED_RESULT: ran without error")
except BaseException as e:
    tb = traceback.extract_tb(e.__traceback__)
    last = tb[-1]
    print("MARKED_RESULT: %s: %s at %s:%d in %s: %s" % (
        type(e).__name__, e, os.path.relpath(last.filename, root), last.lineno, last.name, last.line))
"""


def probe_marked_ssi(root, data):
    """Run their loss_example_code.py in a subprocess.

    The example reads ``data/example_data.csv`` (relative to the CWD), which is
    not in their repository; we write our synthetic points there (lat/lon in
    degrees, ``hit@1`` = ssi_values_fixed) inside a temporary CWD.
    """
    import pandas as pd  # only needed for the probe (their reader uses pandas)

    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "data"))
        pd.DataFrame({"lat": np.degrees(data["lat"]), "lon": np.degrees(data["lon"]),
                      "hit@1": data["ssi_values_fixed"].astype(np.float64)}).to_csv(
            os.path.join(tmp, "data", "example_data.csv"), index=False)
        probe = os.path.join(tmp, "probe.py")
        with open(probe, "w") as fh:
            fh.write(_MARKED_PROBE)
        res = subprocess.run([sys.executable, probe, os.path.abspath(root)], cwd=tmp,
                             capture_output=True, text=True, timeout=600)
    lines = [ln for ln in (res.stdout + res.stderr).splitlines() if ln.startswith("MARKED_RESULT:")]
    if lines:
        return lines[-1][len("MARKED_RESULT: "):]
    return "probe failed: rc=%d %s" % (res.returncode, (res.stderr or "")[-500:])


# --------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--geobs", required=True, help="path to GeoBS 'baselines' dir (contains gbsloss.py)")
    ap.add_argument("--out", required=True, help="output .npz path")
    ap.add_argument("--geobs-git-dir", default="/work/.mirror/seai-lab+GeoBS/repo",
                    help="GeoBS git dir used only to record the commit hash")
    ap.add_argument("--geobs-root", default=None,
                    help="optional full GeoBS checkout (same commit) for the MarkedSSILoss probe")
    args = ap.parse_args(argv)

    geobs = os.path.abspath(args.geobs)
    sys.path.insert(0, geobs)
    import torch
    import scipy
    import sklearn
    import gbsloss  # their module, from the checkout

    torch.set_num_threads(1)
    data = make_dataset()
    lat, lon, logits_np, labels_np = data["lat"], data["lon"], data["logits"], data["labels"]
    anchors, fixed = data["anchors"], data["ssi_values_fixed"]
    coords = np.c_[lat, lon]
    logits_t = torch.from_numpy(logits_np)
    labels_t = torch.from_numpy(labels_np)
    A = anchors.shape[0]
    errors = {}

    def err(key, a, exc):
        errors.setdefault(key, []).append("anchor %d: %s: %s" % (a, type(exc).__name__, exc))

    # ---------------------------------------------------------------- SSI
    ssi_part = gbsloss.SSIPartitioner(coords, k=PARTITION_K, radius=SSI_RADIUS)
    bpt = gbsloss.BinaryPerformanceTransformer(thres=BINARY_THRES)
    ssi_loss_fn = gbsloss.SSILoss()

    out = {k: np.full(A, np.nan) for k in (
        "ssi_loss", "ssi_ignore_ratio", "ssi_loss_fixed", "ssi_ratio_fixed",
        "ssi_loss_fixed64", "ssi_ratio_fixed64", "ssi_fixed64_loc", "ssi_fixed64_scale",
        "ssi_fixed64_moran_upper")}
    out["ssi_n"] = np.zeros(A, dtype=np.int64)
    out["ssi_n_ones"] = np.full(A, -1, dtype=np.int64)
    ssi_nbrs, ssi_grad64 = [], []

    for ai, a in enumerate(anchors):
        a = int(a)
        nbr = ssi_part.get_neighborhood_idx(a)
        out["ssi_n"][ai] = nbr.shape[0]
        ssi_nbrs.append(nbr)
        ssi_grad64.append(None)
        if nbr.shape[0] < SSI_MIN_NEIGHBOURS:
            continue
        pts = ssi_part.get_neighborhood_points(a)
        # (a) logits variant, exactly as train_ssi_debias
        try:
            values = bpt(logits_t[nbr], labels_t[nbr])
            out["ssi_n_ones"][ai] = int((values == 1).sum())
            loss, ratio = ssi_loss_fn(pts, values)
            out["ssi_ignore_ratio"][ai] = float(ratio)
            if loss is not None:
                out["ssi_loss"][ai] = float(loss[0].item())
        except Exception as exc:  # noqa: BLE001
            err("ssi", a, exc)
        # (b) fixed binary values, float32
        try:
            loss, ratio = ssi_loss_fn(pts, torch.tensor(fixed[nbr]))
            out["ssi_ratio_fixed"][ai] = float(ratio)
            if loss is not None:
                out["ssi_loss_fixed"][ai] = float(loss[0].item())
        except Exception as exc:  # noqa: BLE001
            err("ssi_fixed", a, exc)
        # (c) fixed binary values, float64, plus d loss / d values
        try:
            v64 = torch.tensor(fixed[nbr].astype(np.float64), requires_grad=True)
            loss, ratio = ssi_loss_fn(pts, v64)
            out["ssi_ratio_fixed64"][ai] = float(ratio)
            if loss is not None:
                out["ssi_loss_fixed64"][ai] = float(loss[0].item())
                out["ssi_fixed64_loc"][ai] = float(ssi_loss_fn.analytical_surprisal.mean)
                out["ssi_fixed64_scale"][ai] = float(ssi_loss_fn.analytical_surprisal.std)
                w = gbsloss.construct_weight_matrix(pts, 4).astype(np.float64)
                x = fixed[nbr].astype(np.float64) - fixed[nbr].astype(np.float64).mean()
                out["ssi_fixed64_moran_upper"][ai] = float(x @ w @ x)
                loss[0].backward()
                ssi_grad64[-1] = v64.grad.detach().numpy().copy()
        except Exception as exc:  # noqa: BLE001
            err("ssi_fixed64", a, exc)

    # Gradient check: their SSILoss w.r.t. the logits, through the hard
    # threshold.  Logits are set so that the thresholded values equal the fixed
    # values (ones: p_true = 0.95, zeros: p_true = 0.5; other logits 0).
    grad_anchor = -1
    for ai, a in enumerate(anchors):
        if np.isfinite(out["ssi_loss_fixed"][ai]):
            grad_anchor = int(a)
            break
    grad = dict(grad_check_anchor=grad_anchor)
    if grad_anchor >= 0:
        nbr = ssi_part.get_neighborhood_idx(grad_anchor)
        pts = ssi_part.get_neighborhood_points(grad_anchor)
        p_true = np.where(fixed[nbr] == 1, 0.95, 0.5)
        lg = np.zeros((nbr.shape[0], N_CLASSES), dtype=np.float32)
        lg[np.arange(nbr.shape[0]), labels_np[nbr]] = np.log((N_CLASSES - 1) * p_true / (1 - p_true))
        lg_t = torch.tensor(lg, requires_grad=True)
        values = bpt(lg_t, labels_t[nbr])
        values.retain_grad()
        loss, ratio = ssi_loss_fn(pts, values)
        loss[0].backward()
        grad.update(grad_check_loss=float(loss[0].item()),
                    grad_check_values_match=bool(np.array_equal(values.detach().numpy(), fixed[nbr])),
                    grad_check_max_abs_grad_logits=float(lg_t.grad.abs().max().item()),
                    grad_check_max_abs_grad_values=float(values.grad.abs().max().item()))

    # ---------------------------------------------------------------- SRI
    sri_part = gbsloss.SRIPartitioner(coords, k=PARTITION_K, radius=SRI_RADIUS)
    sht = gbsloss.SoftHistogramPerformanceTransformer(bins=SOFTHIST_BINS)
    sri_loss_fn = gbsloss.SRILoss()

    sri_n = np.zeros(A, dtype=np.int64)
    sri_nbrs, arc_angles = [], []
    for m in SRI_MODES:
        out["sri_" + m] = np.full(A, np.nan)
        out["sri_%s64" % m] = np.full(A, np.nan)
        out["sri_%s_tester" % m] = np.full(A, np.nan)
        out["sri_%s_nparts" % m] = np.full(A, -1, dtype=np.int64)
    part_labels = {m: [] for m in SRI_MODES}
    nbr_hist = []

    for ai, a in enumerate(anchors):
        a = int(a)
        nbr, _, _ = sri_part.get_neighborhood_idx(a)
        sri_n[ai] = nbr.shape[0]
        sri_nbrs.append(nbr)
        try:
            arc_angles.append(gbsloss._get_arc_angles(coords[nbr], coords[a]))
        except Exception as exc:  # noqa: BLE001
            arc_angles.append(None)
            err("arc_angles", a, exc)
        logits_n, y_n = logits_t[nbr], labels_t[nbr]
        nv = sht(logits_n, y_n)
        logits_n64 = logits_n.double()  # float64 run: centres are float32 but exact; promotes to float64
        nv64 = sht(logits_n64, y_n)
        nbr_hist.append(nv64.detach().numpy())
        for m in SRI_MODES:
            lab = np.full(nbr.shape[0], -1, dtype=np.int16)
            try:
                if m == "scale_grid":
                    plist, nbr2 = sri_part.get_scale_grid_idx(a, scale=SRI_SCALE_GRID)
                elif m == "distance_lag":
                    plist, nbr2 = sri_part.get_distance_lag_idx(a, lag=SRI_DISTANCE_LAG)
                else:
                    plist, nbr2 = sri_part.get_direction_sector_idx(a, n_splits=SRI_SPLIT_NUMBER)
            except Exception as exc:  # noqa: BLE001
                err("sri_" + m, a, exc)
                part_labels[m].append(None)
                continue
            assert np.array_equal(nbr2, nbr)
            out["sri_%s_nparts" % m][ai] = len(plist)
            for pi, pidx in enumerate(plist):
                assert np.all(lab[pidx] == -1)
                lab[pidx] = pi
            part_labels[m].append(lab)
            # train_sri_debias: partition_idx indexes INTO the neighbourhood
            # (logits/y_n are the neighbourhood's); 1-D histograms.
            if nbr.shape[0] >= SRI_TRAIN_MIN_NEIGHBOURS:
                losses = [sri_loss_fn(sht(logits_n[p], y_n[p]), nv) for p in plist]
                if losses:
                    out["sri_" + m][ai] = float(torch.sum(torch.stack(losses)).item())
                losses64 = [sri_loss_fn(sht(logits_n64[p], y_n[p]), nv64) for p in plist]
                if losses64:
                    assert losses64[0].dtype == torch.float64
                    out["sri_%s64" % m][ai] = float(torch.sum(torch.stack(losses64)).item())
            # tester.test: same, but histograms reshaped to (1, bins)
            if nbr.shape[0] >= SRI_TEST_MIN_NEIGHBOURS:
                nv2 = nv.reshape((1, -1))
                tl = [sri_loss_fn(sht(logits_n[p], y_n[p]).reshape((1, -1)), nv2).item() for p in plist]
                if tl:
                    out["sri_%s_tester" % m][ai] = float(np.sum(tl))

    # ---------------------------------------------------------------- save
    res = dict(
        lat=lat, lon=lon, cluster=data["cluster"], logits=logits_np, labels=labels_np, anchors=anchors,
        ssi_values_fixed=fixed,
        ssi_nbrs=padded(ssi_nbrs, PARTITION_K, -1, np.int64),
        ssi_grad_fixed64=padded(ssi_grad64, PARTITION_K, np.nan, np.float64),
        sri_n=sri_n,
        sri_nbrs=padded(sri_nbrs, PARTITION_K, -1, np.int64),
        sri_arc_angles=padded(arc_angles, PARTITION_K, np.nan, np.float64),
        sri_nbr_hist=np.stack(nbr_hist),
    )
    for m in SRI_MODES:
        res["sri_%s_labels" % m] = padded(part_labels[m], PARTITION_K, -2, np.int16)
    res.update(out)
    res.update({k: np.asarray(v) for k, v in grad.items()})
    params = dict(partition_k=PARTITION_K, ssi_radius=SSI_RADIUS, binary_thres=BINARY_THRES,
                  ssi_min_neighbours=SSI_MIN_NEIGHBOURS, ssi_knn_k=4,
                  sri_radius=SRI_RADIUS, sri_scale_grid=SRI_SCALE_GRID, sri_distance_lag=SRI_DISTANCE_LAG,
                  sri_split_number=SRI_SPLIT_NUMBER, softhist_bins=SOFTHIST_BINS, softhist_sigma=SOFTHIST_SIGMA,
                  sri_partition_threshold=SRI_PARTITION_THRESHOLD,
                  sri_train_min_neighbours=SRI_TRAIN_MIN_NEIGHBOURS, sri_test_min_neighbours=SRI_TEST_MIN_NEIGHBOURS,
                  fixed_values_p=FIXED_VALUES_P)
    for k, v in params.items():
        res["param_" + k] = np.asarray(v)
    res["geobs_commit"] = np.asarray(geobs_commit(geobs, args.geobs_git_dir))
    res["geobs_gbsloss_blob"] = np.asarray(git_blob_sha1(os.path.join(geobs, "gbsloss.py")))
    trainer = os.path.join(geobs, "TorchSpatial", "trainer.py")
    res["geobs_trainer_blob"] = np.asarray(git_blob_sha1(trainer) if os.path.exists(trainer) else "missing")
    res["torch_version"] = np.asarray(torch.__version__)
    res["numpy_version"] = np.asarray(np.__version__)
    res["sklearn_version"] = np.asarray(sklearn.__version__)
    res["scipy_version"] = np.asarray(scipy.__version__)
    res["error_counts"] = np.asarray(["%s=%d" % (k, len(v)) for k, v in sorted(errors.items())] or ["none"])
    res["error_messages"] = np.asarray(sum(errors.values(), []) or ["none"])
    if args.geobs_root:
        res["marked_ssi_result"] = np.asarray(probe_marked_ssi(args.geobs_root, data))

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    np.savez_compressed(args.out, **res)

    # ---------------------------------------------------------------- summary
    def fin(key):
        return int(np.isfinite(res[key]).sum())
    print("wrote", args.out, "(%d bytes)" % os.path.getsize(args.out))
    print("GeoBS commit", res["geobs_commit"], "gbsloss blob", res["geobs_gbsloss_blob"])
    print("ssi_n: min %d median %d max %d; >=10: %d/%d" % (
        res["ssi_n"].min(), np.median(res["ssi_n"]), res["ssi_n"].max(), (res["ssi_n"] >= 10).sum(), A))
    print("sri_n: min %d median %d max %d; >=50: %d/%d; ==400 (k cap): %d" % (
        sri_n.min(), np.median(sri_n), sri_n.max(), (sri_n >= 50).sum(), A, (sri_n == PARTITION_K).sum()))
    for k in ("ssi_loss", "ssi_loss_fixed", "ssi_loss_fixed64", "sri_scale_grid", "sri_distance_lag",
              "sri_direction_sector", "sri_scale_grid64", "sri_distance_lag64", "sri_direction_sector64",
              "sri_scale_grid_tester", "sri_distance_lag_tester",
              "sri_direction_sector_tester"):
        print("%-30s finite %2d/%d" % (k, fin(k), A))
    print("ssi_ignore_ratio (logits):", np.round(res["ssi_ignore_ratio"], 3).tolist())
    print("gradient check:", grad)
    print("errors:", res["error_counts"].tolist())
    for msg in res["error_messages"].tolist():
        print("   ", msg)
    if args.geobs_root:
        print("MarkedSSILoss probe:", res["marked_ssi_result"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
