# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED_RAW ?= ../shared/ssb/raw
SHARED_PLAN ?= ../shared/plan

.PHONY: run test install database snapshot bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

database: $(STAMP)
	$(BIN)/nokkeltall build

# Start the app on the shipped snapshot (no network needed). Streamlit's own settings from the
# environment (e.g. STREAMLIT_SERVER_PORT) are honoured.
run: database
	$(BIN)/streamlit run app.py

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Rebuild the shipped snapshot from the source files in ../shared (one command).
snapshot: $(STAMP)
	rm -rf data/snapshot data/snapshot-versions  # the import then writes a plain directory, as checked in
	$(BIN)/nokkeltall import $(SHARED_RAW) $(SHARED_PLAN)

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) data/*.duckdb data/cache
