# deltanet: every target sets itself up (venv + install), so a fresh clone needs nothing else.
PY        ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
FASHION   := /usr/share/datasets/fashion-mnist

.PHONY: run test test-all bench lint fashion-data clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(RUN_STAMP)

# Train the default MNIST model (fetches and caches MNIST on first use), report test accuracy, plot curves.
run: $(RUN_STAMP) fashion-data
	$(BIN)/deltanet train mnist --out runs/mnist

test: $(DEV_STAMP)
	$(BIN)/python -m pytest

# Everything, including the slow checks (real-data training, full reproductions).
test-all: $(DEV_STAMP) fashion-data
	$(BIN)/python -m pytest -m ''

bench: $(DEV_STAMP)
	env -u OPENBLAS_CORETYPE $(BIN)/python benchmarks/mlp_step.py
	env -u OPENBLAS_CORETYPE $(BIN)/python benchmarks/mnist_epoch.py
	env -u OPENBLAS_CORETYPE $(BIN)/python benchmarks/cnn_epoch.py
	env -u OPENBLAS_CORETYPE $(BIN)/python benchmarks/lstm_epoch.py

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests benchmarks

# Fashion-MNIST comes from a Debian package; install it where we can, and say how where we cannot.
fashion-data:
	@if [ -d $(FASHION) ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  (apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q dataset-fashion-mnist >/dev/null 2>&1)) \
	  || echo "note: could not install dataset-fashion-mnist (only needed for Fashion-MNIST)"; \
	else echo "note: Fashion-MNIST needs 'sudo apt-get install dataset-fashion-mnist' (optional)"; fi

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
