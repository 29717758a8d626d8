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
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

## make test: the whole suite (SQLite; set JIMU_TEST_DATABASE_URL for PostgreSQL).
# pytest's status 5 (no tests collected) fails too, with a message saying so.
test: $(STAMP)
	@status=0; $(BIN)/pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; fi; \
	exit $$status

## make bench: the benchmarks. Run as a script so sys.path[0] is bench/, not the repo root.
bench: $(STAMP)
	@test -f bench/run.py || { echo "bench/run.py does not exist yet (it arrives with the benchmarks issue)."; exit 1; }
	$(BIN)/python bench/run.py --all

## make run: a database with the template apps; the HTTP server arrives with the HTTP API issue.
run: $(STAMP)
	$(BIN)/jimu db init
	@for app in templates_library/*.json templates_library/*/app.json; do \
		if [ -f "$$app" ]; then echo "applying $$app"; $(BIN)/jimu app apply "$$app" || exit 1; fi; \
	done
	@echo "Database ready ($${JIMU_DATABASE_URL:-sqlite:///jimu.db})."
	@echo "The web server is not part of Jimu yet: it arrives with the HTTP API issue."
	@echo "Meanwhile use the CLI: $(BIN)/jimu --help"

clean-venv:
	rm -rf $(VENV)
