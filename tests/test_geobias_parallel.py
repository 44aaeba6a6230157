"""Chunked parallel runs (process pool, Dask) are identical to the serial run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import geobias


@pytest.fixture(scope="module")
def df():
    rng = np.random.default_rng(0)
    n = 500
    sites = rng.uniform(0, 3, (120, 2))
    pick = rng.integers(0, 120, n)
    return pd.DataFrame({"lon": sites[pick, 0], "lat": sites[pick, 1] + 40,
                         "hit@1": rng.integers(0, 2, n).astype(float)})


def _same(a, b):
    # the same numbers up to the last bits: numpy's vectorised sin/cos/arcsin may round an
    # element differently by its position in the array, and chunks move elements around
    np.testing.assert_array_equal(a.per_centre["n_neighbours"].to_numpy(), b.per_centre["n_neighbours"].to_numpy())
    for key in ("base", "relative", "local_mean"):
        np.testing.assert_allclose(a.per_centre[key].to_numpy(), b.per_centre[key].to_numpy(), rtol=1e-12, atol=0)
    assert a.base == pytest.approx(b.base, rel=1e-12) and a.relative == pytest.approx(b.relative, rel=1e-12)


def test_process_pool_identical_to_serial(df):
    serial = geobias.audit(df, progress=False, n_jobs=1)
    pooled = geobias.audit(df, progress=False, n_jobs=2, chunk_size=90)
    _same(serial, pooled)


def test_chunking_does_not_change_bits(df):
    a = geobias.audit(df, progress=False, n_jobs=1, chunk_size=10_000)
    b = geobias.audit(df, progress=False, n_jobs=1, chunk_size=37)
    _same(a, b)


def test_small_inputs_stay_in_process():
    from geobias.parallel import effective_jobs

    assert effective_jobs(None, 300) == 1
    assert effective_jobs(3, 10) == 3


def test_dask_client_identical_to_serial(df):
    distributed = pytest.importorskip("dask.distributed")
    serial = geobias.audit(df, progress=False, n_jobs=1)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = geobias.audit(df, progress=False, client=client, chunk_size=120)
    _same(serial, remote)
