"""The nudge contract used by the facilitator pages: services.nudge_send(sender=, enrollment=)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from courseapp.models import Enrollment, Reminder
from courseapp.reminders.services import NudgeTooSoon, nudge_send
from tests.courseapp.weeks import facilitator_of, fellow_in
from tests.factories import UserFactory

UTC = dt.UTC
pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _enrollment(user, cohort) -> Enrollment:
    return Enrollment.objects.get(user=user, cohort=cohort)


def test_it_records_a_nudge_and_queues_its_email_after_commit(
    cohort, fellow, facilitator, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(dt.datetime(2025, 3, 10, 11, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        reminder = nudge_send(sender=facilitator, enrollment=_enrollment(fellow, cohort))

    assert reminder.kind == Reminder.Kind.NUDGE
    assert reminder.status == Reminder.Status.PENDING
    assert reminder.recipient == fellow and reminder.sender == facilitator
    assert reminder.key == f"{fellow.pk}:nudge:{cohort.pk}:2025-03-10"
    assert reminder.payload["sender_name"] == facilitator.name
    assert len(callbacks) == 1


def test_it_allows_one_nudge_per_fellow_per_local_day(cohort, facilitator):
    fellow = fellow_in(cohort, timezone="Pacific/Auckland")
    enrollment = _enrollment(fellow, cohort)
    # 09:00 UTC is 22:00 in Auckland on 10 March; 12:00 UTC is already 11 March there.
    with time_machine.travel(dt.datetime(2025, 3, 10, 9, tzinfo=UTC), tick=False):
        nudge_send(sender=facilitator, enrollment=enrollment)
    with (
        time_machine.travel(dt.datetime(2025, 3, 10, 10, 59, tzinfo=UTC), tick=False),
        pytest.raises(NudgeTooSoon, match="already nudged today"),
    ):
        nudge_send(sender=facilitator, enrollment=enrollment)
    with time_machine.travel(dt.datetime(2025, 3, 10, 12, tzinfo=UTC), tick=False):
        second = nudge_send(sender=facilitator, enrollment=enrollment)

    assert second.key.endswith(":2025-03-11")
    assert Reminder.objects.filter(recipient=fellow, kind="nudge").count() == 2


def test_a_second_facilitator_cannot_nudge_the_same_fellow_the_same_day(cohort, fellow):
    first, second = facilitator_of(cohort), facilitator_of(cohort)
    nudge_send(sender=first, enrollment=_enrollment(fellow, cohort))

    with pytest.raises(NudgeTooSoon):
        nudge_send(sender=second, enrollment=_enrollment(fellow, cohort))


def test_it_refuses_a_sender_who_does_not_facilitate_the_cohort(cohort, fellow):
    outsider_facilitator = facilitator_of(
        type(cohort).objects.create(
            course=cohort.course,
            name="Other",
            start_date=cohort.start_date,
            session_time=cohort.session_time,
        )
    )
    for sender in (outsider_facilitator, fellow_in(cohort), UserFactory()):
        with pytest.raises(PermissionDenied):
            nudge_send(sender=sender, enrollment=_enrollment(fellow, cohort))

    assert not Reminder.objects.exists()


@pytest.mark.parametrize(
    ("status", "user_fields", "verified", "why"),
    [
        (Enrollment.Status.DROPPED, {}, True, "dropped"),
        (Enrollment.Status.DEFERRED, {}, True, "deferred"),
        (Enrollment.Status.COMPLETED, {}, True, "completed"),
        (Enrollment.Status.ACTIVE, {"is_active": False}, True, "deactivated"),
        (Enrollment.Status.ACTIVE, {}, False, "not verified"),
    ],
)
def test_it_records_but_never_sends_a_nudge_to_someone_who_may_not_get_reminders(
    cohort, facilitator, status, user_fields, verified, why, django_capture_on_commit_callbacks
):
    fellow = fellow_in(cohort, verified=verified, **user_fields)
    enrollment = _enrollment(fellow, cohort)
    enrollment.status = status
    enrollment.save()

    with django_capture_on_commit_callbacks() as callbacks:
        reminder = nudge_send(sender=facilitator, enrollment=enrollment)

    assert reminder.status == Reminder.Status.SKIPPED
    assert why in reminder.last_error
    assert callbacks == []


def test_it_holds_a_nudge_sent_at_night_until_the_fellows_morning(
    cohort, facilitator, django_capture_on_commit_callbacks
):
    fellow = fellow_in(cohort, timezone="America/New_York")
    # 03:00 UTC is 23:00 on 10 March in New York (on daylight time since the 9th): the nudge
    # waits for 09:00 there, 13:00 UTC.
    with (
        time_machine.travel(dt.datetime(2025, 3, 11, 3, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        reminder = nudge_send(sender=facilitator, enrollment=_enrollment(fellow, cohort))

    assert reminder.status == Reminder.Status.PENDING
    assert reminder.send_after == dt.datetime(2025, 3, 11, 13, tzinfo=UTC)
    assert reminder.key.endswith(":2025-03-10")
    assert callbacks == []


def test_a_nudge_recorded_by_someone_else_in_the_meantime_is_refused_as_too_soon(
    cohort, fellow, facilitator, monkeypatch
):
    # Another facilitator's nudge commits after this one's check and before its insert: the
    # database's unique key turns it into NudgeTooSoon, not a validation error or a 500.
    from courseapp.reminders import due

    real_refusal = due.refusal

    def racing_refusal(**kwargs):
        Reminder.objects.create(
            recipient=fellow,
            kind=Reminder.Kind.NUDGE,
            cohort=cohort,
            key=f"{fellow.pk}:nudge:{cohort.pk}:2025-03-10",
        )
        return real_refusal(**kwargs)

    monkeypatch.setattr(due, "refusal", racing_refusal)
    with (
        time_machine.travel(dt.datetime(2025, 3, 10, 11, tzinfo=UTC), tick=False),
        pytest.raises(NudgeTooSoon, match="already nudged today"),
    ):
        nudge_send(sender=facilitator, enrollment=_enrollment(fellow, cohort))
