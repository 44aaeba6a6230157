"""LocBench dataset loaders: the 17 datasets of TorchSpatial's benchmark, read from a local directory.

LocBench (Wu et al., NeurIPS 2024) has 7 geo-aware image-classification datasets (BirdSnap, BirdSnap†,
NABirds†, iNat2017, iNat2018, YFCC, fMoW) and 10 regression datasets (4 MOSAIKS, 6 SustainBench). Its
files are published on figshare; nothing here downloads them. :func:`load_locbench` reads one split of
one dataset from a user-supplied directory in the published layout (the one TorchSpatial's
``main/paths.py`` and ``main/datasets.py`` read) and returns a :class:`LocBenchSplit`: locations
(lon, lat in degrees), labels, and the precomputed image-model predictions (classification) or image
features (regression), row-aligned.

The reading follows the reference loader exactly — same files, keys, sample order, filtering and
alignment — except for the reference's defects, each decided explicitly:

1. *``train_preds`` is unbound for fMoW* (``UnboundLocalError`` at HEAD). The layout has no fMoW
   train-prediction file, so ``image_preds`` is ``None`` for fMoW ``train``; nothing raises.
2. *``train_preds`` is never subset by ``train_inds``* (misaligned with the locations once invalid rows
   are dropped). Here predictions, features, ids, users and dates are always subset with the same rows
   as the locations: row ``i`` of every array is the same sample.
3. *fMoW features need ``--inat2018_resolution pretrain``*, which the fMoW run scripts omit. fMoW
   features are always read from ``features_inception_pretrain/`` (the only fMoW features published).
4. *SustainBench raises ``NameError: sample_fraction``*. By default the whole table (after the per-task
   ``dropna``) is returned, as before commit b3af90b; ``resample=True`` applies the evident intent,
   ``df.sample(frac=0.1, random_state=42)``.
5. *MOSAIKS subsamples 1/20 of each split with no seed*. By default the whole split is returned;
   ``resample=True`` draws the paper's ``n // 20`` rows with ``np.random.RandomState(seed)`` (default
   seed 0), which is the reference's draw after ``np.random.seed(seed)``.
6. *``np.int`` in the image-loading path*: images are never loaded, so it does not arise.
7. *The HEAD trainer cannot import* (``sampler.py`` deleted): only ``datasets.py`` is followed.
8. *``inat_2021`` has no loader branch*: it is not a LocBench dataset and is rejected as unknown.

Further choices: the loaders never write into the data directory (the reference creates
``sample_idx/`` there); a ``meta_type`` given for a dataset that has none is an error (the reference
silently resets it to ``""``); locations are float64 with the file's values (``.astype(np.float32)``
gives the reference's arrays bit for bit); a ``NaN`` literal in an iNat/fMoW location JSON counts as
``null`` (the reference only tests ``is None``); and the files are validated — row counts, prediction
widths, class ids, coordinate ranges, required keys and columns — with errors that name the file.

The package: :mod:`~geoencode.bench.locbench.registry` (the datasets),
:mod:`~geoencode.bench.locbench.layout` (where their files are), :mod:`~geoencode.bench.locbench.parsing`
(checked reading of JSON/CSV/``.npy``), :mod:`~geoencode.bench.locbench.readers` (one reader per
family), :mod:`~geoencode.bench.locbench.split` (the result), :mod:`~geoencode.bench.locbench.load`
(:func:`load_locbench`) and :mod:`~geoencode.bench.locbench.errors`.
"""

from .errors import LocBenchError, LocBenchFileNotFoundError
from .layout import locbench_files
from .load import load_locbench
from .registry import LOCBENCH_DATASETS, LocBenchDataset, list_locbench
from .split import LocBenchSplit

__all__ = [
    "LOCBENCH_DATASETS", "LocBenchDataset", "LocBenchError", "LocBenchFileNotFoundError", "LocBenchSplit",
    "list_locbench", "load_locbench", "locbench_files",
]
