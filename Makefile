# Jimu developer commands. Every target creates .venv first when it is missing (or when
# pyproject.toml changed since the last install).
#
# Never run `python -m pytest` or Python with the repository root as the working directory on
# sys.path: the repo's `platform/` folder would shadow the standard library's `platform`.
# The package is installed (editable) and imported as `jimu.*`.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install test bench run clean-venv

install: $(STAMP)

# Re-install when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

## make test: the whole suite (SQLite; set JIMU_TEST_DATABASE_URL for PostgreSQL).
# pytest's status 5 (no tests collected) fails too, with a message saying so.
test: $(STAMP)
	@status=0; $(BIN)/pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; fi; \
	exit $$status

# The benchmarks run as a script, so sys.path[0] is bench/, never the repo root.
## make bench [BENCH_ARGS="--rows 100000"]: SQLite, then PostgreSQL by default.
BENCH_ARGS ?= --all
## make bench also runs the HTTP API bench (API_BENCH_ARGS, e.g. "--seconds 5").
API_BENCH_ARGS ?= --all
bench: $(STAMP)
	@status=0; $(BIN)/python bench/run.py $(BENCH_ARGS) || status=$$?; \
	$(BIN)/python bench/api_bench.py $(API_BENCH_ARGS) || status=$$?; \
	exit $$status

## make run: a database with the template apps, then the HTTP API (HOST, PORT).
# Template apps: templates_library/*.json and */app.json, applied in dependency order by the CLI.
HOST ?= 127.0.0.1
PORT ?= 8000
run: $(STAMP)
	$(BIN)/jimu db init
	@if ls templates_library/*.json templates_library/*/app.json >/dev/null 2>&1; then \
		$(BIN)/jimu app apply templates_library; \
	else \
		echo "templates_library/ holds no template apps yet."; \
	fi
	@if $(BIN)/jimu serve --help >/dev/null 2>&1; then \
		exec $(BIN)/jimu serve --host $(HOST) --port $(PORT); \
	else \
		echo "Database ready; the server arrives with the HTTP API issue. Meanwhile: $(BIN)/jimu --help"; \
	fi

clean-venv:
	rm -rf $(VENV)
