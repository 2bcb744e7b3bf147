# The two commands: `make serve` and `make test`. Everything else supports them.
PYTHON ?= python3
PORT ?= 8000
HOST ?= 127.0.0.1
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

.PHONY: serve test test-postgres test-redis lint format schema validate migrate load-data release static clean test-typescript fuzz test-e2e bench bench-postgres

# The venv is rebuilt only when a requirements file changes: a stamp file records the last install.
$(VENV)/.installed-runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.installed-runtime

migrate: $(VENV)/.installed-runtime
	$(MANAGE) migrate --noinput

load-data: migrate
	$(MANAGE) import_dataset fixtures

# The downloadable release that /api/v1/dataset/ offers (var/release/).
release: load-data
	$(MANAGE) export_dataset

static: $(VENV)/.installed-runtime
	$(MANAGE) collectstatic --noinput --verbosity 0

# A request line up to 8190 bytes (gunicorn's most; its default is 4094), so that a query string over the
# application's 4096 characters gets the API's JSON 414, not gunicorn's HTML page. The tests of a live server run
# this very line (tests/live_gunicorn.py).
serve: release static
	$(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-2} --limit-request-line 8190 --access-logfile -

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# validate_dataset on the fixtures is one of the suite's tests (tests/test_validate_dataset.py), so that
# `make test-postgres` runs it too: no `validate` here.
# On every CPU (pytest-xdist), a test file at a time per worker, so that what a file or class loads once stays once.
test: lint
	$(VENV)/bin/pytest --numprocesses auto --dist loadfile

# The curated fixtures pass validate_dataset (checked in a throw-away SQLite database): the suite's check, by hand.
validate: $(VENV)/.installed-runtime
	@tmp=$$(mktemp -d); \
	env -u DATABASE_URL DJANGO_VAR_DIR=$$tmp $(MANAGE) migrate --noinput -v0 \
	  && env -u DATABASE_URL DJANGO_VAR_DIR=$$tmp $(MANAGE) validate_dataset --fixtures fixtures; \
	status=$$?; rm -rf $$tmp; exit $$status

# The same suite against a throw-away PostgreSQL server (installed from Debian's packages when missing).
test-postgres: $(VENV)/.installed-dev
	.ci/with-postgres $(VENV)/bin/pytest

# The rate limit and the cached API answers against a throw-away Redis server (CACHE_URL; installed from Debian's
# packages when missing), as app servers share them in production.
test-redis: $(VENV)/.installed-dev
	.ci/with-redis $(VENV)/bin/pytest tests/test_production_throttling.py tests/test_api_cache.py

# The types openapi-typescript generates from api/openapi.yaml, used by a typed example that must compile with
# `tsc --strict` (node and npm from the machine; versions pinned in clients/typescript/package-lock.json).
test-typescript:
	cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error && npm run --silent check

# schemathesis against a live server (gunicorn on loopback, a fresh SQLite database with the curated fixtures):
# every check on every operation of the schema; how much it generates is in .ci/schemathesis.toml.
fuzz: $(VENV)/.installed-dev
	.ci/fuzz

# The admin's review workflow end to end in headless Chromium (Debian's package, installed when missing), driven
# by Playwright; screenshots in var/e2e-screenshots/.
test-e2e: $(VENV)/.installed-dev
	.ci/e2e

# The API against Datasette on the same synthetic data, at small, medium and large scale (bench/README.md); never
# part of `make test`. BENCH_ARGS passes options, e.g. `make bench BENCH_ARGS="--scales small --duration 5"`.
bench: $(VENV)/.installed-dev
	$(PY) bench/run.py $(BENCH_ARGS)

# Our API alone on a throw-away PostgreSQL server (.ci/with-postgres) at `medium`: the multi-machine setup's figures.
bench-postgres: $(VENV)/.installed-dev
	.ci/with-postgres $(PY) bench/run.py --postgres --scales medium --skip-import $(BENCH_ARGS)

# Regenerate the committed OpenAPI schema after an API change (tests/test_schema.py compares against it).
schema: $(VENV)/.installed-runtime
	$(MANAGE) spectacular --validate --fail-on-warn --file api/openapi.yaml

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
