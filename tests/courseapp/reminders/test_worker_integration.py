"""End to end: beat's sweep task on the real Redis broker, a real Celery worker, a real SMTP
server. The email that arrives has the right subject, both bodies, absolute links and the
unsubscribe headers, and its one-click unsubscribe works."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client

from accounts.models import NotificationPreferences
from courseapp.celery import app
from courseapp.models import Reading, Reminder
from courseapp.reminders.tasks import reminders_sweep_task

from .conftest import at

pytestmark = pytest.mark.django_db(transaction=True)
SITE = "http://testserver"


@pytest.fixture
def celery_worker(transactional_db):
    assert not app.conf.task_always_eager, "the test suite must use the real broker"
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def _wait_until(check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_real_worker_sends_the_swept_reminder_through_a_real_smtp_server(
    clock, cohort, fellow, smtp_server, celery_worker
):
    unit = cohort.sessions.order_by("starts_at").first().unit
    core = list(unit.readings.filter(tier=Reading.Tier.CORE).order_by("position"))
    clock.move_to(at(2025, 3, 5, 10), tick=True)

    reminders_sweep_task.delay()

    [message] = smtp_server.wait_for(1)
    _wait_until(lambda: Reminder.objects.filter(status="sent").exists())
    assert message["To"] == fellow.email
    assert message["Subject"] == "Before Thursday's session: 4 core readings left"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert f"{SITE}/units/{unit.pk}/" in body
        assert all(f"{SITE}/readings/{r.pk}/" in body for r in core)
    unsubscribe = message["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe.startswith(f"{SITE}/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # What a mail provider's unsubscribe button does (RFC 8058): a POST with no cookie or token.
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe.removeprefix(SITE), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert NotificationPreferences.objects.get(user=fellow).before_session is False
    # Nothing more arrives: the worker sent it once.
    time.sleep(0.3)
    assert len(smtp_server.messages) == 1
