import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from courseapp.models import Cohort, Enrollment, Unit
from courseapp.week import selectors
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in, weekly_cohort
from tests.factories import EnrollmentFactory, ReadingFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def course():
    return course_with_units(units=3, tiers={})


def _open(user) -> list:
    """The units open to this person; also checks that `reading_open_to` (the rule for one
    reading) agrees about a live and an archived reading of every unit."""
    units = list(selectors.units_open_to(user=user))
    for unit in Unit.objects.all():
        live = ReadingFactory(unit=unit)
        gone = ReadingFactory(unit=unit, archived_at=timezone.now())
        assert selectors.reading_open_to(user=user, reading_id=live.pk) == (unit in units)
        assert selectors.reading_open_to(user=user, reading_id=gone.pk) is False
    return units


def test_a_weekly_fellow_sees_only_the_units_released_to_their_cohort(course):
    course, units = course
    fellow = fellow_in(weekly_cohort(course))

    assert _open(fellow) == units[:1]


def test_a_unit_opens_when_its_session_opens(course):
    course, units = course
    cohort = weekly_cohort(course)
    fellow = fellow_in(cohort)
    session = cohort.sessions.get(unit=units[1])
    session.starts_at = timezone.now() + dt.timedelta(hours=167)
    session.save()

    assert _open(fellow) == units[:2]


def test_a_fellow_of_one_cohort_does_not_get_another_cohorts_earlier_release(course):
    course, units = course
    early = weekly_cohort(course, starts_in_days=-20)
    fellow = fellow_in(weekly_cohort(course, starts_in_days=3))

    assert len(_open(fellow_in(early))) == 3
    assert _open(fellow) == units[:1]


def test_a_self_paced_cohort_opens_every_unit(course):
    course, units = course
    fellow = fellow_in(weekly_cohort(course, starts_in_days=30, pacing=Cohort.Pacing.SELF_PACED))

    assert _open(fellow) == units


def test_a_facilitator_sees_every_unit_of_their_course_before_release(course):
    course, units = course
    facilitator = facilitator_of(weekly_cohort(course, starts_in_days=30))

    assert _open(facilitator) == units


def test_unpublished_and_archived_units_are_closed_to_everyone_but_staff_see_drafts(course):
    course, units = course
    fellow = fellow_in(weekly_cohort(course, pacing=Cohort.Pacing.SELF_PACED))
    draft = UnitFactory(course=course, week=8, published=False)
    gone = UnitFactory(course=course, week=9, archived_at=timezone.now())
    staff = UserFactory(is_staff=True)

    assert draft not in _open(fellow) and gone not in _open(fellow)
    assert draft in _open(staff) and gone not in _open(staff)


def test_a_dropped_fellow_sees_nothing_but_a_deferred_one_keeps_access(course):
    course, units = course
    cohort = weekly_cohort(course)
    dropped, deferred = UserFactory(), UserFactory()
    EnrollmentFactory(cohort=cohort, user=dropped, status=Enrollment.Status.DROPPED)
    EnrollmentFactory(cohort=cohort, user=deferred, status=Enrollment.Status.DEFERRED)

    assert _open(dropped) == []
    assert _open(deferred) == units[:1]


def test_a_dropped_place_in_a_self_paced_cohort_or_as_facilitator_opens_nothing(course):
    course, _ = course
    self_paced = weekly_cohort(course, pacing=Cohort.Pacing.SELF_PACED)
    fellow, facilitator = UserFactory(), UserFactory()
    EnrollmentFactory(cohort=self_paced, user=fellow, status=Enrollment.Status.DROPPED)
    EnrollmentFactory(
        cohort=weekly_cohort(course, starts_in_days=-20),
        user=facilitator,
        role=Enrollment.Role.FACILITATOR,
        status=Enrollment.Status.DROPPED,
    )

    assert _open(fellow) == []
    assert _open(facilitator) == []


def test_people_outside_the_course_and_anonymous_visitors_see_nothing(course):
    course, _ = course
    weekly_cohort(course)
    other_course, _ = course_with_units(units=1, tiers={})
    outsider = fellow_in(weekly_cohort(other_course, pacing=Cohort.Pacing.SELF_PACED))

    assert all(unit.course == other_course for unit in _open(outsider))
    assert _open(AnonymousUser()) == []


def test_a_facilitator_in_one_cohort_and_fellow_in_another_course_gets_each_rule(course):
    course, units = course
    other_course, other_units = course_with_units(units=2, tiers={})
    person = facilitator_of(weekly_cohort(course, starts_in_days=30))
    EnrollmentFactory(cohort=weekly_cohort(other_course), user=person)

    assert set(_open(person)) == {*units, other_units[0]}


def test_it_is_one_query(course, django_assert_num_queries):
    course, _ = course
    fellow = fellow_in(weekly_cohort(course))

    with django_assert_num_queries(1):
        list(selectors.units_open_to(user=fellow))
