# Jimu developer commands. Every target creates .venv first when it is missing (or when
# pyproject.toml changed since the last install).
# The package is installed (editable) and imported as `jimu.*`.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install test lint bench run clean-venv ui

install: $(STAMP)

# Re-install when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	@touch $(STAMP)

## make test: the whole suite (SQLite; set JIMU_TEST_DATABASE_URL for PostgreSQL).
# pytest's status 5 (no tests collected) fails too, with a message saying so.
test: $(STAMP)
	@status=0; $(BIN)/pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; fi; \
	exit $$status

## make lint: ruff check over the repository, then mypy (strict) over jimu.platform, jimu.engines
## and jimu.web (configured in pyproject.toml; imports of jimu.* resolve through .typecheck/).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# The benchmarks run as a script, so sys.path[0] is bench/, never the repo root.
## make bench [BENCH_ARGS="--rows 100000"]: SQLite, then PostgreSQL by default.
BENCH_ARGS ?= --all
## make bench also runs the HTTP API bench (API_BENCH_ARGS, e.g. "--seconds 5").
API_BENCH_ARGS ?= --all
## make bench also runs the jobs bench (JOBS_BENCH_ARGS, e.g. "--jobs 5000 --batch 10"): jobs/s through 2 workers.
JOBS_BENCH_ARGS ?= --all
## make bench also runs the workflow bench (WF_BENCH_ARGS, e.g. "--docs 20 --clients 8").
WF_BENCH_ARGS ?=
## make bench also runs the report bench (REPORT_BENCH_ARGS, e.g. "--rows 1000000"): reports vs hand-written SQL.
REPORT_BENCH_ARGS ?= --all
bench: $(STAMP)
	@status=0; $(BIN)/python bench/run.py $(BENCH_ARGS) || status=$$?; \
	$(BIN)/python bench/api_bench.py $(API_BENCH_ARGS) || status=$$?; \
	$(BIN)/python bench/jobs_bench.py $(JOBS_BENCH_ARGS) || status=$$?; \
	$(BIN)/python bench/workflow_bench.py $(WF_BENCH_ARGS) || status=$$?; \
	$(BIN)/python bench/report_bench.py $(REPORT_BENCH_ARGS) || status=$$?; \
	exit $$status

## make run: `jimu setup` (database; the template apps in templates_library/ with their demo records,
## none ship yet; admin user: password from JIMU_ADMIN_PASSWORD or generated and printed once;
## idempotent), then the HTTP API on HOST:PORT.
# The database is JIMU_DATABASE_URL (default sqlite:///jimu.db); WORKERS > 1 wants PostgreSQL.
HOST    ?= 127.0.0.1
PORT    ?= 8000
WORKERS ?= 1
run: $(STAMP)
	$(BIN)/jimu setup
	exec $(BIN)/jimu serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

## make ui: rebuild the browser UI (web/ui/dist, committed) from web/ui/src with Node and the lockfile.
ui:
	cd web/ui && npm ci --no-audit --no-fund && npm run build

clean-venv:
	rm -rf $(VENV)
