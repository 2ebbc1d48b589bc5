"""What a sweep batch reads: plain rows per eligible enrolment (Member), a batch at a time."""

import pytest
from allauth.account.models import EmailAddress

from accounts.models import NotificationPreferences
from courseapp.models import Enrollment
from courseapp.reminders.due import enrollment_batches
from tests.courseapp.weeks import facilitator_of, fellow_in

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_a_batch_row_carries_what_the_rules_read(cohort):
    quiet = fellow_in(cohort, timezone="Europe/Paris")
    NotificationPreferences.objects.create(user=quiet, inactive=False, before_session=False)
    plain = fellow_in(cohort)
    host = facilitator_of(cohort)

    (batch,) = enrollment_batches(cohort_ids={cohort.pk})

    rows = {m.user_id: m for m in batch}
    enrolment = Enrollment.objects.get(user=quiet)
    assert (rows[quiet.pk].pk, rows[quiet.pk].cohort_id) == (enrolment.pk, cohort.pk)
    assert (rows[quiet.pk].timezone, rows[quiet.pk].created_at) == (
        "Europe/Paris",
        enrolment.created_at,
    )
    assert rows[quiet.pk].turned_off == {"inactive", "before_session"}
    assert rows[quiet.pk].wants("quiz_after_session") and not rows[quiet.pk].wants("inactive")
    # No preferences row: every kind is on.
    assert rows[plain.pk].turned_off == frozenset() and rows[plain.pk].wants("inactive")
    assert (rows[plain.pk].role, rows[host.pk].role) == ("fellow", "facilitator")


def test_a_batch_leaves_out_whoever_may_not_get_reminders(cohort):
    kept = fellow_in(cohort)
    unverified = fellow_in(cohort)
    EmailAddress.objects.filter(user=unverified).update(verified=False)
    dropped = fellow_in(cohort)
    Enrollment.objects.filter(user=dropped).update(status=Enrollment.Status.DROPPED)

    assert [[m.user_id for m in batch] for batch in enrollment_batches(cohort_ids={cohort.pk})] == [
        [kept.pk]
    ]


def test_batches_page_through_every_enrolment_once(cohort):
    fellows = [fellow_in(cohort) for _ in range(7)]

    batches = list(enrollment_batches(cohort_ids={cohort.pk}, batch_size=3))

    assert [len(b) for b in batches] == [3, 3, 1]
    assert sorted(m.user_id for b in batches for m in b) == sorted(f.pk for f in fellows)
