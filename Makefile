# `make run` sets up and starts the app; `make test` sets up and runs every check.
SHELL := /bin/bash
VENV ?= .venv
PYTHON := $(VENV)/bin/python
PORT ?= 8501
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Where the CPU build of torch comes from. Here it lies on disk and plain pip finds it;
# elsewhere use: make run TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
TORCH_PIP_ARGS ?=

.PHONY: run test test-fast lint types check-browser bench clean

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

$(DEV): requirements-dev.txt $(RUNTIME)
	$(PYTHON) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Browser tests drive Debian's Chromium; Playwright's own browser download cannot work here.
check-browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium; }

run: $(RUNTIME)
	$(PYTHON) -m embedding_space demo
	$(PYTHON) -m streamlit run app.py --server.port $(PORT)

lint: $(DEV)
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

types: $(DEV)
	$(PYTHON) -m mypy

test: $(DEV) check-browser lint types
	$(PYTHON) -m pytest

# Everything but the browser journey (the router's real-server test still runs).
test-fast: $(DEV) check-browser lint types
	$(PYTHON) -m pytest -m "not browser"

# Benchmarks drive Chromium (draw times, a real server's memory) and a local Ray: dev set-up.
bench: $(DEV) check-browser
	$(PYTHON) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tests/artifacts
