import threading
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from courseapp.models import ReadingProgress
from courseapp.week import services
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort

pytestmark = pytest.mark.django_db
# Also on SQLite, except the races between two threads, which need a database that threads
# share (SQLite's test database is in memory; tests/test_sqlite_concurrency.py covers it).
embedded = pytest.mark.embedded


@pytest.fixture
def week():
    course, units = course_with_units(units=2)
    cohort = weekly_cohort(course)
    return fellow_in(cohort), units


def _rows(user, reading) -> int:
    return ReadingProgress.objects.filter(user=user, reading=reading).count()


@embedded
def test_marking_twice_keeps_one_row_and_unmarking_twice_leaves_none(week):
    fellow, units = week
    reading = units[0].readings.first()

    assert services.reading_mark(user=fellow, reading_id=reading.pk, done=True) is True
    assert services.reading_mark(user=fellow, reading_id=reading.pk, done=True) is True
    assert _rows(fellow, reading) == 1

    assert services.reading_mark(user=fellow, reading_id=reading.pk, done=False) is False
    assert services.reading_mark(user=fellow, reading_id=reading.pk, done=False) is False
    assert _rows(fellow, reading) == 0


@embedded
def test_it_refuses_a_reading_of_a_unit_not_yet_released(week):
    fellow, units = week
    reading = units[1].readings.first()

    with pytest.raises(PermissionDenied):
        services.reading_mark(user=fellow, reading_id=reading.pk, done=True)
    assert _rows(fellow, reading) == 0


@embedded
def test_it_refuses_a_reading_of_a_course_the_person_is_not_enrolled_in(week):
    _, units = week
    other_course, _ = course_with_units(units=1)
    stranger = fellow_in(weekly_cohort(other_course))

    with pytest.raises(PermissionDenied):
        services.reading_mark(user=stranger, reading_id=units[0].readings.first().pk, done=True)


@embedded
def test_it_refuses_an_archived_reading_but_keeps_the_fellows_earlier_record(week):
    fellow, units = week
    reading = units[0].readings.first()
    services.reading_mark(user=fellow, reading_id=reading.pk, done=True)
    reading.archived_at = timezone.now()
    reading.save()

    with pytest.raises(PermissionDenied):
        services.reading_mark(user=fellow, reading_id=reading.pk, done=False)
    assert _rows(fellow, reading) == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_marks_from_two_tabs_end_with_exactly_one_row(week):
    fellow, units = week
    reading = units[0].readings.first()
    barrier = threading.Barrier(2)
    errors = []

    def mark():
        try:
            barrier.wait(timeout=5)
            services.reading_mark(user=fellow, reading_id=reading.pk, done=True)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=mark) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert _rows(fellow, reading) == 1


@pytest.mark.django_db(transaction=True)
def test_a_mark_that_loses_the_insert_race_to_another_tab_succeeds_without_a_duplicate(week):
    fellow, units = week
    reading = units[0].readings.first()
    inserted = threading.Event()

    def other_tab():
        # Holds an uncommitted row, so our insert below waits on it and then hits the constraint.
        with transaction.atomic():
            ReadingProgress.objects.create(user=fellow, reading=reading)
            inserted.set()
            time.sleep(0.5)
        connection.close()

    thread = threading.Thread(target=other_tab)
    thread.start()
    assert inserted.wait(timeout=5)
    assert services.reading_mark(user=fellow, reading_id=reading.pk, done=True) is True
    thread.join()

    assert _rows(fellow, reading) == 1


def _version(user) -> int:
    return User.objects.values_list("page_version", flat=True).get(pk=user.pk)


@embedded
def test_a_change_bumps_the_persons_page_version_and_a_repeat_does_not(week):
    fellow, units = week
    reading = units[0].readings.first()
    start = _version(fellow)

    services.reading_mark(user=fellow, reading_id=reading.pk, done=True)
    assert _version(fellow) == start + 1
    services.reading_mark(user=fellow, reading_id=reading.pk, done=True)  # a double click
    assert _version(fellow) == start + 1
    services.reading_mark(user=fellow, reading_id=reading.pk, done=False)
    assert _version(fellow) == start + 2
    services.reading_mark(user=fellow, reading_id=reading.pk, done=False)
    assert _version(fellow) == start + 2


@embedded
def test_a_refused_mark_writes_nothing_and_bumps_nothing(week):
    fellow, units = week
    start = _version(fellow)

    with pytest.raises(PermissionDenied):
        services.reading_mark(user=fellow, reading_id=units[1].readings.first().pk, done=True)
    with pytest.raises(PermissionDenied):
        services.reading_mark(user=fellow, reading_id=10**9, done=False)

    assert _version(fellow) == start and not ReadingProgress.objects.exists()


@embedded
def test_the_mark_records_when_it_was_made(week):
    fellow, units = week
    reading = units[0].readings.first()
    before = timezone.now()

    services.reading_mark(user=fellow, reading_id=reading.pk, done=True)

    completed = ReadingProgress.objects.get(user=fellow, reading=reading).completed_at
    assert before <= completed <= timezone.now()
