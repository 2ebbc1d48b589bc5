import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from courseapp.models import Enrollment, Reading
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in, weekly_cohort
from tests.factories import CohortFactory, EnrollmentFactory, ReadingProgressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def week():
    course, units = course_with_units(units=3, title="Alignment")
    return weekly_cohort(course, name="Cohort A"), units


def test_a_fellow_sees_this_weeks_unit_and_what_is_left_in_it(client, week):
    cohort, units = week
    fellow = fellow_in(cohort)
    for reading in units[0].readings.filter(tier=Reading.Tier.CORE)[:2]:
        ReadingProgressFactory(user=fellow, reading=reading)
    client.force_login(fellow)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert "Cohort A" in html and "Week 1: Week 1 topic" in html
    assert "2 of 4 core readings left, about 40 min" in html
    assert reverse("unit_detail", args=[units[0].pk]) in html


def test_my_courses_leads_to_the_private_calendar_page(client, week):
    cohort, _ = week
    client.force_login(fellow_in(cohort))

    html = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("my_calendar")}">Add your sessions to your calendar</a>' in html


def test_the_next_session_is_shown_in_the_fellows_timezone_else_the_cohorts(client):
    course, _ = course_with_units(units=2, tiers={})
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC), tick=False):
        cohort = CohortFactory(
            course=course,
            timezone="Europe/London",
            start_date=dt.date(2026, 6, 3),
            session_time=dt.time(18),
        )
        tokyo, plain = fellow_in(cohort, timezone="Asia/Tokyo"), fellow_in(cohort)
        client.force_login(tokyo)
        tokyo_html = client.get(reverse("home")).content.decode()
        client.force_login(plain)
        plain_html = client.get(reverse("home")).content.decode()

    assert "Thursday 4 June, 02:00" in tokyo_html and "(Asia/Tokyo)" in tokyo_html
    assert "Wednesday 3 June, 18:00" in plain_html and "(Europe/London)" in plain_html


def test_before_anything_opens_the_card_says_when_week_one_opens(client):
    course, _ = course_with_units(units=2, tiers={})
    client.force_login(fellow_in(weekly_cohort(course, starts_in_days=20)))

    html = client.get(reverse("home")).content.decode()

    assert "Week 1 opens" in html


def test_when_all_core_readings_are_done_it_says_so(client, week):
    cohort, units = week
    fellow = fellow_in(cohort)
    for reading in units[0].readings.filter(tier=Reading.Tier.CORE):
        ReadingProgressFactory(user=fellow, reading=reading)
    client.force_login(fellow)

    assert "All 4 core readings done" in client.get(reverse("home")).content.decode()


def test_a_facilitator_sees_their_cohorts_with_an_invite_link_and_dropped_cohorts_are_hidden(
    client, week
):
    cohort, _ = week
    facilitator = facilitator_of(cohort)
    other_course, _ = course_with_units(units=1, tiers={})
    gone = weekly_cohort(other_course, name="Old cohort")
    EnrollmentFactory(cohort=gone, user=facilitator, status=Enrollment.Status.DROPPED)
    client.force_login(facilitator)

    html = client.get(reverse("home")).content.decode()

    assert "Facilitator" in html and reverse("cohort_invite", args=[cohort.pk]) in html
    assert "Old cohort" not in html


def test_someone_with_no_cohort_sees_a_friendly_empty_state(client, user):
    client.force_login(user)

    assert "You are not enrolled in a cohort yet" in client.get(reverse("home")).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert "/accounts/login/" in client.get(reverse("home"))["Location"]


def test_home_runs_a_fixed_number_of_queries(client, big_course, django_assert_max_num_queries):
    cohort, units, fellows = big_course
    other_course, _ = course_with_units(units=12)
    EnrollmentFactory(cohort=weekly_cohort(other_course), user=fellows[0])
    facilitator_of(cohort)
    client.force_login(fellows[0])

    # A first view: session, user, enrolments, sessions, progress, the next schedule change.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("home"))

    assert len(response.context["cards"]) == 2
