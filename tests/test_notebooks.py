"""Execute every notebook in ``examples/`` (each its own test) and fail on any cell error.

The kernel is the interpreter running the tests: a kernelspec pointing at ``sys.executable`` is
written to a temporary directory, so a ``python3`` kernel from somewhere else on the machine can
never be picked up. Each notebook runs in its own empty temporary working directory, so nothing it
writes lands in the repository.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is part of the [dev] extra")
nbclient = pytest.importorskip("nbclient", reason="nbclient is part of the [dev] extra")
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402  (installed with nbclient)
from jupyter_client.manager import AsyncKernelManager  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
TIMEOUT_S = 300
KERNEL = "geoencode-tests"


@pytest.fixture(scope="session")
def kernel_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kernels")
    spec = root / KERNEL
    spec.mkdir()
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"geoencode tests ({sys.executable})",
        "language": "python",
        "env": {"MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"},
    }))
    return root


def test_examples_exist() -> None:
    assert NOTEBOOKS, f"no notebooks found in {EXAMPLES}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, kernel_dir: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    km = AsyncKernelManager(kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel_dir)]))
    assert km.kernel_spec.argv[0] == sys.executable
    client = nbclient.NotebookClient(
        nb, km=km, timeout=TIMEOUT_S, allow_errors=False,
        resources={"metadata": {"path": str(tmp_path)}},  # the kernel's working directory
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        pytest.fail(f"{path.name}: a cell raised\n{exc}", pytrace=False)
    except nbclient.exceptions.CellTimeoutError as exc:
        pytest.fail(f"{path.name}: a cell ran longer than {TIMEOUT_S} s\n{exc}", pytrace=False)
    errors = [o for cell in nb.cells if cell.cell_type == "code"
              for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
