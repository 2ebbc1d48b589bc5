import pytest

from courseapp.models import Cohort, Enrollment, Reading
from tests.factories import (
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    ReadingFactory,
    UnitFactory,
)


@pytest.fixture
def course(db):
    return CourseFactory(slug="alignment", title="Alignment")


@pytest.fixture
def unit(course):
    return UnitFactory(course=course, week=3, title="Inner alignment")


@pytest.fixture
def core_readings(unit):
    return [ReadingFactory(unit=unit, tier=Reading.Tier.CORE) for _ in range(2)]


@pytest.fixture
def cohort(course):
    return CohortFactory(course=course, name="Cohort A", pacing=Cohort.Pacing.SELF_PACED)


@pytest.fixture
def fellow(cohort):
    return EnrollmentFactory(cohort=cohort, user__display_name="Fiona Fellow").user


@pytest.fixture
def facilitator(cohort):
    return EnrollmentFactory(
        cohort=cohort, role=Enrollment.Role.FACILITATOR, user__display_name="Faye Facilitator"
    ).user


@pytest.fixture
def other_cohort(course):
    return CohortFactory(course=course, name="Cohort B", pacing=Cohort.Pacing.SELF_PACED)


@pytest.fixture
def other_fellow(other_cohort):
    return EnrollmentFactory(cohort=other_cohort).user


@pytest.fixture
def other_facilitator(other_cohort):
    return EnrollmentFactory(cohort=other_cohort, role=Enrollment.Role.FACILITATOR).user


@pytest.fixture
def outsider(db):
    """A fellow of a different course altogether."""
    return EnrollmentFactory(cohort__pacing=Cohort.Pacing.SELF_PACED).user
