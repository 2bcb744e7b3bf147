# The two commands: `make serve` and `make test`. Everything else supports them.
PYTHON ?= python3
PORT ?= 8000
HOST ?= 127.0.0.1
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

.PHONY: serve test test-postgres lint format schema migrate load-data static clean

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

static: $(VENV)/.installed-runtime
	$(MANAGE) collectstatic --noinput --verbosity 0

serve: load-data static
	$(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-2} --access-logfile -

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: lint
	$(VENV)/bin/pytest

# The same suite against a throw-away PostgreSQL server (installed from Debian's packages when missing).
test-postgres: $(VENV)/.installed-dev
	.ci/with-postgres $(VENV)/bin/pytest

# Regenerate the committed OpenAPI schema after an API change (tests/test_schema.py compares against it).
schema: $(VENV)/.installed-runtime
	$(MANAGE) spectacular --validate --fail-on-warn --file api/openapi.yaml

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
