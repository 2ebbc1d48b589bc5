"""Sending: one merged email per person, absolute links, unsubscribe headers, exactly once."""

import datetime as dt

import pytest
from django.core import mail

from accounts.models import NotificationPreferences
from courseapp.models import Reading, ReadingProgress, Reminder
from courseapp.reminders.services import reminder_send, reminders_claim
from tests.courseapp.weeks import facilitator_of, fellow_in
from tests.factories import EnrollmentFactory
from tests.quizzes.factories import QuizFactory

from .conftest import at, cohort_on
from .helpers import sweep

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
SITE = "http://testserver"


def _lead(user) -> Reminder:
    return Reminder.objects.filter(recipient=user).order_by("pk").first()


def test_it_sends_one_email_with_the_unread_readings_and_absolute_links(clock, cohort, fellow):
    unit = cohort.sessions.order_by("starts_at").first().unit
    core = list(unit.readings.filter(tier=Reading.Tier.CORE).order_by("position"))
    ReadingProgress.objects.create(user=fellow, reading=core[0])
    ReadingProgress.objects.create(user=fellow, reading=core[1])
    sweep(clock, at(2025, 3, 5, 10))

    assert reminder_send(reminder=_lead(fellow)) == 1

    [email] = mail.outbox
    assert email.to == [fellow.email]
    assert email.subject == "Before Thursday's session: 2 core readings left"
    html = email.alternatives[0][0]
    for body in (email.body, html):
        assert f"{SITE}/units/{unit.pk}/" in body
        assert f"{SITE}/readings/{core[2].pk}/" in body and f"{SITE}/readings/{core[3].pk}/" in body
        assert f"{SITE}/readings/{core[0].pk}/" not in body
        assert "Thursday 6 March at 17:00 (UTC)" in body
        assert "40 minutes" in body
    assert email.extra_headers["List-Unsubscribe"].startswith(f"<{SITE}/unsubscribe/")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"{SITE}/accounts/notifications/" in email.body
    reminder = _lead(fellow)
    assert (reminder.status, reminder.attempts, reminder.sent_at) == ("sent", 1, at(2025, 3, 5, 10))


def test_the_email_before_a_session_says_where_it_meets_and_how_to_join(clock, cohort, fellow):
    cohort.meeting_url = "https://meet.example.org/cohort"
    cohort.meeting_place = "Room 2 & 3, <Main> Street"
    cohort.save()
    session = cohort.sessions.order_by("starts_at").first()
    session.meeting_url = "https://meet.example.org/this-week"
    session.save()
    sweep(clock, at(2025, 3, 5, 10))

    assert reminder_send(reminder=_lead(fellow)) == 1

    [email] = mail.outbox
    html = email.alternatives[0][0]
    assert "Where: Room 2 & 3, <Main> Street" in email.body
    assert "Join online: https://meet.example.org/this-week" in email.body
    assert "Room 2 &amp; 3, &lt;Main&gt; Street" in html
    assert 'href="https://meet.example.org/this-week"' in html
    assert "meet.example.org/cohort" not in email.body + html


def test_an_email_without_meeting_details_says_nothing_of_them(clock, cohort, fellow):
    sweep(clock, at(2025, 3, 5, 10))

    assert reminder_send(reminder=_lead(fellow)) == 1

    [email] = mail.outbox
    assert "Where:" not in email.body and "Join online" not in email.body


def test_several_reasons_at_one_time_are_merged_into_one_email(clock, cohort, fellow):
    # The same fellow is also in a second cohort whose week 1 session was on Monday.
    other = cohort_on(dt.date(2025, 3, 3), tz="UTC")
    EnrollmentFactory(cohort=other, user=fellow)
    quiz = QuizFactory(unit=other.sessions.order_by("starts_at").first().unit, title="Week 1 check")
    for reading in Reading.objects.filter(unit__course=other.course):
        ReadingProgress.objects.create(user=fellow, reading=reading)

    result = sweep(clock, at(2025, 3, 5, 10))

    assert sorted(Reminder.objects.values_list("kind", flat=True)) == [
        "before_session",
        "quiz_after_session",
    ]
    assert result.queued == 1
    assert reminder_send(reminder=_lead(fellow)) == 2
    [email] = mail.outbox
    assert email.subject == "Before Thursday's session: 4 core readings left (and 1 more)"
    assert f"{SITE}/quizzes/{quiz.pk}/" in email.body and "Week 1 check" in email.body
    assert set(Reminder.objects.values_list("status", flat=True)) == {"sent"}


def test_a_task_run_twice_sends_once(clock, cohort, fellow):
    sweep(clock, at(2025, 3, 5, 10))
    reminder = _lead(fellow)

    assert reminder_send(reminder=reminder) == 1
    assert reminder_send(reminder=reminder) == 0
    assert len(mail.outbox) == 1


def test_a_claim_held_by_a_live_worker_is_not_sent_by_another(clock, cohort, fellow):
    sweep(clock, at(2025, 3, 5, 10))
    claimed, _ = reminders_claim(reminder=_lead(fellow))

    clock.move_to(at(2025, 3, 5, 10, 29), tick=False)
    assert reminder_send(reminder=claimed[0]) == 0
    assert mail.outbox == []


def test_a_worker_killed_between_claim_and_send_is_recovered_once_after_the_lease(
    clock, cohort, fellow, django_capture_on_commit_callbacks
):
    sweep(clock, at(2025, 3, 5, 10))
    reminder = _lead(fellow)
    reminders_claim(reminder=reminder)  # ...and the worker dies here, before sending.

    with django_capture_on_commit_callbacks() as early:
        early_sweep = sweep(clock, at(2025, 3, 5, 10, 15))
    with django_capture_on_commit_callbacks() as late:
        late_sweep = sweep(clock, at(2025, 3, 5, 10, 31))

    assert (early_sweep.recovered, len(early)) == (0, 0)
    assert (late_sweep.recovered, len(late)) == (1, 1)
    assert reminder_send(reminder=reminder) == 1
    assert reminder_send(reminder=reminder) == 0
    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sent", 2)


def test_a_lost_task_is_queued_again_by_a_later_sweep(
    clock, cohort, fellow, django_capture_on_commit_callbacks
):
    sweep(clock, at(2025, 3, 5, 10))  # its on-commit enqueue never runs in this test

    with django_capture_on_commit_callbacks() as callbacks:
        result = sweep(clock, at(2025, 3, 5, 10, 15))

    assert (result.created, result.recovered, len(callbacks)) == (0, 1, 1)


def test_recovery_waits_for_the_recipients_window(
    clock, cohort, fellow, django_capture_on_commit_callbacks
):
    sweep(clock, at(2025, 3, 5, 17, 45))
    with django_capture_on_commit_callbacks() as callbacks:
        result = sweep(clock, at(2025, 3, 5, 18, 15))

    assert (result.recovered, callbacks) == (0, [])


def test_a_reminder_unsubscribed_after_the_sweep_is_skipped_not_sent(clock, cohort, fellow):
    sweep(clock, at(2025, 3, 5, 10))
    NotificationPreferences.objects.create(user=fellow, before_session=False)

    assert reminder_send(reminder=_lead(fellow)) == 0

    assert mail.outbox == []
    reminder = _lead(fellow)
    assert reminder.status == "skipped"
    assert "preferences" in reminder.last_error


def test_a_fellow_who_dropped_after_the_sweep_is_skipped(clock, cohort, fellow):
    sweep(clock, at(2025, 3, 5, 10))
    fellow.enrollments.update(status="dropped")

    assert reminder_send(reminder=_lead(fellow)) == 0
    assert (mail.outbox, _lead(fellow).status) == ([], "skipped")


def test_the_facilitator_digest_says_who_is_at_risk_and_why(clock, cohort):
    facilitator = facilitator_of(cohort)
    fellow_in(cohort, display_name="Ada Behind")
    ready = fellow_in(cohort, display_name="Bo Ready")
    unit = cohort.sessions.order_by("starts_at").first().unit
    for reading in unit.readings.filter(tier=Reading.Tier.CORE):
        ReadingProgress.objects.create(user=ready, reading=reading)
    sweep(clock, at(2025, 3, 5, 17, 30))
    digest = Reminder.objects.get(recipient=facilitator)

    assert reminder_send(reminder=digest) == 1

    [email] = [m for m in mail.outbox if m.to == [facilitator.email]]
    assert email.subject == f"{cohort.name} meets Thursday: 1 fellow at risk"
    assert "Ada Behind" in email.body and "Bo Ready" not in email.body.split("At risk")[1]
    assert "1 of 2 fellows have done this week's core readings" in email.body
    assert f"{SITE}/cohorts/{cohort.pk}/" in email.body
    digest.refresh_from_db()
    assert digest.payload["at_risk"][0]["name"] == "Ada Behind"


def test_a_nudge_email_names_the_facilitator_and_where_the_fellow_left_off(
    clock, cohort, fellow, facilitator
):
    from courseapp.reminders.services import nudge_send

    clock.move_to(at(2025, 3, 5, 10), tick=False)
    reminder = nudge_send(sender=facilitator, enrollment=fellow.enrollments.get())

    assert reminder_send(reminder=reminder) == 1

    [email] = mail.outbox
    assert email.subject == f"{facilitator.name} sent you a reminder about {cohort.course.title}"
    unit = cohort.sessions.order_by("starts_at").first().unit
    assert f"{SITE}/units/{unit.pk}/" in email.body
    assert "/unsubscribe/" in email.extra_headers["List-Unsubscribe"]
