"""Builders for a course with a weekly schedule, shared by the cohort and fellow-page tests."""

import datetime as dt

from django.utils import timezone

from courseapp.models import Cohort, Enrollment, Reading
from tests.factories import (
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    ReadingFactory,
    UnitFactory,
    UserFactory,
)

TIERS = {Reading.Tier.CORE: 4, Reading.Tier.RECOMMENDED: 2, Reading.Tier.FURTHER: 1}


def course_with_units(*, units: int = 3, tiers: dict | None = None, **course_fields):
    """A course whose units each have readings per tier (4 core x 20 min, 2 recommended, 1
    further by default). Returns (course, [units in week order])."""
    course = CourseFactory(**course_fields)
    built = []
    for week in range(1, units + 1):
        unit = UnitFactory(course=course, week=week, position=week, title=f"Week {week} topic")
        for tier, count in (tiers or TIERS).items():
            for n in range(count):
                ReadingFactory(unit=unit, tier=tier, position=n, minutes=20)
        built.append(unit)
    return course, built


def weekly_cohort(course, *, starts_in_days: int = 3, **fields) -> Cohort:
    """A weekly cohort whose first session is a few days away: with the default week-long lead,
    unit 1 is open and unit 2 opens at the first session."""
    start = timezone.localdate() + dt.timedelta(days=starts_in_days)
    return CohortFactory(course=course, start_date=start, **fields)


# Sessions of `meeting_cohort`: Wednesdays 18:00 in London (17:00 UTC in June).
LONDON_FIRST_START = dt.datetime(2026, 6, 3, 17, 0, tzinfo=dt.UTC)


def meeting_cohort(*, units: int, meeting_url: str, meeting_place: str) -> Cohort:
    """A weekly London cohort of a course of `units` units (no readings), first meeting at
    LONDON_FIRST_START, online and in a room."""
    course, _ = course_with_units(units=units, tiers={}, title="Alignment")
    return CohortFactory(
        course=course,
        name="Cohort A",
        timezone="Europe/London",
        start_date=LONDON_FIRST_START.date(),
        session_time=dt.time(18),
        meeting_url=meeting_url,
        meeting_place=meeting_place,
    )


def fellow_in(cohort, **user_fields):
    user = UserFactory(**user_fields)
    EnrollmentFactory(cohort=cohort, user=user, role=Enrollment.Role.FELLOW)
    return user


def facilitator_of(cohort, **user_fields):
    user = UserFactory(**user_fields)
    EnrollmentFactory(cohort=cohort, user=user, role=Enrollment.Role.FACILITATOR)
    return user
