"""`manage.py run_reminders`: one sweep now, through the reminders service, saying in plain words
what it recorded and sent; `--dry-run` lists what a sweep would record and changes nothing."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from courseapp.celery import app
from courseapp.models import Reminder

from .conftest import at

# Transactional: the sweep's sends are queued on commit, as in production.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


@pytest.fixture
def eager_tasks():
    """Sends run in this process, as on the embedded default, whatever broker the suite has."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


def _run(*args) -> str:
    out = io.StringIO()
    call_command("run_reminders", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_lists_what_would_be_sent_and_writes_nothing(clock, cohort, fellow, eager_tasks):
    clock.move_to(at(2025, 3, 5, 10), tick=False)

    output = _run("--dry-run")

    assert "Dry run, nothing recorded or sent. A sweep now would record 1 reminder in 1 email." in (
        output
    )
    line = f"  {fellow.name} <{fellow.email}>, Core readings before a session, {cohort.name}"
    assert line in output.splitlines()
    assert Reminder.objects.count() == 0
    assert mail.outbox == []


def test_a_dry_run_leaves_out_what_is_already_recorded(clock, cohort, fellow, eager_tasks):
    clock.move_to(at(2025, 3, 5, 10), tick=False)
    _run()

    output = _run("--dry-run")

    assert "would record 0 reminders in 0 emails." in output
    assert fellow.email not in output


def test_it_records_and_sends_the_reminder_once(clock, cohort, fellow, eager_tasks):
    clock.move_to(at(2025, 3, 5, 10), tick=True)

    first = _run()
    second = _run()

    assert first.splitlines() == [
        "Recorded 1 reminder and queued 1 email; queued 0 lost sends again.",
        f"  {fellow.name} <{fellow.email}>, Core readings before a session, {cohort.name}: sent",
    ]
    assert second.splitlines() == [
        "Recorded 0 reminders and queued 0 emails; queued 0 lost sends again."
    ]
    [email] = mail.outbox
    assert email.to == [fellow.email]
    reminder = Reminder.objects.get()
    assert (reminder.recipient, reminder.kind, reminder.status) == (
        fellow,
        Reminder.Kind.BEFORE_SESSION,
        Reminder.Status.SENT,
    )


def test_outside_the_recipients_daytime_it_records_nothing(clock, cohort, fellow, eager_tasks):
    clock.move_to(at(2025, 3, 5, 20), tick=False)

    assert "would record 0 reminders" in _run("--dry-run")
    assert _run().startswith("Recorded 0 reminders")
    assert Reminder.objects.count() == 0
