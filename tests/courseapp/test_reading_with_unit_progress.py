"""selectors.reading_with_unit_progress, what the mark-read POST answers with: the reading and
the progress it returns are what the unit page shows for the same person."""

import pytest
from django.utils import timezone

from courseapp.feedback import selectors as feedback_selectors
from courseapp.models import Reading, ReadingFeedback, ReadingProgress
from courseapp.week import selectors
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

SHOWN = ("pk", "unit_id", "tier", "title", "authors", "year", "url", "kind", "minutes", "note")


@pytest.fixture
def week():
    course, [unit, other] = course_with_units(units=2)
    fellow = fellow_in(weekly_cohort(course))
    readings = list(unit.readings.order_by("tier", "position"))
    readings[0].body = "<p>Hosted chapter</p>"
    readings[0].save()
    readings[-1].archived_at = timezone.now()
    readings[-1].save()
    for reading in (readings[0], readings[1], readings[4]):
        ReadingProgress.objects.create(user=fellow, reading=reading)
    # Someone else's marks and feedback, and this fellow's mark in another unit: none counts.
    someone = fellow_in(weekly_cohort(course))
    ReadingProgress.objects.create(user=someone, reading=readings[2])
    ReadingFeedback.objects.create(user=someone, reading=readings[2], useful=False)
    ReadingProgress.objects.create(user=fellow, reading=other.readings.first())
    ReadingFeedback.objects.create(user=fellow, reading=readings[1], useful=True, comment="Clear")
    return unit, fellow, readings


def _as_the_unit_page_shows(fellow, unit):
    readings = selectors.unit_readings_for_fellow(user=fellow, unit=unit)
    feedback_selectors.attach_reading_feedback(user=fellow, readings=readings)
    return {r.pk: r for r in readings}, selectors.UnitProgress.of(readings)


def _summary(progress):
    return [(t.tier, t.label, t.total, t.done, t.left, t.minutes_left) for t in progress.tiers]


@pytest.mark.parametrize("index", [0, 1, 2, 4])
def test_the_reading_and_progress_match_the_unit_page(week, django_assert_num_queries, index):
    unit, fellow, readings = week
    page_rows, page_progress = _as_the_unit_page_shows(fellow, unit)

    with django_assert_num_queries(2):  # the unit's readings with marks; the feedback
        reading, progress = selectors.reading_with_unit_progress(
            user=fellow, reading_id=readings[index].pk
        )

    expected = page_rows[readings[index].pk]
    assert [getattr(reading, f) for f in SHOWN] == [getattr(expected, f) for f in SHOWN]
    assert (reading.done, reading.is_hosted) == (expected.done, expected.is_hosted)
    assert reading.get_kind_display() == expected.get_kind_display()
    mine, theirs = reading.user_feedback, expected.user_feedback
    assert (mine and (mine.pk, mine.useful, mine.comment)) == (
        theirs and (theirs.pk, theirs.useful, theirs.comment)
    )
    assert _summary(progress) == _summary(page_progress)


def test_the_values_are_the_fellows(week):
    _, fellow, readings = week

    reading, progress = selectors.reading_with_unit_progress(user=fellow, reading_id=readings[1].pk)

    assert reading.done and reading.user_feedback.comment == "Clear"
    assert (progress.core.total, progress.core.done, progress.core.minutes_left) == (4, 2, 40)
    assert progress.total == 6  # the archived further reading is not counted


def test_an_archived_reading_is_not_found(week):
    _, fellow, readings = week

    with pytest.raises(Reading.DoesNotExist):
        selectors.reading_with_unit_progress(user=fellow, reading_id=readings[-1].pk)
