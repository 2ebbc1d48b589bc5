"""Meeting details: a cohort's usual call link and place, a session's own, on My courses and the
course page, with a Join button that turns prominent from JOIN_WINDOW_MINUTES before a session
until it ends; the cohort admin that sets them; the cached home page that follows the clock."""

import datetime as dt
import re
import warnings

import pytest
from django.urls import reverse
from django.utils.deprecation import RemovedInDjango60Warning

from courseapp.demo.accounts import seed_accounts
from courseapp.demo.cohorts import seed_cohorts
from courseapp.models import Cohort, Session
from courseapp.week import selectors
from tests.courseapp.test_pagecache import (
    admin_form,
    admin_save,
    cached,
    inline_row,
    next_view,
    primed,
    signed_in,
)
from tests.courseapp.weeks import (
    LONDON_FIRST_START,
    course_with_units,
    facilitator_of,
    fellow_in,
    meeting_cohort,
    weekly_cohort,
)
from tests.factories import CohortFactory, EnrollmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

CALL = "https://meet.example.org/aisf-cohort-a"
PLACE = "Room 2.14, 10 Example Street"
JOIN = "Join the session now"
# Cohort sessions: Wednesdays 18:00 in London (17:00 UTC in June), 90 minutes long.
FIRST_START = LONDON_FIRST_START
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def cohort():
    """A weekly London cohort of three units whose sessions meet online and in a room."""
    return meeting_cohort(units=3, meeting_url=CALL, meeting_place=PLACE)


@pytest.fixture
def sessions(cohort) -> list[Session]:
    return list(Session.objects.filter(cohort=cohort).order_by("starts_at"))


@pytest.fixture
def at(time_machine):
    """Stop the clock at a moment."""

    def move(moment: dt.datetime) -> None:
        time_machine.move_to(moment, tick=False)

    return move


def home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def course_page(client, user, cohort) -> str:
    client.force_login(user)
    return client.get(reverse("course_detail", args=[cohort.course.slug])).content.decode()


def links_to(html: str, url: str) -> list[str]:
    """Each <a> tag (with its text) that links to this URL."""
    return re.findall(rf'<a [^>]*href="{re.escape(url)}"[^>]*>[^<]*</a>', html)


def unit_row(html: str, session: Session) -> str:
    return html.split(f'id="unit-{session.unit_id}"')[1].split("</li>")[0]


# --- My courses ---------------------------------------------------------------------------------


def test_days_before_a_session_the_card_shows_its_place_and_a_plain_meeting_link(
    client, cohort, at
):
    at(FIRST_START - dt.timedelta(days=3))

    html = home(client, fellow_in(cohort))

    assert "Next session <time" in html and "Wednesday 3 June, 18:00" in html
    assert f"Place:</span> {PLACE}" in html
    [link] = links_to(html, CALL)
    assert 'class="meeting-link"' in link and ">Meeting link<" in link
    assert 'rel="noopener noreferrer"' in link
    assert JOIN not in html


def test_the_join_button_turns_prominent_when_the_join_window_opens(client, cohort, at):
    fellow = fellow_in(cohort)
    at(FIRST_START - dt.timedelta(minutes=15) - MINUTE)
    assert JOIN not in home(client, fellow)

    at(FIRST_START - dt.timedelta(minutes=15))
    html = home(client, fellow)

    [link] = links_to(html, CALL)
    assert 'class="button join-button"' in link and JOIN in link


def test_the_join_window_follows_the_setting(client, cohort, at, settings):
    settings.JOIN_WINDOW_MINUTES = 30
    at(FIRST_START - dt.timedelta(minutes=25))

    assert JOIN in home(client, fellow_in(cohort))


def test_a_session_in_progress_stays_the_cards_session_with_its_join_button_until_it_ends(
    client, cohort, sessions, at
):
    fellow = fellow_in(cohort)
    at(FIRST_START + dt.timedelta(minutes=89))

    html = home(client, fellow)

    assert 'Session now</strong>, started <time datetime="2026-06-03T17:00:00+00:00">18:00' in html
    assert JOIN in html

    at(FIRST_START + dt.timedelta(minutes=90))
    html = home(client, fellow)

    assert "Session now" not in html and JOIN not in html
    assert "Next session" in html and "Wednesday 10 June, 18:00" in html


def test_a_sessions_own_link_and_place_replace_the_cohorts(client, cohort, sessions, at):
    Session.objects.filter(pk=sessions[0].pk).update(
        meeting_url="https://meet.example.org/guest-talk", meeting_place="Lecture theatre B"
    )
    at(FIRST_START - dt.timedelta(minutes=5))

    html = home(client, fellow_in(cohort))

    assert "Place:</span> Lecture theatre B" in html and PLACE not in html
    assert JOIN in links_to(html, "https://meet.example.org/guest-talk")[0]
    assert not links_to(html, CALL)


def test_a_facilitators_card_shows_the_meeting_too(client, cohort, at):
    at(FIRST_START - dt.timedelta(minutes=10))

    html = home(client, facilitator_of(cohort))

    assert "Facilitator" in html and f"Place:</span> {PLACE}" in html
    assert JOIN in links_to(html, CALL)[0]


def test_a_cohort_with_only_a_place_shows_no_link_and_one_with_neither_shows_nothing(
    client, cohort, at
):
    fellow = fellow_in(cohort)
    at(FIRST_START - dt.timedelta(minutes=5))
    Cohort.objects.filter(pk=cohort.pk).update(meeting_url="")
    html = home(client, fellow)
    assert f"Place:</span> {PLACE}" in html and JOIN not in html and "Meeting link" not in html

    Cohort.objects.filter(pk=cohort.pk).update(meeting_place="")
    html = home(client, fellow)

    assert '<div class="meeting' not in html and "Next session" in html


def test_a_link_that_is_not_a_web_address_is_never_shown(client, cohort, at):
    # Written past the validators, as a script or a raw import could.
    Cohort.objects.filter(pk=cohort.pk).update(meeting_url="javascript:alert(1)")
    at(FIRST_START - dt.timedelta(minutes=5))

    html = home(client, fellow_in(cohort))

    assert "javascript:" not in html and JOIN not in html
    assert f"Place:</span> {PLACE}" in html


def test_each_cohort_card_shows_its_own_cohorts_meeting(client, cohort, at):
    other_course, _ = course_with_units(units=2, tiers={})
    other = CohortFactory(
        course=other_course,
        start_date=FIRST_START.date() + dt.timedelta(days=2),
        meeting_url="https://meet.example.org/other",
    )
    fellow = fellow_in(cohort)
    EnrollmentFactory(cohort=other, user=fellow)
    at(FIRST_START - dt.timedelta(minutes=5))

    html = home(client, fellow)

    mine = html.split(f'id="cohort-{cohort.pk}"')[1].split("</li>")[0]
    theirs = html.split(f'id="cohort-{other.pk}"')[1].split("</li>")[0]
    assert JOIN in links_to(mine, CALL)[0]
    assert "Meeting link" in links_to(theirs, "https://meet.example.org/other")[0]


# --- The course page ----------------------------------------------------------------------------


def test_the_course_page_says_where_sessions_meet_and_the_next_row_has_the_join_button(
    client, cohort, sessions, at
):
    at(FIRST_START - dt.timedelta(minutes=10))

    html = course_page(client, fellow_in(cohort), cohort)

    header = html.split('class="page-header"')[1].split("</header>")[0]
    assert f"Sessions meet:</span> {PLACE} and <a" in " ".join(header.split())
    assert "online (meeting link)" in links_to(header, CALL)[0]
    assert JOIN in links_to(unit_row(html, sessions[0]), CALL)[0]
    for later in sessions[1:]:
        assert '<div class="meeting' not in unit_row(html, later)


def test_days_before_the_next_row_has_a_plain_link_and_a_session_on_now_says_so(
    client, cohort, sessions, at
):
    fellow = fellow_in(cohort)
    at(FIRST_START - dt.timedelta(days=2))
    row = unit_row(course_page(client, fellow, cohort), sessions[0])
    assert "Meeting link" in links_to(row, CALL)[0] and JOIN not in row

    at(FIRST_START + dt.timedelta(minutes=30))
    html = course_page(client, fellow, cohort)

    assert 'Session <strong class="session-now">now</strong>, started' in unit_row(
        html, sessions[0]
    )
    assert JOIN in unit_row(html, sessions[0])
    assert '<div class="meeting' not in unit_row(html, sessions[1])


def test_a_later_session_that_meets_elsewhere_shows_its_own_place_and_link_on_its_row(
    client, cohort, sessions, at
):
    Session.objects.filter(pk=sessions[2].pk).update(
        meeting_place="Lecture theatre B", meeting_url="https://meet.example.org/guest-talk"
    )
    at(FIRST_START - dt.timedelta(minutes=10))

    html = course_page(client, fellow_in(cohort), cohort)

    row = unit_row(html, sessions[2])
    assert "Place:</span> Lecture theatre B" in row
    assert "Meeting link" in links_to(row, "https://meet.example.org/guest-talk")[0]
    assert JOIN not in row
    assert '<div class="meeting' not in unit_row(html, sessions[1])


def test_staff_outside_the_cohort_see_the_course_without_meeting_details(client, cohort, staff, at):
    at(FIRST_START - dt.timedelta(minutes=10))

    html = course_page(client, staff, cohort)

    assert "Sessions meet" not in html and CALL not in html


# --- The schedule's next change -----------------------------------------------------------------


def test_the_schedules_next_change_names_the_join_window_the_start_and_the_end(
    cohort, sessions, django_assert_num_queries
):
    fellow = fellow_in(cohort)
    window = FIRST_START - dt.timedelta(minutes=15)
    end = FIRST_START + dt.timedelta(minutes=90)
    second = sessions[1].starts_at

    def after(moment):
        with django_assert_num_queries(1):
            return selectors.schedule_next_change(user=fellow, after=moment)

    assert after(window - dt.timedelta(hours=1)) == window
    assert after(window) == FIRST_START
    assert after(FIRST_START) == end
    assert after(end) == second - dt.timedelta(minutes=15)


def test_the_session_end_follows_the_cohorts_session_length(cohort):
    Cohort.objects.filter(pk=cohort.pk).update(session_minutes=45)

    moment = selectors.schedule_next_change(user=fellow_in(cohort), after=FIRST_START)

    assert moment == FIRST_START + dt.timedelta(minutes=45)


@pytest.mark.django_db(transaction=True)
def test_a_cached_home_turns_the_join_button_prominent_when_the_window_opens_and_back_after(
    cohort, at
):
    browser = signed_in(fellow_in(cohort))
    url = reverse("home")
    at(FIRST_START - dt.timedelta(minutes=20))
    assert JOIN not in primed(browser, url)

    at(FIRST_START - dt.timedelta(minutes=16))
    assert JOIN not in cached(browser, url)

    at(FIRST_START - dt.timedelta(minutes=14))
    assert JOIN in next_view(browser, url)

    at(FIRST_START + dt.timedelta(minutes=5))
    assert "Session now" in next_view(browser, url)

    at(FIRST_START + dt.timedelta(minutes=91))
    page = next_view(browser, url)
    assert JOIN not in page and "Wednesday 10 June, 18:00" in page


# --- The cohort admin ---------------------------------------------------------------------------


def test_an_admin_sets_a_cohorts_meeting_and_a_sessions_own_place(client, staff, sessions):
    cohort = sessions[0].cohort
    Cohort.objects.filter(pk=cohort.pk).update(meeting_url="", meeting_place="")
    client.force_login(staff)
    url = reverse("admin:courseapp_cohort_change", args=[cohort.pk])
    data = admin_form(client, url, "cohort_form")
    row = inline_row(data, "sessions", "unit", sessions[1].unit_id)
    data["meeting_url"] = ["meet.example.org/aisf"]
    data["meeting_place"] = [PLACE]
    data[f"{row}-meeting_place"] = ["Lecture theatre B"]

    admin_save(client, url, data)

    cohort.refresh_from_db()
    assert (cohort.meeting_url, cohort.meeting_place) == ("https://meet.example.org/aisf", PLACE)
    week_2 = Session.objects.select_related("cohort").get(pk=sessions[1].pk)
    assert (week_2.place, week_2.join_url) == ("Lecture theatre B", "https://meet.example.org/aisf")
    assert Session.objects.select_related("cohort").get(pk=sessions[0].pk).place == PLACE


@pytest.mark.parametrize("where", ["cohort", "session"])
def test_a_javascript_link_is_refused_with_a_message_and_nothing_is_saved(
    client, staff, sessions, where
):
    cohort = sessions[0].cohort
    client.force_login(staff)
    url = reverse("admin:courseapp_cohort_change", args=[cohort.pk])
    data = admin_form(client, url, "cohort_form")
    field = "meeting_url"
    if where == "session":
        field = f"{inline_row(data, 'sessions', 'unit', sessions[0].unit_id)}-meeting_url"
    data[field] = ["javascript:alert(document.cookie)"]
    data["meeting_place"] = ["Somewhere else"]

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    cohort.refresh_from_db()
    assert (cohort.meeting_url, cohort.meeting_place) == (CALL, PLACE)
    assert not Session.objects.filter(cohort=cohort).exclude(meeting_url="").exists()


def test_the_cohort_admin_builds_its_meeting_link_fields_without_a_deprecation_warning(
    client, staff, cohort
):
    client.force_login(staff)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RemovedInDjango60Warning)
        change = client.get(reverse("admin:courseapp_cohort_change", args=[cohort.pk]))
        add = client.get(reverse("admin:courseapp_cohort_add"))

    assert change.status_code == add.status_code == 200
    assert 'name="sessions-0-meeting_url"' in change.content.decode()


# --- Query counts -------------------------------------------------------------------------------


@pytest.fixture
def busy_fellow(at):
    """A fellow in four cohorts of four courses, each with 10 sessions and meeting details,
    one session of each with its own, and one cohort's session on now."""
    at(FIRST_START + dt.timedelta(minutes=10))
    fellow = None
    for n in range(4):
        course, _ = course_with_units(units=10, tiers={}, slug=f"course-{n}")
        cohort = weekly_cohort(
            course,
            starts_in_days=-n,
            meeting_url=f"https://meet.example.org/c{n}",
            meeting_place=f"Room {n}",
        )
        Session.objects.filter(cohort=cohort, unit__week=5).update(meeting_place="Elsewhere")
        if fellow is None:
            fellow = fellow_in(cohort)
        else:
            EnrollmentFactory(cohort=cohort, user=fellow)
        facilitator_of(cohort)
    return fellow


def test_home_stays_within_six_queries_with_many_cohorts_and_sessions(
    client, busy_fellow, django_assert_max_num_queries
):
    client.force_login(busy_fellow)

    # Session, user, enrolments, sessions, progress, the schedule's next change.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("home"))

    assert len(response.context["cards"]) == 4
    assert response.content.decode().count('<div class="meeting') == 4


def test_the_course_page_runs_as_many_queries_with_meeting_details_as_without(
    client, busy_fellow, django_assert_max_num_queries
):
    client.force_login(busy_fellow)
    url = reverse("course_detail", args=["course-0"])

    # Session, user, the overview's four, quiz mastery and its objectives (as test_course_detail).
    with django_assert_max_num_queries(9):
        response = client.get(url)

    assert len(response.context["overview"].rows) == 10
    assert "Place:</span> Elsewhere" in response.content.decode()


# --- The demo -----------------------------------------------------------------------------------


def test_the_demo_cohorts_meet_online_one_also_in_a_room_and_one_session_elsewhere():
    seed_accounts()
    course, _ = course_with_units(units=3, tiers={})

    seed_cohorts(course)

    a, b = Cohort.objects.get(name="Cohort A"), Cohort.objects.get(name="Cohort B")
    assert a.meeting_url == CALL and b.meeting_url == "https://meet.example.org/aisf-cohort-b"
    assert a.meeting_place == PLACE and b.meeting_place == ""
    own = Session.objects.filter(cohort__course=course).exclude(meeting_place="")
    assert [s.cohort.name for s in own] == ["Cohort A"]
