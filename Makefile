# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format worker beat migrate demo clean bench audit

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==26.3
	$(BIN)/pip install --quiet --disable-pip-version-check --group test
	touch $(STAMP)

## Serve the app on the embedded default: SQLite, emails on the console, and beside runserver a
## Celery worker running beat, on kombu's filesystem broker under .celery/ (no Redis). The worker
## stops with runserver (Ctrl-C). `make run HOST=0.0.0.0 PORT=8001`; links in emails follow
## unless SITE_URL is set.
HOST ?= 127.0.0.1
PORT ?= 8000
SITE_URL ?= http://$(HOST):$(PORT)
ALLOWED_HOSTS ?= 127.0.0.1,localhost,[::1],$(HOST)
RUN_ENV := DEBUG=1 SITE_URL='$(SITE_URL)' ALLOWED_HOSTS='$(ALLOWED_HOSTS)' CELERY_BROKER_URL=filesystem://
WORKER_ARGS := --pool solo --loglevel=info --without-gossip --without-mingle --without-heartbeat
run: $(STAMP)
	rm -rf .celery/processed
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	export $(RUN_ENV); \
	$(BIN)/celery -A courseapp worker -B $(WORKER_ARGS) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; trap 'exit 130' INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## The whole suite against a throwaway Postgres and redis-server, started and stopped here (in
## parallel processes, then the fault tests on their own: .ci/suite); then the tests marked
## `embedded` again on the embedded default (SQLite, no Redis).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	.ci/with-services .ci/suite $(PYTEST_ARGS)
	.ci/embedded-default $(BIN)/pytest -m embedded $(PYTEST_ARGS)

## Known vulnerabilities in the installed, pinned dependencies, with pip-audit in its own venv.
## --strict fails when a package could not be looked up, instead of passing it unaudited.
## Not part of `make test`: it needs PyPI's JSON API (or OSV), which this build network lacks.
AUDIT_VENV := .venv-audit
audit: $(STAMP)
	test -x $(AUDIT_VENV)/bin/pip-audit || ( $(PYTHON) -m venv $(AUDIT_VENV) \
		&& $(AUDIT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check pip==26.3 \
		&& $(AUDIT_VENV)/bin/pip install --quiet --disable-pip-version-check --group audit )
	$(AUDIT_VENV)/bin/pip-audit --strict --progress-spinner off \
		--path "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"

## The app under load at realistic scale (not part of `make test`); results under .bench/.
bench: $(STAMP)
	.ci/bench $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Against the services named by DATABASE_URL and REDIS_URL (see docker-compose.yml).
worker: $(STAMP)
	$(BIN)/celery -A courseapp worker --loglevel=info

beat: $(STAMP)
	$(BIN)/celery -A courseapp beat --loglevel=info

clean:
	rm -rf $(VENV) $(AUDIT_VENV) db.sqlite3 staticfiles artifacts .celery
