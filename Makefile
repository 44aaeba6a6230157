# Two commands set everything up: `make demo` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test test-fast test-integration lint docs bench clean

venv: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	# torch 2.13.0 is a local CPU build here; elsewhere fall back to the newest torch>=2.2.
	$(BIN)/python -m pip install torch==2.13.0 || $(BIN)/python -m pip install "torch>=2.2"
	$(BIN)/python -m pip install -e ".[dev]"
	# GeoCLIP's weights (MIT) for geoencode.pretrained("geoclip"); --no-deps keeps torchvision/transformers out.
	$(BIN)/python -m pip install --no-deps geoclip==1.3.0
	touch $(STAMP)

demo: venv
	$(BIN)/python examples/demo.py --out demo_output --overwrite

test: venv
	$(BIN)/python -m ruff check .
	$(BIN)/python -m pytest -n 2 -q
	$(MAKE) docs

test-fast: venv
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

# Real Chromium and QGIS (Debian: chromium, python3-qgis); the tests skip where those are absent.
test-integration: venv
	$(BIN)/python -m pytest -q -m "browser or qgis" -rs

# The rule set is in pyproject.toml ([tool.ruff.lint]).
lint: venv
	$(BIN)/python -m ruff check .

docs: venv
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html

REF := benchmarks/.ref

# Encoder throughput against the reference classes (PyPI torchspatial==0.0.0.1, --no-deps, kept
# out of the project's environment) and the memory-bound floor; then the geobias and GIS benchmarks.
bench: venv $(REF)/torchspatial/SpatialRelationEncoder.py
	$(BIN)/python benchmarks/encoders.py --out benchmarks/results/encoders.md
	$(BIN)/python benchmarks/geobias.py
	$(BIN)/python benchmarks/gis.py

$(REF)/torchspatial/SpatialRelationEncoder.py:
	$(BIN)/python -m pip install --no-deps --target $(REF) torchspatial==0.0.0.1 || echo "torchspatial reference not installable; benchmarking without it"

clean:
	rm -rf docs/_build demo_output .pytest_cache
