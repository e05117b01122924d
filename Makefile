# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_TOOLS := tests/tools/node_modules/.package-lock.json

.PHONY: run test lint unit fuzz fuzz-writes bench bench-micro bench-scale soak wrk chromium node-tools redis clean

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

# The Node tools of tests/test_contract_tools.py (openapi-typescript, openapi-fetch,
# TypeScript, Spectral) at the versions of tests/tools/package-lock.json, installed in the
# repository so that the tests download nothing. The target is npm's own record of the tree
# it installed (node_modules/.package-lock.json), touched after the install: `npm ci` runs
# again only when the lock file is newer than that install, or when there is none. npm
# comes from Debian's packages when the machine has none.
node-tools: $(NODE_TOOLS)

$(NODE_TOOLS): tests/tools/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
		apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error
	touch $@

# A Redis-compatible server for the shared-state tests (tests/test_sessions.py starts its own
# on a free port and stops it by PID; nothing listens otherwise): Valkey where Debian has it,
# else Redis. Debian's package may try to start its service; the tests never use that one.
redis:
	@command -v valkey-server >/dev/null 2>&1 || command -v redis-server >/dev/null 2>&1 || { \
		apt-get update -qq && { apt-get install -y -qq valkey-server >/dev/null 2>&1 || \
		apt-get install -y -qq redis-server >/dev/null; }; }

# Two pytest workers (pytest-xdist), a test file each at a time, so that module fixtures (a
# server, a DRF service) start once: the suites that wait on sockets, timers and
# subprocesses overlap the ones that compute. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2

test: $(STAMP) lint chromium node-tools wrk redis
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=20

unit: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

# Hostile specs (alias bombs, $ref cycles and URLs, huge numbers, odd paths) at `check`, and
# hostile HTTP (pipelining, trailers, trickles, upgrades, odd bodies) at one server, each
# for FUZZ_SECONDS: no 5xx but the documented 503, no traceback, RSS under a stated bound.
# `make test` runs them for about 30 s each; `make fuzz FUZZ_SECONDS=1800` for longer.
FUZZ_SECONDS ?= 300
fuzz: $(STAMP)
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m pytest -s -p no:cacheprovider \
		tests/test_hostile_specs.py::test_fuzz_hostile_specs_bounded \
		tests/test_hostile_http.py::test_hostile_http_bounded

# Schemathesis on every method of every corpus spec, writes included (not yet passing:
# README, "Writes"); `make test` fuzzes the corpus's reads and the reference spec's writes.
fuzz-writes: $(STAMP)
	MOCK_FUZZ_WRITES=1 $(BIN)/python -m pytest -s -p no:cacheprovider \
		tests/test_realspecs_http.py -k schemathesis

wrk:
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	@command -v luajit >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq luajit >/dev/null; }

# Start times beside `python -c pass`; throughput against a bare-Starlette floor in the same
# run, with the request journal on (the default) and off; ratios are the result.
bench: $(STAMP) wrk
	$(BIN)/python -m bench.start
	$(BIN)/python -m bench.run --json-out bench/results.json
	$(BIN)/python -m bench.run --mock-cmd "$(BIN)/python -m mockserver serve --journal 0"
	$(BIN)/python -m bench.run --workers-scan 1,2
	$(BIN)/python -m bench.writemix --json-out bench/writes.json

# pytest-benchmark timings of the query engine and serialization (not part of `make test`).
bench-micro: $(STAMP)
	$(BIN)/python -m pytest bench/test_micro.py --benchmark-only -p no:cacheprovider

# A seeded mixed load at saturation: errors, p99 and RSS over time (a 20 s one runs in
# `make test`). `make soak SOAK_MINUTES=10` for longer.
SOAK_MINUTES ?= 3
soak: $(STAMP) wrk
	$(BIN)/python -m bench.soak --minutes $(SOAK_MINUTES)

# Startup, memory and latency from 1k to 1M users, with a plot (bench/scale.png).
bench-scale: $(STAMP) wrk
	$(BIN)/python -m bench.scale --json-out bench/scale.json

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist
