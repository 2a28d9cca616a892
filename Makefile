# KOTAKU Collab: two commands on a fresh machine (`make run`, `make test`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := kotaku_collab:create_app

# Machine-local files (the SQLite database, the development secret key) live here.
INSTANCE := $(or $(KOTAKU_INSTANCE_PATH),instance)

.PHONY: run test install install-test translations translations-update migrate seed serve clean bench

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "KOTAKU Collab needs Python 3.11 or newer: make PYTHON=python3.12 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Compiled catalogues (*.mo) are not committed; compile whatever .po files exist.
translations: install
	@if ls kotaku_collab/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel --quiet compile -d kotaku_collab/translations; \
	else echo "No translation catalogues yet: the interface shows the English source texts."; fi

# Re-extract the English msgids (Python: _, _l, ngettext; templates: _, ngettext) and merge them
# into every catalogue, keeping the existing translations. Then translate the new (empty or
# fuzzy) entries in kotaku_collab/translations/id/LC_MESSAGES/messages.po: the test suite
# (tests/test_translations.py, which reads BABEL_KEYWORDS from here) fails until none is left.
BABEL_KEYWORDS := -k _l -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2
translations-update: install
	$(BIN)/pybabel --quiet extract -F babel.cfg $(BABEL_KEYWORDS) -c TRANSLATORS: --sort-by-file \
	  --project "KOTAKU Collab" -o kotaku_collab/translations/messages.pot .
	$(BIN)/pybabel --quiet update --ignore-obsolete -i kotaku_collab/translations/messages.pot \
	  -d kotaku_collab/translations

migrate: install
	mkdir -p "$(INSTANCE)"
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask kotaku seed-demo

# The development server, on this machine only (its debugger must never face a network).
SERVE := $(BIN)/flask --debug run --host 127.0.0.1 --port 5000 --no-reload

run: translations seed
	$(SERVE)

# Serve again without migrating or seeding.
serve: install
	$(SERVE)

# The whole suite on SQLite (with the browser tests); then, when TEST_DATABASE_URL names a
# PostgreSQL database (CI sets it), the whole suite again on PostgreSQL.
PG_URL := $(TEST_DATABASE_URL)
test: install-test translations
	TEST_DATABASE_URL= TEST_POSTGRES_URL='$(PG_URL)' $(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n '$(PG_URL)' ]; then \
	  echo "== the suite again on PostgreSQL =="; \
	  TEST_DATABASE_URL='$(PG_URL)' TEST_POSTGRES_URL='$(PG_URL)' $(BIN)/python -m pytest -m "not e2e" $(PYTEST_ARGS); \
	else echo "PostgreSQL pass skipped: set TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test to run it."; fi

# Seed (or reuse) the national-scale dataset under bench/, serve it with gunicorn and measure
# every main page against /healthz (bench/README.md). DATABASE_URL=postgresql+psycopg://... runs
# it on PostgreSQL instead. BENCH_ARGS="--scale 0.1 --duration 3" for a quick look.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) *.egg-info
