"""Exactly once under concurrency, against the real Postgres: sweeps (or beat processes) racing
each other, and several workers sending the same reminders at the same moment."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection

from courseapp.models import Reminder
from courseapp.reminders.services import reminder_send, reminders_sweep
from tests.courseapp.weeks import facilitator_of, fellow_in
from tests.factories import EnrollmentFactory
from tests.quizzes.factories import QuizFactory

from .conftest import at, cohort_on

pytestmark = pytest.mark.django_db(transaction=True)


def _at_once(*jobs) -> list:
    """Run the jobs in threads released together; each thread has its own DB connection."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), []

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - reported below with the others
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return results


def test_two_sweeps_at_once_record_each_reminder_once(clock, cohort):
    fellows = [fellow_in(cohort) for _ in range(40)]
    facilitator_of(cohort)
    clock.move_to(at(2025, 3, 5, 17, 30), tick=False)

    _at_once(reminders_sweep, reminders_sweep, reminders_sweep)

    assert Reminder.objects.count() == 41
    assert Reminder.objects.filter(recipient__in=fellows, kind="before_session").count() == 40


def test_workers_racing_over_the_same_reminders_send_each_email_once(clock, cohort):
    # Each fellow has two reasons (two rows, merged into one email): workers race on both rows.
    other = cohort_on(cohort.start_date - dt.timedelta(days=2))
    QuizFactory(unit=other.sessions.order_by("starts_at").first().unit)
    fellows = [fellow_in(cohort) for _ in range(6)]
    for fellow in fellows:
        EnrollmentFactory(cohort=other, user=fellow)
    clock.move_to(at(2025, 3, 5, 10), tick=False)
    reminders_sweep()
    rows = list(Reminder.objects.order_by("pk"))
    assert len(rows) == 12

    sent = _at_once(*[lambda r=r: reminder_send(reminder=r) for r in rows for _ in range(2)])

    assert sum(sent) == 12
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f.email for f in fellows)
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}
