"""A real Celery worker, on the real redis-server broker, runs a task that writes to Postgres."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from courseapp.celery import app
from courseapp.models import WorkerHeartbeat
from courseapp.platform.tasks import worker_heartbeat


@pytest.fixture
def celery_worker(transactional_db, settings):
    assert not app.conf.task_always_eager, "the test suite must use the real broker"
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def test_a_real_worker_runs_the_heartbeat_task_against_postgres(celery_worker):
    worker_heartbeat.delay()

    heartbeat = _wait_for(lambda: WorkerHeartbeat.objects.first())
    # The task ran in the worker, not eagerly in this process.
    assert heartbeat.hostname != "eager"
    assert heartbeat.hostname in celery_worker.hostname


def _wait_for(fetch, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while (found := fetch()) is None:
        assert time.monotonic() < deadline, "the worker did not run the task in time"
        time.sleep(0.05)
    return found
