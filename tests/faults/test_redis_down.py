"""Redis down: the suite's real redis-server is shut down. Fellows' pages load and their work
saves, sign-in works, /healthz says Redis is down, and the emails that could not be queued (an
invitation, a nudge) go out once Redis is back, picked up by the periodic sweeps."""

import datetime as dt
import json

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.test import Client
from django.urls import reverse

from courseapp.celery import app
from courseapp.cohorts.services import invitations_requeue_unsent
from courseapp.models import (
    Cohort,
    Enrollment,
    Invitation,
    Reading,
    ReadingProgress,
    Reminder,
    UnitFeedback,
)
from courseapp.reminders.services import reminders_sweep
from quizzes.models import Answer
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in
from tests.factories import PASSWORD, CohortFactory, UserFactory
from tests.quizzes.factories import QuizFactory, question_with_choices

from .conftest import redis_down, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
# A Wednesday morning in UTC: inside the reminder window, no session near (nothing else due).
NOW = dt.datetime(2025, 3, 5, 10, tzinfo=dt.UTC)


@pytest.fixture
def setup(time_machine):
    time_machine.move_to(NOW, tick=True)
    course, [unit] = course_with_units(units=1)
    cohort = CohortFactory(
        course=course, pacing=Cohort.Pacing.SELF_PACED, start_date=dt.date(2025, 4, 3)
    )
    fellow, facilitator = fellow_in(cohort), facilitator_of(cohort)
    question = question_with_choices(QuizFactory(unit=unit))
    return {"unit": unit, "fellow": fellow, "facilitator": facilitator, "question": question}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fellow_works(client: Client, setup) -> None:
    unit, question = setup["unit"], setup["question"]
    reading = unit.readings.filter(tier=Reading.Tier.CORE).first()
    assert client.get(reverse("unit_detail", args=[unit.pk])).status_code == 200
    marked = client.post(reverse("reading_mark", args=[reading.pk]), {"done": "1"})
    assert marked.status_code == 302
    started = client.post(reverse("quiz_start", args=[question.quiz.pk]))
    attempt_url = started["Location"]
    attempt_pk = int(attempt_url.strip("/").split("/")[-1])
    choice = question.choices.first()
    save = reverse("answer_save", args=[attempt_pk, question.pk])
    assert client.post(save, {f"q{question.pk}": choice.pk}).status_code == 302
    feedback = {"rating": "4", "what_worked": "Clear readings", "what_to_change": ""}
    assert client.post(reverse("unit_feedback", args=[unit.pk]), feedback).status_code == 302


def _facilitator_queues_emails(client: Client, setup) -> None:
    cohort = Enrollment.objects.get(user=setup["fellow"]).cohort
    invited = client.post(reverse("cohort_invite", args=[cohort.pk]), {"emails": "new@example.org"})
    assert invited.status_code == 302
    nudge = reverse("cohort_fellow_nudge", args=[cohort.pk, setup["fellow"].pk])
    assert client.post(nudge).status_code == 302


def test_pages_work_with_redis_down_and_the_queued_emails_go_out_when_it_is_back(
    setup, time_machine
):
    fellow = setup["fellow"]
    signer = UserFactory(email="signer@example.org")

    with redis_down():
        _fellow_works(_client(fellow), setup)
        _facilitator_queues_emails(_client(setup["facilitator"]), setup)
        # Sign-in works though allauth's rate-limit counters live in the (unreachable) cache.
        signed_in = Client().post(
            reverse("account_login"), {"login": signer.email, "password": PASSWORD}
        )
        assert signed_in.status_code == 302 and signed_in["Location"] == reverse("home")
        health = Client().get(reverse("healthz"))
        assert health.status_code == 503
        report = json.loads(health.content)
        assert report["redis"].startswith("error") and report["database"] == "ok"

    assert ReadingProgress.objects.filter(user=fellow).count() == 1
    assert Answer.objects.filter(attempt__user=fellow).exclude(saved_at=None).count() == 1
    assert UnitFeedback.objects.get(user=fellow).rating == 4
    invitation = Invitation.objects.get(email="new@example.org")
    nudge = Reminder.objects.get(recipient=fellow, kind=Reminder.Kind.NUDGE)
    assert invitation.sent_at is None and nudge.status == Reminder.Status.PENDING
    assert mail.outbox == []

    # Past the grace the sweeps give a task to be queued, the next sweeps find both emails.
    time_machine.shift(dt.timedelta(minutes=6))
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert invitations_requeue_unsent() == [invitation.pk]
        assert reminders_sweep().recovered == 1
        wait_until(lambda: len(mail.outbox) == 2, timeout=15, what="both emails")
        wait_until(
            lambda: Reminder.objects.filter(pk=nudge.pk, status=Reminder.Status.SENT).exists(),
            timeout=10,
            what="the nudge to be marked sent",
        )

    assert sorted(m.to[0] for m in mail.outbox) == sorted(["new@example.org", fellow.email])
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    # Sent once: a later sweep finds nothing left to send.
    assert invitations_requeue_unsent() == []
    assert reminders_sweep().recovered == 0


def test_healthz_is_ok_again_once_redis_is_back():
    with redis_down():
        assert Client().get(reverse("healthz")).status_code == 503

    assert Client().get(reverse("healthz")).status_code == 200
