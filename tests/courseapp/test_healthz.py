import socket

import pytest
from django.urls import reverse

from courseapp.platform.health import worker_heartbeat_record

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_it_is_healthy_with_database_and_redis_reachable(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["redis"] == "ok"


def test_it_is_503_and_names_redis_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["redis"].startswith("error")
    assert response.json()["database"] == "ok"


def test_it_reports_when_a_worker_was_last_seen(client):
    assert client.get(reverse("healthz")).json()["worker_last_seen"] == "never"

    worker_heartbeat_record(hostname="worker@test")

    assert client.get(reverse("healthz")).json()["worker_last_seen"].endswith("s ago")


def test_it_needs_no_login_and_is_never_cached(client):
    response = client.get(reverse("healthz"))

    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("eager", "said"),
    [(True, "tasks run eagerly"), (False, "tasks go through the broker at CELERY_BROKER_URL")],
)
def test_without_redis_it_says_how_tasks_run_and_stays_healthy(client, settings, eager, said):
    settings.REDIS_URL, settings.CELERY_TASK_ALWAYS_EAGER = "", eager

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json()["redis"] == f"not configured ({said})"
