# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Raw data sets: the read-only shared mirror when present, else ./data (filled by `shopchat data fetch`).
SHOPCHAT_DATA_DIR ?= $(if $(wildcard ../shared/data/README.md),$(abspath ../shared/data),./data)
export SHOPCHAT_DATA_DIR
CATALOG ?= icecat

.PHONY: install demo test test-fast lint clean

install: $(STAMP)

# Re-runs only when pyproject.toml changes. torch is pinned to the CPU build (see pyproject).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: install
	$(BIN)/shopchat data fetch $(CATALOG)
	$(BIN)/shopchat index --catalog $(CATALOG)
	$(BIN)/shopchat search --catalog $(CATALOG)

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow"

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy catalog retrieval assistant eval shopchat

clean:
	rm -rf $(VENV) .shopchat .pytest_cache .mypy_cache .ruff_cache
