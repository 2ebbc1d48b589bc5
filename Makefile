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

## Serve the app on the embedded default: SQLite, eager Celery, emails on the console.
run: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

## The whole suite against a throwaway Postgres and redis-server, started and stopped here;
## then the tests marked `embedded` again on the embedded default (SQLite, no Redis).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	.ci/with-services $(BIN)/pytest $(PYTEST_ARGS)
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
	rm -rf $(VENV) $(AUDIT_VENV) db.sqlite3 staticfiles artifacts
