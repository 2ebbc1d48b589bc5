import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from courseapp.feedback import selectors, services
from courseapp.models import Cohort, Enrollment, UnitFeedback
from tests.factories import CohortFactory, EnrollmentFactory, SessionFactory, UnitFactory

pytestmark = pytest.mark.django_db

ANSWER = {"rating": 4, "what_worked": "The debate format", "what_to_change": "", "anonymous": True}


def test_it_saves_one_answer_per_fellow_and_unit_and_remembers_the_cohort(fellow, unit, cohort):
    services.unit_feedback_save(user=fellow, unit=unit, data=ANSWER)
    feedback = services.unit_feedback_save(user=fellow, unit=unit, data={**ANSWER, "rating": 2})

    assert UnitFeedback.objects.count() == 1
    feedback.refresh_from_db()
    assert (feedback.rating, feedback.cohort, feedback.anonymous) == (2, cohort, True)


def test_the_database_refuses_a_second_answer_for_the_same_fellow_and_unit(fellow, unit):
    UnitFeedback.objects.create(user=fellow, unit=unit, rating=3)

    with pytest.raises(IntegrityError), transaction.atomic():
        UnitFeedback.objects.create(user=fellow, unit=unit, rating=5)


@pytest.mark.parametrize("rating", [0, 6])
def test_the_database_refuses_a_rating_outside_one_to_five(fellow, unit, rating):
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitFeedback.objects.bulk_create([UnitFeedback(user=fellow, unit=unit, rating=rating)])


@pytest.mark.parametrize(
    "data",
    [
        {"rating": None},
        {"rating": 9},
        {"rating": 3, "what_worked": "x" * 2001},
        {"rating": 3, "what_to_change": "y" * 2001},
    ],
)
def test_it_refuses_bad_answers_and_changes_nothing(fellow, unit, data):
    with pytest.raises(ValidationError):
        services.unit_feedback_save(user=fellow, unit=unit, data=data)

    assert not UnitFeedback.objects.exists()


def test_it_accepts_comments_of_exactly_the_maximum_length(fellow, unit):
    data = {"rating": 3, "what_worked": "x" * 2000, "what_to_change": "y" * 2000}
    assert services.unit_feedback_save(user=fellow, unit=unit, data=data).pk


def test_it_refuses_people_who_are_not_fellows_of_an_open_cohort(
    unit, facilitator, other_facilitator, outsider, staff
):
    for person in (facilitator, other_facilitator, outsider, staff):
        with pytest.raises(PermissionDenied):
            services.unit_feedback_save(user=person, unit=unit, data=ANSWER)
    assert not UnitFeedback.objects.exists()


def test_it_refuses_a_dropped_fellow(cohort, unit):
    dropped = EnrollmentFactory(cohort=cohort, status=Enrollment.Status.DROPPED).user

    with pytest.raises(PermissionDenied):
        services.unit_feedback_save(user=dropped, unit=unit, data=ANSWER)


def _weekly_fellow(unit, starts_at):
    cohort = CohortFactory(course=unit.course, pacing=Cohort.Pacing.WEEKLY, feedback_window_days=7)
    SessionFactory(cohort=cohort, unit=unit, starts_at=starts_at)
    return EnrollmentFactory(cohort=cohort).user


def test_a_weekly_fellow_cannot_answer_before_the_unit_opens(unit):
    fellow = _weekly_fellow(unit, timezone.now() + dt.timedelta(days=30))

    with pytest.raises(PermissionDenied):
        services.unit_feedback_save(user=fellow, unit=unit, data=ANSWER)


def test_a_weekly_fellow_can_change_their_answer_until_the_window_closes(unit):
    session = timezone.now() + dt.timedelta(days=1)
    fellow = _weekly_fellow(unit, session)
    services.unit_feedback_save(user=fellow, unit=unit, data=ANSWER)

    with time_machine.travel(session + dt.timedelta(days=7, minutes=-1)):
        services.unit_feedback_save(user=fellow, unit=unit, data={**ANSWER, "rating": 1})
    with (
        time_machine.travel(session + dt.timedelta(days=7, minutes=1)),
        pytest.raises(services.FeedbackClosed),
    ):
        services.unit_feedback_save(user=fellow, unit=unit, data={**ANSWER, "rating": 5})

    assert UnitFeedback.objects.get().rating == 1


def test_a_self_paced_fellow_has_no_deadline(fellow, unit):
    assert selectors.feedback_place(user=fellow, unit=unit).deadline is None

    with time_machine.travel(timezone.now() + dt.timedelta(days=3650)):
        assert services.unit_feedback_save(user=fellow, unit=unit, data=ANSWER).pk


def test_an_archived_or_unpublished_unit_takes_no_feedback(fellow, course):
    hidden = UnitFactory(course=course, published=False)
    archived = UnitFactory(course=course, archived_at=timezone.now())

    for unit in (hidden, archived):
        with pytest.raises(PermissionDenied):
            services.unit_feedback_save(user=fellow, unit=unit, data=ANSWER)
