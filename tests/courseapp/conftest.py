import pytest

from courseapp.models import Cohort, Reading, ReadingProgress
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort
from tests.factories import LearningObjectiveFactory


@pytest.fixture
def big_course(db, settings):
    """12 units x 15 readings, a self-paced cohort of 30 fellows who each read some of them."""
    tiers = {Reading.Tier.CORE: 5, Reading.Tier.RECOMMENDED: 5, Reading.Tier.FURTHER: 5}
    course, units = course_with_units(units=12, tiers=tiers)
    for unit in units:
        LearningObjectiveFactory.create_batch(4, unit=unit)
    cohort = weekly_cohort(course, pacing=Cohort.Pacing.SELF_PACED)
    fellows = [fellow_in(cohort) for _ in range(30)]
    readings = [r for unit in units for r in unit.readings.all()]
    ReadingProgress.objects.bulk_create(
        ReadingProgress(user=fellow, reading=reading)
        for n, fellow in enumerate(fellows)
        for reading in readings[n % 7 :: 3]
    )
    return cohort, units, fellows
