"""A real local SMTP server that refuses: the task retries with backoff, then marks it failed."""

from smtplib import SMTPDataError, SMTPException

import pytest
from django.urls import reverse

from courseapp.celery import app
from courseapp.models import Reminder
from courseapp.reminders.services import reminder_send
from courseapp.reminders.tasks import reminder_send_task

from .conftest import at
from .helpers import sweep
from .smtp import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture(autouse=True)
def _eager_retries():
    # Task.apply() runs the task and its retries in this process, one after the other (the
    # countdowns are skipped); propagating would stop at the first retry.
    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = propagates


@pytest.fixture
def reminder(clock, cohort, fellow) -> Reminder:
    sweep(clock, at(2025, 3, 5, 10))
    return Reminder.objects.get(recipient=fellow)


def test_the_send_task_retries_with_backoff_on_smtp_and_network_errors():
    assert reminder_send_task.autoretry_for == (SMTPException, OSError)
    assert reminder_send_task.retry_backoff is True
    assert reminder_send_task.max_retries == 5
    assert reminder_send_task.acks_late is True


def test_a_temporary_refusal_is_retried_and_the_email_arrives_once(smtp_server, reminder):
    smtp_server.refuse = 2

    reminder_send_task.apply(args=[reminder.pk])

    assert len(smtp_server.messages) == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts, reminder.last_error) == ("sent", 3, "")


def test_a_refusal_on_every_attempt_marks_it_failed_with_the_servers_reply(smtp_server, reminder):
    smtp_server.refuse, smtp_server.reply = 99, "550 5.7.1 Message rejected as spam"

    reminder_send_task.apply(args=[reminder.pk])

    reminder.refresh_from_db()
    assert reminder.status == "failed"
    assert reminder.attempts == reminder_send_task.max_retries + 1
    assert "550" in reminder.last_error and "rejected as spam" in reminder.last_error
    assert smtp_server.messages == []


def test_between_retries_the_claim_is_released_with_the_error(smtp_server, reminder):
    smtp_server.refuse = 1
    with pytest.raises(SMTPDataError):
        reminder_send(reminder=reminder)

    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("pending", 1)
    assert "451" in reminder.last_error


def test_a_mail_server_that_is_down_ends_failed(settings, reminder):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens

    reminder_send_task.apply(args=[reminder.pk])

    reminder.refresh_from_db()
    assert reminder.status == "failed"
    assert "Connection refused" in reminder.last_error or "111" in reminder.last_error


def test_the_admin_lists_failed_reminders_and_its_action_queues_them_again(
    client, staff, reminder, django_capture_on_commit_callbacks
):
    Reminder.objects.filter(pk=reminder.pk).update(status="failed", last_error="550 no")
    client.force_login(staff)
    url = reverse("admin:courseapp_reminder_changelist")

    listed = client.get(url, {"status__exact": "failed"})
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, {"action": "retry_failed", "_selected_action": [reminder.pk]})

    assert listed.status_code == 200 and b"550 no" in listed.content
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert (reminder.status, len(callbacks)) == ("pending", 1)
