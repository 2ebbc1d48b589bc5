import datetime as dt

import pytest

from courseapp.models import Cohort
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in
from tests.factories import CohortFactory


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Many users per test: real password hashes would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def cohort_on(start: dt.date, *, units: int = 3, tz: str = "UTC", **fields) -> Cohort:
    """A weekly cohort meeting at 17:00 local time from `start`, with units x 4 core readings."""
    course, _ = course_with_units(units=units)
    return CohortFactory(course=course, start_date=start, timezone=tz, **fields)


@pytest.fixture
def cohort(db) -> Cohort:
    return cohort_on(dt.date(2025, 3, 6))  # a Thursday


@pytest.fixture
def fellow(cohort):
    return fellow_in(cohort)


@pytest.fixture
def facilitator(cohort):
    return facilitator_of(cohort)
