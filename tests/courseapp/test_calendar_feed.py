"""Each person's private calendar: the page that gives out the feed's address, the feed read
back with icalendar, resetting the address, and who sees what."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.services import user_retire
from courseapp.meetings import services
from courseapp.models import CalendarFeed, Cohort, Enrollment, Session
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in
from tests.factories import CohortFactory, EnrollmentFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC


def _london_cohort(course, start: dt.date, **fields) -> Cohort:
    return CohortFactory(
        course=course,
        timezone="Europe/London",
        start_date=start,
        session_time=dt.time(18, 0),
        **fields,
    )


@pytest.fixture
def world():
    """Ada, a fellow of Cohort A (weekly, London, three units, a video call for every session
    and a room for week 2); Ben, a fellow of Cohort B of another course."""
    course, units = course_with_units(units=3, title="AI Safety Fundamentals")
    cohort = _london_cohort(
        course,
        dt.date(2026, 3, 2),
        name="Cohort A",
        meeting_url="https://meet.example.org/cohort-a",
    )
    week2 = Session.objects.get(cohort=cohort, unit=units[1])
    week2.meeting_place = "Room 4, 1 Main Street"
    week2.save()
    other_course, other_units = course_with_units(units=2, title="Governance")
    other = _london_cohort(other_course, dt.date(2026, 3, 3), name="Cohort B")
    return {
        "course": course,
        "units": units,
        "cohort": cohort,
        "other": other,
        "other_units": other_units,
        "ada": fellow_in(cohort, display_name="Ada"),
        "ben": fellow_in(other, display_name="Ben"),
    }


def _feed_url(user) -> str:
    feed = services.calendar_feed_for(user=user)
    return reverse("calendar_feed", args=[feed.token])


def _events(client, user) -> list:
    response = client.get(_feed_url(user))
    assert response.status_code == 200
    return Calendar.from_ical(response.content).walk("VEVENT")


def _sessions(events) -> dict[str, object]:
    return {str(e["summary"]): e for e in events if str(e["uid"]).startswith("session-")}


# --- The page ------------------------------------------------------------------------------------


def test_the_page_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("my_calendar"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_page_gives_the_private_address_to_copy_subscribe_and_download(client, world, settings):
    settings.SITE_URL = "https://courses.example.org"
    ada = world["ada"]
    client.force_login(ada)

    html = client.get(reverse("my_calendar")).content.decode()

    feed = CalendarFeed.objects.get(user=ada)
    path = reverse("calendar_feed", args=[feed.token])
    assert '<label for="feed-url">' in html
    assert f'id="feed-url" value="https://courses.example.org{path}" readonly' in html
    assert f'href="webcal://courses.example.org{path}">Add to calendar</a>' in html
    assert f'href="https://courses.example.org{path}" download>Download .ics</a>' in html
    assert "calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fcourses.example.org" in html
    assert "AI Safety Fundamentals · Cohort A" in html
    assert "Governance" not in html
    assert f'action="{reverse("my_calendar_reset")}"' in html
    assert "csrfmiddlewaretoken" in html


def test_the_feed_is_made_once_and_kept_across_visits(client, world):
    client.force_login(world["ada"])
    client.get(reverse("my_calendar"))
    token = CalendarFeed.objects.get(user=world["ada"]).token
    client.get(reverse("my_calendar"))
    assert list(CalendarFeed.objects.filter(user=world["ada"]).values_list("token", flat=True)) == [
        token
    ]


def test_the_page_says_when_a_calendar_app_last_fetched_the_feed(client, world):
    client.force_login(world["ada"])
    assert "No calendar app has fetched this link yet." in client.get(reverse("my_calendar")).text
    Client().get(_feed_url(world["ada"]))
    assert "A calendar app last fetched this link around" in client.get(reverse("my_calendar")).text


def test_someone_in_no_cohort_is_told_the_feed_is_empty_for_now(client, db):
    client.force_login(UserFactory())
    assert "You are not in a cohort yet" in client.get(reverse("my_calendar")).text


def test_cohort_names_are_escaped_on_the_page(client, world):
    Cohort.objects.filter(pk=world["cohort"].pk).update(name="<script>alert(1)</script>")
    client.force_login(world["ada"])
    html = client.get(reverse("my_calendar")).text
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_account_menu_links_to_the_page(client, world):
    client.force_login(world["ada"])
    html = client.get(reverse("home")).text
    assert f'<a href="{reverse("my_calendar")}">Your calendar</a>' in html


def test_the_page_runs_the_same_queries_for_many_cohorts(client, world):
    ada = world["ada"]
    client.force_login(ada)
    client.get(reverse("my_calendar"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("my_calendar"))
    for n in range(5):
        course, _ = course_with_units(units=4, tiers={})
        EnrollmentFactory(user=ada, cohort=CohortFactory(course=course, name=f"More {n}"))
    with CaptureQueriesContext(connection) as six:
        response = client.get(reverse("my_calendar"))
    assert response.text.count("More ") == 5
    assert len(six) == len(one)


# --- The feed: content ---------------------------------------------------------------------------


def test_each_session_is_an_event_with_its_week_time_length_and_meeting_details(
    client, world, settings
):
    settings.SITE_URL = "https://courses.example.org"
    ada, units, cohort = world["ada"], world["units"], world["cohort"]
    sessions = _sessions(_events(client, ada))

    assert list(sessions) == [
        "Week 1: Week 1 topic",
        "Week 2: Week 2 topic",
        "Week 3: Week 3 topic",
    ]
    first = sessions["Week 1: Week 1 topic"]
    week1 = Session.objects.get(cohort=cohort, unit=units[0])
    assert str(first["uid"]).startswith(f"session-{week1.pk}@")
    assert first.decoded("dtstart") == dt.datetime(2026, 3, 2, 18, tzinfo=UTC)
    assert first.decoded("dtstart").utcoffset() == dt.timedelta(0)
    assert first.decoded("duration") == dt.timedelta(minutes=cohort.session_minutes)
    assert str(first["location"]) == "https://meet.example.org/cohort-a"
    assert str(first["url"]) == "https://meet.example.org/cohort-a"
    description = str(first["description"])
    assert "AI Safety Fundamentals · Cohort A" in description
    assert "Join the call: https://meet.example.org/cohort-a" in description
    assert f"Unit page: https://courses.example.org{units[0].get_absolute_url()}" in description


def test_a_session_with_a_room_puts_the_room_in_location_and_both_in_the_description(client, world):
    week2 = _sessions(_events(client, world["ada"]))["Week 2: Week 2 topic"]
    assert str(week2["location"]) == "Room 4, 1 Main Street"
    assert str(week2["url"]) == "https://meet.example.org/cohort-a"
    description = str(week2["description"])
    assert "Meeting place: Room 4, 1 Main Street" in description
    assert "Join the call: https://meet.example.org/cohort-a" in description


def test_a_session_without_meeting_details_links_to_its_unit_page(client, world, settings):
    settings.SITE_URL = "https://courses.example.org"
    ben, unit = world["ben"], world["other_units"][0]
    [first, *_] = _sessions(_events(client, ben)).values()
    assert "location" not in first
    assert str(first["url"]) == f"https://courses.example.org{unit.get_absolute_url()}"
    assert "Join the call" not in str(first["description"])


def test_a_meeting_link_that_is_not_a_web_address_is_left_out(client, world):
    Cohort.objects.filter(pk=world["cohort"].pk).update(meeting_url="javascript:alert(1)")
    events = _events(client, world["ada"])
    assert all("javascript" not in e.to_ical().decode() for e in events)


def test_a_weekly_cohort_adds_a_see_through_marker_when_each_unit_opens(client, world):
    cohort, units = world["cohort"], world["units"]
    releases = {
        str(e["summary"]): e
        for e in _events(client, world["ada"])
        if str(e["uid"]).startswith("release-")
    }
    assert list(releases) == [
        "Week 1 opens: Week 1 topic",
        "Week 2 opens: Week 2 topic",
        "Week 3 opens: Week 3 topic",
    ]
    week2 = Session.objects.get(cohort=cohort, unit=units[1])
    opens = releases["Week 2 opens: Week 2 topic"]
    assert str(opens["uid"]).startswith(f"release-{week2.pk}@")
    assert opens.decoded("dtstart") == week2.opens_at
    assert opens.decoded("dtstart") == dt.datetime(2026, 3, 2, 18, tzinfo=UTC)
    assert opens.decoded("duration") == dt.timedelta(0)
    assert str(opens["transp"]) == "TRANSPARENT"
    assert str(opens["url"]).endswith(units[1].get_absolute_url())


def test_a_self_paced_cohort_has_sessions_but_no_release_markers(client, world):
    Cohort.objects.filter(pk=world["cohort"].pk).update(pacing=Cohort.Pacing.SELF_PACED)
    events = _events(client, world["ada"])
    assert len(events) == 3
    assert all(str(e["uid"]).startswith("session-") for e in events)


def test_the_calendar_names_itself_and_asks_to_be_refreshed_hourly(client, world):
    response = client.get(_feed_url(world["ada"]))
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["x-wr-calname"]) == "Fellowship: your sessions"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.content
    assert b"X-PUBLISHED-TTL:PT1H" in response.content


def test_the_feed_answers_as_a_private_unindexed_calendar(client, world):
    response = client.get(_feed_url(world["ada"]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "private" in response["Cache-Control"]
    assert response["Content-Disposition"].endswith('filename="fellowship-sessions.ics"')


def test_head_answers_like_get_and_other_methods_are_refused(client, world):
    url = _feed_url(world["ada"])
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405
    assert client.put(url).status_code == 405


def test_sessions_keep_their_local_time_across_both_daylight_saving_changes(client, db):
    """A London cohort meets on Mondays at 18:00: 18:00 GMT (UTC) before the last Sunday of
    March, 18:00 BST (17:00 UTC) after it, and back after the last Sunday of October."""
    course, _ = course_with_units(units=3, tiers={})
    spring = _london_cohort(course, dt.date(2026, 3, 16), name="Spring")
    autumn = _london_cohort(course, dt.date(2026, 10, 12), name="Autumn")
    fellow = fellow_in(spring)
    EnrollmentFactory(user=fellow, cohort=autumn)

    events = _events(client, fellow)
    starts = [e.decoded("dtstart") for e in events if str(e["uid"]).startswith("session-")]

    assert [s.astimezone(UTC).hour for s in starts] == [18, 18, 17, 17, 17, 18]
    local = [s.astimezone(LONDON) for s in starts]
    assert {(t.hour, t.minute, t.strftime("%A")) for t in local} == {(18, 0, "Monday")}
    assert [t.date() for t in local] == [
        dt.date(2026, 3, 16),
        dt.date(2026, 3, 23),
        dt.date(2026, 3, 30),
        dt.date(2026, 10, 12),
        dt.date(2026, 10, 19),
        dt.date(2026, 10, 26),
    ]


# --- The feed: whose sessions --------------------------------------------------------------------


def test_a_fellow_never_gets_another_cohorts_sessions(client, world):
    ada_uids = {str(e["uid"]).split("@")[0] for e in _events(client, world["ada"])}
    ben_uids = {str(e["uid"]).split("@")[0] for e in _events(client, world["ben"])}
    mine = Session.objects.filter(cohort=world["cohort"]).values_list("pk", flat=True)
    theirs = Session.objects.filter(cohort=world["other"]).values_list("pk", flat=True)
    assert {u for u in ada_uids if u.startswith("session-")} == {f"session-{pk}" for pk in mine}
    assert {u for u in ben_uids if u.startswith("session-")} == {f"session-{pk}" for pk in theirs}


def test_a_fellow_in_two_cohorts_of_one_course_gets_both_cohorts_sessions(client, world):
    second = _london_cohort(world["course"], dt.date(2026, 4, 6), name="Cohort C")
    EnrollmentFactory(user=world["ada"], cohort=second)
    sessions = [e for e in _events(client, world["ada"]) if str(e["uid"]).startswith("session-")]
    assert len(sessions) == 6
    assert sum("Cohort C" in str(e["description"]) for e in sessions) == 3


def test_a_dropped_enrolment_leaves_the_feed(client, world):
    Enrollment.objects.filter(user=world["ada"]).update(status=Enrollment.Status.DROPPED)
    assert _events(client, world["ada"]) == []


def test_a_deferred_fellow_keeps_the_sessions(client, world):
    Enrollment.objects.filter(user=world["ada"]).update(status=Enrollment.Status.DEFERRED)
    assert len(_sessions(_events(client, world["ada"]))) == 3


def test_a_facilitator_gets_the_sessions_of_the_cohorts_they_run(client, world):
    fran = facilitator_of(world["cohort"])
    sessions = _sessions(_events(client, fran))
    assert list(sessions)[0] == "Week 1: Week 1 topic"
    assert len(sessions) == 3


def test_unpublished_and_archived_units_stay_out(client, world):
    units = world["units"]
    type(units[0]).objects.filter(pk=units[0].pk).update(published=False)
    type(units[1]).objects.filter(pk=units[1].pk).update(archived_at=timezone.now())
    events = _events(client, world["ada"])
    assert [str(e["summary"]) for e in events] == [
        "Week 3: Week 3 topic",
        "Week 3 opens: Week 3 topic",
    ]


# --- The secret ----------------------------------------------------------------------------------


def test_an_unknown_address_is_a_bare_404(client, world):
    response = client.get(reverse("calendar_feed", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert b"not-a-real-token" not in response.content
    assert b"BEGIN:VCALENDAR" not in response.content


def test_resetting_the_link_stops_the_old_address_and_the_new_one_works(client, world):
    ada = world["ada"]
    old_url = _feed_url(ada)
    client.force_login(ada)

    response = client.post(reverse("my_calendar_reset"), follow=True)

    assert response.redirect_chain == [(reverse("my_calendar"), 302)]
    assert "Your calendar link was reset: the old link no longer works." in response.text
    new_url = reverse("calendar_feed", args=[CalendarFeed.objects.get(user=ada).token])
    assert new_url != old_url
    assert new_url in response.text
    anonymous = Client()
    assert anonymous.get(old_url).status_code == 404
    new = anonymous.get(new_url)
    assert new.status_code == 200
    assert b"Week 1: Week 1 topic" in new.content


def test_a_reset_before_any_visit_makes_the_feed(client, world):
    client.force_login(world["ada"])
    client.post(reverse("my_calendar_reset"))
    assert CalendarFeed.objects.filter(user=world["ada"]).count() == 1


def test_reset_refuses_a_post_without_the_csrf_token(world):
    ada = world["ada"]
    url = _feed_url(ada)
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    assert client.post(reverse("my_calendar_reset")).status_code == 403
    assert client.get(url).status_code == 200


def test_reset_is_a_post_only_and_needs_sign_in(client, world):
    assert client.post(reverse("my_calendar_reset")).status_code == 302
    client.force_login(world["ada"])
    assert client.get(reverse("my_calendar_reset")).status_code == 405


def test_one_persons_reset_leaves_another_persons_feed_alone(client, world):
    ben_url = _feed_url(world["ben"])
    client.force_login(world["ada"])
    client.post(reverse("my_calendar_reset"))
    assert Client().get(ben_url).status_code == 200


def test_an_inactive_account_feed_is_gone(client, world):
    url = _feed_url(world["ada"])
    type(world["ada"]).objects.filter(pk=world["ada"].pk).update(is_active=False)
    assert client.get(url).status_code == 404


def test_a_deleted_account_feed_is_gone(client, world):
    url = _feed_url(world["ada"])
    user_retire(user=world["ada"], actor=world["ada"])
    assert client.get(url).status_code == 404


# --- Cost ----------------------------------------------------------------------------------------


def test_the_feed_runs_a_fixed_number_of_queries_whatever_the_cohorts(
    client, world, django_assert_max_num_queries
):
    ada = world["ada"]
    url = _feed_url(ada)
    for n in range(6):
        course, _ = course_with_units(units=8, tiers={})
        EnrollmentFactory(
            user=ada, cohort=CohortFactory(course=course, meeting_url=f"https://m.example/{n}")
        )
    # The feed with its owner, the sessions with units, cohorts and courses, and the first
    # fetch's record.
    with django_assert_max_num_queries(3):
        response = client.get(url)
    assert response.content.count(b"BEGIN:VEVENT") == 2 * (3 + 6 * 8)


def test_a_fetch_is_recorded_at_most_once_an_hour(client, world, time_machine):
    ada = world["ada"]
    url = _feed_url(ada)
    time_machine.move_to(dt.datetime(2026, 3, 1, 9, tzinfo=UTC), tick=False)
    client.get(url)
    assert CalendarFeed.objects.get(user=ada).last_fetched_at == dt.datetime(
        2026, 3, 1, 9, tzinfo=UTC
    )

    time_machine.move_to(dt.datetime(2026, 3, 1, 9, 40, tzinfo=UTC), tick=False)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert not any(q["sql"].startswith("UPDATE") for q in queries)
    assert len(queries) == 2

    time_machine.move_to(dt.datetime(2026, 3, 1, 10, 5, tzinfo=UTC), tick=False)
    client.get(url)
    assert CalendarFeed.objects.get(user=ada).last_fetched_at == dt.datetime(
        2026, 3, 1, 10, 5, tzinfo=UTC
    )
