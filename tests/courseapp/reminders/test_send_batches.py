"""A sweep queues its emails in chunks (one broker message per chunk, not per email); a chunk
sends each email once, a redelivered chunk sends nothing more, and an SMTP failure inside a
chunk moves that one email to its own retrying task."""

from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail

from courseapp.models import Reminder
from courseapp.reminders import services
from courseapp.reminders.tasks import reminders_send_batch_task
from tests.courseapp.weeks import fellow_in

from .conftest import at
from .helpers import sweep

pytestmark = pytest.mark.django_db
# Not the SMTP-failure test: it counts on the retry going to a broker, and the embedded
# default runs tasks eagerly, so there the retry runs (and raises) inside the chunk.
embedded = pytest.mark.embedded


def _leads() -> list[int]:
    return list(Reminder.objects.order_by("pk").values_list("pk", flat=True))


@embedded
def test_it_queues_a_sweeps_emails_in_chunks_with_one_commit_callback(
    clock, cohort, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(services, "SEND_CHUNK", 2)
    fellows = [fellow_in(cohort) for _ in range(5)]

    with django_capture_on_commit_callbacks() as callbacks:
        result = sweep(clock, at(2025, 3, 5, 10))

    assert (result.queued, len(callbacks)) == (len(fellows), 1)


@embedded
def test_a_chunk_sends_each_email_once_and_a_redelivered_chunk_sends_nothing(clock, cohort):
    fellows = [fellow_in(cohort) for _ in range(3)]
    sweep(clock, at(2025, 3, 5, 10))

    reminders_send_batch_task.apply(args=[_leads()])
    reminders_send_batch_task.apply(args=[_leads()])

    assert sorted(m.to[0] for m in mail.outbox) == sorted(f.email for f in fellows)
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}


def test_an_smtp_failure_in_a_chunk_releases_that_email_and_the_others_go_out(
    clock, cohort, monkeypatch, django_capture_on_commit_callbacks
):
    first, second = fellow_in(cohort), fellow_in(cohort)
    sweep(clock, at(2025, 3, 5, 10))
    real_send = services.reminder_message

    def failing_for_first(*, recipient, **kwargs):
        message = real_send(recipient=recipient, **kwargs)
        if recipient == first:
            message.send = lambda: (_ for _ in ()).throw(SMTPServerDisconnected("gone"))
        return message

    monkeypatch.setattr(services, "reminder_message", failing_for_first)
    reminders_send_batch_task.apply(args=[_leads()])

    assert [m.to for m in mail.outbox] == [[second.email]]
    failed = Reminder.objects.get(recipient=first)
    assert (failed.status, failed.claimed_at is not None) == ("pending", True)
    assert "gone" in failed.last_error
