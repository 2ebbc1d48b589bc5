"""Prepared statements for the hottest queries (courseapp/prepared.py): prepared once per
connection, executed with the same answers as the plain SQL, prepared again on a new
connection, and not used at all when turned off."""

import pytest
from django.db import connection

from courseapp import prepared, selectors
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort

# Each test starts its own session (closing the connection), so none runs inside a test-wide
# transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def _ours() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'reading_%%'"
        )
        return cursor.fetchall()


@pytest.fixture
def week():
    course, [unit, later] = course_with_units(units=2)
    return fellow_in(weekly_cohort(course)), unit, later


def test_the_placeholders_are_numbered_in_order():
    name, numbered = prepared._statement("x", "SELECT %s WHERE a = %s AND b IN (%s)")

    assert numbered == "SELECT $1 WHERE a = $2 AND b IN ($3)"
    assert name.startswith("x_") and prepared._statement("x", "SELECT %s")[0] != name


def test_a_statement_is_prepared_once_per_connection_and_answers_as_the_plain_sql(week):
    fellow, unit, later = week
    open_reading, closed_reading = unit.readings.first(), later.readings.first()
    connection.close()

    answers = [
        selectors.reading_open_to(user=fellow, reading_id=r.pk)
        for r in (open_reading, closed_reading, open_reading)
    ]

    assert answers == [True, False, True]
    [(name, statement)] = _ours()
    assert name.startswith("reading_open_") and "courseapp_enrollment" in statement


def test_a_new_connection_prepares_again(week):
    fellow, unit, _ = week
    reading = unit.readings.first()
    assert selectors.reading_open_to(user=fellow, reading_id=reading.pk)
    connection.close()

    assert _ours() == []  # a new session has none
    assert selectors.reading_open_to(user=fellow, reading_id=reading.pk)
    assert len(_ours()) == 1


def test_turned_off_nothing_is_prepared(week, settings):
    settings.DB_PREPARED_STATEMENTS = False
    fellow, unit, _ = week
    connection.close()

    reading, progress = selectors.reading_with_unit_progress(
        user=fellow, reading_id=unit.readings.first().pk
    )

    assert reading.pk == unit.readings.first().pk and progress.total == unit.readings.count()
    assert _ours() == []
