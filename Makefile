# `make run` sets up and starts the app; `make test` sets up and runs every check;
# `make test-fast` and `make test-unit` are the quick loops while working (README: Tests).
SHELL := /bin/bash
VENV ?= .venv
PYTHON := $(VENV)/bin/python
PORT ?= 8501
RUNTIME := $(VENV)/.runtime-installed
TEST_TOOLS := $(VENV)/.test-tools-installed
DEV := $(VENV)/.dev-installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Where the CPU build of torch comes from. Here it lies on disk and plain pip finds it;
# elsewhere use: make run TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
TORCH_PIP_ARGS ?=

.PHONY: run test test-fast test-unit lint types check-browser bench clean

$(PYTHON):
	python3 -m venv $(VENV) || { $(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q python3-venv && \
		python3 -m venv $(VENV); }
	$(PYTHON) -m pip install --quiet --upgrade pip

# torch goes first, pinned, so that nothing later pulls a CUDA build.
$(RUNTIME): requirements.txt pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet $(TORCH_PIP_ARGS) torch==2.13.0
	$(PYTHON) -m pip install --quiet -r requirements.txt
	$(PYTHON) -m pip install --quiet --no-deps --editable .
	touch $@

# pytest and ruff: all that test-fast and test-unit need on top of the runtime.
$(TEST_TOOLS): requirements-test.txt $(RUNTIME)
	$(PYTHON) -m pip install --quiet -r requirements-test.txt
	touch $@

# The rest: mypy, Playwright (browser and server tests), Ray (its engine's test), for make test.
$(DEV): requirements-dev.txt $(TEST_TOOLS)
	$(PYTHON) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Browser tests drive Debian's Chromium; Playwright's own browser download cannot work here.
check-browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium; }

run: $(RUNTIME)
	$(PYTHON) -m embedding_space demo
	$(PYTHON) -m streamlit run app.py --server.port $(PORT)

lint: $(TEST_TOOLS)
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

types: $(DEV)
	$(PYTHON) -m mypy

test: $(DEV) check-browser lint types
	$(PYTHON) -m pytest

# The quick loops leave out what starts Chromium or a real server, and the few slow tests
# whose subject is covered elsewhere; no mypy, no Chromium needed. `make test` runs them all.
QUICK := not browser and not server and not slow
# The core (embedding_space and its command line) alone: no AppTest, no browser.
UNIT_TESTS := tests/io tests/embed tests/analysis tests/figures tests/export tests/store \
	tests/test_rows.py tests/test_limits.py $(wildcard tests/test_cli*.py) tests/test_architecture.py

# Lint and every test but those: the app through AppTest included.
test-fast: $(TEST_TOOLS) lint
	$(PYTHON) -m pytest -m "$(QUICK)"

test-unit: $(TEST_TOOLS)
	$(PYTHON) -m pytest -m "$(QUICK)" $(UNIT_TESTS)

# Benchmarks drive Chromium (draw times, a real server's memory) and a local Ray: dev set-up.
bench: $(DEV) check-browser
	$(PYTHON) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tests/artifacts
