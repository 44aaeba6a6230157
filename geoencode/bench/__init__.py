"""Benchmarks: the LocBench dataset loaders (:mod:`geoencode.bench.locbench`)."""

from .locbench import LOCBENCH_DATASETS, LocBenchDataset, LocBenchError, LocBenchFileNotFoundError, LocBenchSplit
from .locbench import list_locbench, load_locbench, locbench_files

__all__ = [
    "LOCBENCH_DATASETS", "LocBenchDataset", "LocBenchError", "LocBenchFileNotFoundError", "LocBenchSplit",
    "list_locbench", "load_locbench", "locbench_files",
]
