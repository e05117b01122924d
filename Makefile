# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint unit bench bench-micro bench-scale wrk chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mockserver serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Chromium comes from Debian's packages (a browser download by Playwright is not possible
# here); the browser suite needs it.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) lint chromium
	$(BIN)/python -m pytest

unit: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

wrk:
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

# Throughput against a bare-Starlette floor in the same run; ratios are the result.
bench: $(STAMP) wrk
	$(BIN)/python -m bench.run --json-out bench/results.json
	$(BIN)/python -m bench.run --workers-scan 1,2

# pytest-benchmark timings of the query engine and serialization (not part of `make test`).
bench-micro: $(STAMP)
	$(BIN)/python -m pytest bench/test_micro.py --benchmark-only -p no:cacheprovider

# Startup, memory and latency from 1k to 1M users, with a plot (bench/scale.png).
bench-scale: $(STAMP) wrk
	$(BIN)/python -m bench.scale --json-out bench/scale.json

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist
