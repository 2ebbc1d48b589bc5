# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format worker beat migrate demo clean

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

## The whole suite against a throwaway Postgres and redis-server, started and stopped here.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	.ci/with-services $(BIN)/pytest $(PYTEST_ARGS)

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
	rm -rf $(VENV) db.sqlite3 staticfiles artifacts
