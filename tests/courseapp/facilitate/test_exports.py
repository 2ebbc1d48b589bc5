"""The grid as streamed CSV and the sessions as an iCalendar feed, read back."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from courseapp.models import Cohort, Enrollment, Session
from tests.factories import UnitFactory

from .conftest import at, enrol, read, take_quiz

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def fellows(cohort, course, sessions):
    ada = enrol(cohort, '=HYPERLINK("evil")')
    read(ada, course.units[0], 4, at(2026, 3, 1, 8))
    take_quiz(course, ada, [True, True], at(2026, 3, 1, 9))
    ben = enrol(cohort, "Ben", status=Enrollment.Status.DEFERRED)
    return ada, ben


def _csv(client, url) -> list[dict]:
    response = client.get(url)
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_streams_one_row_per_fellow_with_the_grid(client, cohort, fellows, facilitator):
    ada, ben = fellows
    client.force_login(facilitator)
    rows = _csv(client, reverse("cohort_export_csv", args=[cohort.pk]))

    assert [r["email"] for r in rows] == [ada.email, ben.email]
    first = rows[0]
    assert first["fellow"] == '\'=HYPERLINK("evil")'  # kept as text by spreadsheets
    assert first["status"] == "active"
    assert (first["week_1_core_done"], first["week_1_core_total"]) == ("4", "4")
    assert (first["week_1_quiz_best_percent"], first["week_1_quiz_passed"]) == ("100", "yes")
    assert (first["week_2_quiz_best_percent"], first["week_2_feedback_named"]) == ("", "no")
    assert first["last_activity_utc"] == "2026-03-01T09:00+00:00"
    assert rows[1]["status"] == "deferred" and rows[1]["at_risk_reasons"] == ""


def test_the_csv_follows_the_filter_shown(client, cohort, course, fellows, facilitator):
    client.force_login(facilitator)
    url = reverse("cohort_export_csv", args=[cohort.pk]) + f"?unit={course.units[1].pk}"
    rows = _csv(client, url)
    assert "week_2_core_done" in rows[0] and "week_1_core_done" not in rows[0]


def test_the_calendar_has_one_event_per_session_in_utc(client, cohort, course, facilitator):
    client.force_login(facilitator)
    response = client.get(reverse("cohort_sessions_ics", args=[cohort.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"

    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == [
        "Week 1: Week 1 topic",
        "Week 2: Week 2 topic",
        "Week 3: Week 3 topic",
    ]
    first = events[0]
    assert first.decoded("dtstart") == at(2026, 3, 2, 18)
    assert first.decoded("dtstart").utcoffset() == dt.timedelta(0)
    assert first.decoded("duration") == dt.timedelta(minutes=cohort.session_minutes)
    assert str(first["url"]).endswith(f"/units/{course.units[0].pk}/")
    assert len({str(e["uid"]) for e in events}) == 3


def test_a_moved_session_keeps_its_uid(client, cohort, course, facilitator):
    client.force_login(facilitator)
    url = reverse("cohort_sessions_ics", args=[cohort.pk])
    before = Calendar.from_ical(client.get(url).content).walk("VEVENT")[1]
    session = Session.objects.get(cohort=cohort, unit=course.units[1])
    session.starts_at = at(2026, 3, 10, 18)
    session.save()
    after = Calendar.from_ical(client.get(url).content).walk("VEVENT")[1]
    assert str(after["uid"]) == str(before["uid"])
    assert after.decoded("dtstart") == at(2026, 3, 10, 18)


def test_the_calendar_carries_each_sessions_meeting_details(client, cohort, course, facilitator):
    Cohort.objects.filter(pk=cohort.pk).update(meeting_url="https://meet.example.org/a")
    Session.objects.filter(cohort=cohort, unit=course.units[1]).update(
        meeting_place="Room 4, 1 Main Street"
    )
    Session.objects.filter(cohort=cohort, unit=course.units[2]).update(
        meeting_url="https://meet.example.org/moved"
    )
    client.force_login(facilitator)
    url = reverse("cohort_sessions_ics", args=[cohort.pk])

    first, second, third = Calendar.from_ical(client.get(url).content).walk("VEVENT")

    assert str(first["location"]) == str(first["url"]) == "https://meet.example.org/a"
    assert "Join the call: https://meet.example.org/a" in str(first["description"])
    assert "AI Safety Fundamentals · Cohort A" in str(first["description"])
    assert str(second["location"]) == "Room 4, 1 Main Street"
    assert "Meeting place: Room 4, 1 Main Street" in str(second["description"])
    assert str(second["url"]) == "https://meet.example.org/a"
    assert str(third["url"]) == "https://meet.example.org/moved"
    assert str(third["description"]).endswith(f"/units/{course.units[2].pk}/")


def test_the_calendar_queries_do_not_grow_with_sessions(
    client, cohort, course, facilitator, django_assert_max_num_queries
):
    Cohort.objects.filter(pk=cohort.pk).update(meeting_url="https://meet.example.org/a")
    client.force_login(facilitator)
    url = reverse("cohort_sessions_ics", args=[cohort.pk])
    with CaptureQueriesContext(connection) as three:
        client.get(url)
    for week in range(4, 12):
        UnitFactory(course=course.course, week=week, position=week)
    with django_assert_max_num_queries(len(three)):
        response = client.get(url)
    assert response.content.count(b"BEGIN:VEVENT") == 11
