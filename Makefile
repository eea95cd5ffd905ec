# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED_RAW ?= ../shared/ssb/raw
SHARED_PLAN ?= ../shared/plan

LOCK := requirements.lock
LOCK_FLAGS ?=

.PHONY: run test install lock database snapshot bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs exactly the locked versions (every file checked against its hash), then the project
# itself without resolving anything again. --no-deps: the lock is complete (tests/test_lock.py), so pip
# need not resolve; --no-compile: Python compiles what is imported on first use instead of every file of
# every package now (half the install's CPU time).
$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps --no-compile -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Refresh requirements.lock from pyproject.toml (run after adding or changing a dependency; versions
# already in the lock are kept where they still fit). `make lock LOCK_FLAGS=--upgrade` moves every
# package to its newest version. The lock is for Python 3.11, the oldest Python the project supports.
lock: | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 --generate-hashes \
		--custom-compile-command 'make lock' --quiet $(LOCK_FLAGS) -o $(LOCK)

database: $(STAMP)
	$(BIN)/nokkeltall build

# Start the app on the shipped snapshot (no network needed). Streamlit's own settings from the
# environment (e.g. STREAMLIT_SERVER_PORT) are honoured. PYTHONOPTIMIZE=2 (-OO): see SERVER_ENVIRONMENT in
# nokkeltall/config.py (the browser tests and the benchmark start the server the same way).
run: database
	@$(BIN)/python -m nokkeltall.charts.images
	PYTHONOPTIMIZE=2 $(BIN)/streamlit run app.py

# One pytest worker per core and one more for the browser tests, which mostly wait (pytest-xdist; at most 4:
# each builds its own session fixtures). The browser tests run as two units, each on one worker against its
# own app server (tests/conftest.py). TEST_WORKERS=0: serial.
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --maxprocesses 4

# Rebuild the shipped snapshot from the source files in ../shared (one command).
snapshot: $(STAMP)
	rm -rf data/snapshot data/snapshot-versions  # the import then writes a plain directory, as checked in
	$(BIN)/nokkeltall import $(SHARED_RAW) $(SHARED_PLAN)
	$(BIN)/nokkeltall projection prepare  # the backtests' choices for these figures, shipped with them

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) data/*.duckdb data/cache
