"""Postgres restarted under load: the app runs as in production (gunicorn, persistent
connections with health checks) against the test database while threads keep requesting a
fellow's unit page; the suite's Postgres is stopped, left down a moment and started again.

Every request answers before the client's timeout (no hang): 200, or during the outage a 500
with the plain error page. Afterwards the same gunicorn worker serves pages again with no
restart of its own: its dead persistent connection is noticed and replaced.
"""

import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from courseapp.models import Cohort
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort

from .conftest import (
    free_port,
    gunicorn,
    pg_ctl,
    pg_start,
    port_open,
    show_log,
    stop,
    subprocess_env,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)
REQUEST_TIMEOUT = 8.0


@dataclass
class Outcome:
    status: int
    body: str


def _get(url: str, cookie: str) -> Outcome:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return Outcome(status, body.decode(errors="replace"))


def _load(url: str, cookie: str, stop_event: threading.Event, outcomes: list) -> None:
    while not stop_event.is_set():
        try:
            outcomes.append(_get(url, cookie))
        except OSError as error:  # a timeout (a hang) or a refused connection: a failure below
            outcomes.append(Outcome(0, repr(error)))


@pytest.fixture
def fellow_page():
    course, [unit] = course_with_units(units=1)
    fellow = fellow_in(weekly_cohort(course, pacing=Cohort.Pacing.SELF_PACED))
    client = Client()
    client.force_login(fellow)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return f"/units/{unit.pk}/", cookie


def test_requests_fail_cleanly_during_a_postgres_restart_and_the_app_recovers(
    fellow_page, tmp_path
):
    path, cookie = fellow_page
    port, log = free_port(), tmp_path / "gunicorn.log"
    server = gunicorn(port=port, env=subprocess_env(CONN_MAX_AGE="600"), log=log)
    url = f"http://127.0.0.1:{port}{path}"
    outcomes: list[Outcome] = []
    stop_event = threading.Event()
    threads = [
        threading.Thread(target=_load, args=(url, cookie, stop_event, outcomes)) for _ in range(4)
    ]
    try:
        wait_until(lambda: port_open(port), timeout=15, what=f"gunicorn\n{show_log(log)}")
        assert _get(url, cookie).status == 200, show_log(log)
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        pg_ctl("-m", "fast", "-w", "stop")
        time.sleep(1.5)
        pg_start()
        time.sleep(1.0)
    finally:
        stop_event.set()
        for thread in threads:
            thread.join(timeout=REQUEST_TIMEOUT + 2)
        _postgres_back()
        after = [_get(url, cookie) for _ in range(5)] if server.poll() is None else []
        stop(server)

    statuses = {o.status for o in outcomes}
    assert statuses <= {200, 500}, (statuses, show_log(log))
    assert 500 in statuses and 200 in statuses
    errors = [o.body for o in outcomes if o.status == 500]
    assert all("Something went wrong" in body and "Traceback" not in body for body in errors)
    # The same worker (never restarted) serves the page again.
    assert [o.status for o in after] == [200] * 5, show_log(log)
    assert log.read_text(errors="replace").count("Booting worker") == 1


def _postgres_back() -> None:
    """Whatever happened above, leave the suite's Postgres running and this process's
    connections fresh (the old ones died with the server)."""
    try:
        pg_ctl("status")
    except Exception:
        pg_start()
    connections.close_all()
