"""A worker killed mid-send (kill -9 while the SMTP server is slow to answer) and a new worker
started: the reminder is sent exactly once.

A real `celery worker` subprocess on its own queue, the real Redis broker, the test database and
a real SMTP server (aiosmtpd) that stalls the first conversation before it accepts a message.
The claim the dead worker left expires after the lease (2 s here); the next sweep queues the
reminder again and the new worker sends it. The dead worker's own message, were the broker to
deliver it again (acks_late: it was never acknowledged), claims nothing and sends nothing.
"""

import asyncio
import signal
import threading
import time
import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from courseapp.celery import app
from courseapp.models import Cohort, Enrollment, Reminder, WorkerHeartbeat
from courseapp.platform.tasks import worker_heartbeat
from courseapp.reminders.services import nudge_send, reminders_sweep
from courseapp.reminders.tasks import reminder_send_task
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in, weekly_cohort

from .conftest import celery_worker, free_port, show_log, stop, subprocess_env, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
LEASE_SECONDS = 2


class StallingMailbox:
    """Stalls the first RCPT until released (or 30 s); accepts every later message."""

    def __init__(self):
        self.messages = []
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if not self.stalled.is_set():
            self.stalled.set()
            deadline = time.monotonic() + 30
            while not self.release.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 2.0.0 OK"


@pytest.fixture
def mailbox():
    box = StallingMailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    box.release.set()
    controller.stop()


@pytest.fixture
def queue(settings):
    """Tasks this test queues go to a queue of its own, which only its workers consume."""
    name = f"faults-{uuid.uuid4().hex[:10]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = name
    settings.REMINDER_CLAIM_LEASE_SECONDS = LEASE_SECONDS
    settings.REMINDER_WINDOW_START, settings.REMINDER_WINDOW_END = 0, 24
    yield name
    app.conf.task_default_queue = previous


def _worker_ready(queue: str, log, since: float = 0.0) -> None:
    """A heartbeat task, run by the worker on this queue, proves it consumes it."""
    worker_heartbeat.delay()
    wait_until(
        lambda: WorkerHeartbeat.objects.filter(
            hostname__startswith=f"{queue}@", seen_at__gt=datetime.fromtimestamp(since, tz=UTC)
        ).exists(),
        timeout=30,
        what=f"the worker to start\n{show_log(log)}",
    )


def test_a_worker_killed_mid_send_is_replaced_and_the_reminder_goes_out_exactly_once(
    mailbox, queue, tmp_path
):
    box, smtp_port = mailbox
    course, _ = course_with_units(units=1)
    # Self-paced with the first session weeks away: the sweep finds nothing else due.
    cohort = weekly_cohort(course, starts_in_days=30, pacing=Cohort.Pacing.SELF_PACED)
    fellow, facilitator = fellow_in(cohort), facilitator_of(cohort)
    env = subprocess_env(
        CELERY_QUEUE=queue,
        REMINDER_CLAIM_LEASE_SECONDS=str(LEASE_SECONDS),
        REMINDER_WINDOW_START="0",
        REMINDER_WINDOW_END="24",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
    )
    first_log, second_log = tmp_path / "worker-1.log", tmp_path / "worker-2.log"
    first = celery_worker(queue=queue, env=env, log=first_log)
    second = None
    try:
        _worker_ready(queue, first_log)
        enrollment = Enrollment.objects.get(user=fellow, cohort=cohort)
        reminder = nudge_send(sender=facilitator, enrollment=enrollment)

        assert box.stalled.wait(timeout=20), show_log(first_log)
        reminder.refresh_from_db()
        assert reminder.status == Reminder.Status.SENDING
        stop(first, signal.SIGKILL)
        box.release.set()
        assert box.messages == []

        second = celery_worker(queue=queue, env=env, log=second_log)
        _worker_ready(queue, second_log, since=time.time())
        time.sleep(max(0.0, LEASE_SECONDS + 0.2 - _claim_age(reminder)))
        assert reminders_sweep().recovered == 1
        wait_until(lambda: len(box.messages) == 1, timeout=20, what=show_log(second_log))
        wait_until(lambda: _status(reminder) == Reminder.Status.SENT, timeout=10, what="sent")

        # The dead worker's unacknowledged message, delivered again, sends nothing.
        reminder_send_task.delay(reminder.pk)
        _worker_ready(queue, second_log, since=time.time())
    finally:
        for worker in (first, second):
            if worker is not None:
                stop(worker)

    assert len(box.messages) == 1
    assert box.messages[0]["To"] == fellow.email
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (Reminder.Status.SENT, 2)
    assert Reminder.objects.count() == 1


def _claim_age(reminder: Reminder) -> float:
    reminder.refresh_from_db()
    return time.time() - reminder.claimed_at.timestamp()


def _status(reminder: Reminder) -> str:
    reminder.refresh_from_db()
    return reminder.status
