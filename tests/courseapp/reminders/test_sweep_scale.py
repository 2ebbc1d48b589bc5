"""A sweep runs a number of queries set by its batches, not its people: 2,000 enrolments in
ten cohorts, swept in batches of 200 and of 500. (The benchmark times sweeps of 100,000.)"""

import datetime as dt
import math

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from courseapp.models import Enrollment, Reading, ReadingProgress, Reminder
from courseapp.reminders.services import reminders_sweep
from tests.factories import CohortFactory

from .conftest import at, cohort_on

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
PLAN_QUERIES = 5  # largest lead, due sessions, running cohorts, their sessions, core readings
FACTS = 6  # enrolments, reads, two last-activity, savepoint, release
RECOVERY = 3  # savepoint, lost reminders, release


def _per_batch(reminders: int) -> int:
    """A full batch's queries: its facts, then recording its reminders. PostgreSQL records them
    in one INSERT ... RETURNING; SQLite in as many INSERTs as its 999 parameters per statement
    need, and a select of the rows they inserted."""
    if connection.vendor == "postgresql":
        return FACTS + 1
    fields = [f for f in Reminder._meta.concrete_fields if not f.primary_key]
    rows_per_insert = connection.ops.bulk_batch_size(fields, [None] * reminders)
    return FACTS + math.ceil(reminders / rows_per_insert) + 1


def _enrol(cohorts, per_cohort: int) -> list[int]:
    users = User.objects.bulk_create(
        User(email=f"fellow{c.pk}-{n}@example.org", password="!", display_name=f"Fellow {n}")
        for c in cohorts
        for n in range(per_cohort)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
    )
    Enrollment.objects.bulk_create(
        Enrollment(cohort=cohort, user=user)
        for i, cohort in enumerate(cohorts)
        for user in users[i * per_cohort : (i + 1) * per_cohort]
    )
    return [u.pk for u in users]


@pytest.fixture
def two_thousand(db):
    first = cohort_on(dt.date(2025, 3, 6))
    cohorts = [first] + [
        CohortFactory(course=first.course, start_date=first.start_date) for _ in range(9)
    ]
    users = _enrol(cohorts, 200)
    core = list(
        Reading.objects.filter(unit__course=first.course, unit__week=1, tier=Reading.Tier.CORE)
    )
    # Every tenth fellow has read all of this week's core readings; every third, one of them.
    ReadingProgress.objects.bulk_create(
        [ReadingProgress(user_id=u, reading=r) for u in users[::10] for r in core]
        + [ReadingProgress(user_id=u, reading=core[0]) for u in users[1::3]],
        ignore_conflicts=True,
    )
    return users


def _sweep(clock, settings, batch_size: int):
    settings.REMINDER_BATCH_SIZE = batch_size
    clock.move_to(at(2025, 3, 5, 10), tick=False)
    with CaptureQueriesContext(connection) as queries:
        result = reminders_sweep()
    return result, len(queries)


def test_a_sweep_over_2000_enrolments_runs_a_few_queries_per_batch(clock, settings, two_thousand):
    result, queries = _sweep(clock, settings, 200)

    assert result.batches == 10
    # Nine in ten of a batch's fellows are due (every tenth has read everything); the last full
    # batch is followed by one empty page.
    assert queries == PLAN_QUERIES + result.batches * _per_batch(180) + 1 + RECOVERY
    assert result.created == Reminder.objects.count() == 1800


def test_bigger_batches_mean_fewer_queries_for_the_same_people(clock, settings, two_thousand):
    result, queries = _sweep(clock, settings, 500)

    assert result.batches == 4
    assert queries == PLAN_QUERIES + 4 * _per_batch(450) + 1 + RECOVERY
    assert Reminder.objects.count() == 1800
