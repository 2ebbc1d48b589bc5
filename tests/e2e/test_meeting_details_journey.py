"""A fellow whose session starts in ten minutes finds a prominent "Join the session now" button
on My courses and on the course page, with JavaScript and without, on a desktop and a phone; a
fellow whose session is days away sees where it meets and a plain meeting link. Axe checks every
page where JavaScript runs."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from courseapp.models import Session
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort
from tests.e2e.conftest import DESKTOP, PHONE, assert_accessible, log_in, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
CALL = "https://meet.example.org/aisf-cohort-a"
PLACE = "Room 2.14, 10 Example Street"
JOIN = "Join the session now"


@pytest.fixture
def course():
    course, _ = course_with_units(units=3, slug="aisf", title="AI Safety Fundamentals")
    return course


def _cohort(course, **fields):
    return weekly_cohort(course, meeting_url=CALL, meeting_place=PLACE, **fields)


@pytest.fixture
def fellow_starting_soon(course):
    """A fellow of a cohort whose first session starts in ten minutes."""
    cohort = _cohort(course, name="Cohort A", starts_in_days=1)
    first = Session.objects.filter(cohort=cohort).order_by("starts_at").first()
    first.starts_at = timezone.now() + dt.timedelta(minutes=10)
    first.save()
    return fellow_in(cohort)


def _visit(page: Page, url: str, *, javascript: bool, name: str) -> None:
    page.goto(url)
    if javascript:  # axe runs in the page
        assert_accessible(page)
    screenshot(page, name)


def _join_button(page: Page):
    button = page.get_by_role("link", name=JOIN)
    expect(button).to_be_visible()
    expect(button).to_have_attribute("href", CALL)
    expect(button).to_have_attribute("rel", "noopener noreferrer")
    return button


@pytest.mark.parametrize("javascript", [True, False])
def test_a_fellow_ten_minutes_before_the_session_sees_the_join_button(
    fellow_starting_soon, course, context_factory, javascript
):
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = context_factory(javascript=javascript, viewport=viewport).new_page()
        log_in(page, fellow_starting_soon.email, PASSWORD)
        name = f"meeting-join-{label}-js-{javascript}"

        _visit(page, reverse("home"), javascript=javascript, name=f"{name}-home")
        button = _join_button(page)
        expect(page.get_by_text(f"Place: {PLACE}")).to_be_visible()
        box = button.bounding_box()
        assert box["height"] >= 44, "the Join button is too small to tap"
        if viewport is PHONE:
            card = page.locator(".course-card").bounding_box()
            assert box["width"] > card["width"] * 0.7, "the Join button does not fill the card"

        _visit(
            page,
            reverse("course_detail", args=[course.slug]),
            javascript=javascript,
            name=f"{name}-course",
        )
        expect(page.get_by_text("Sessions meet:")).to_be_visible()
        _join_button(page)


def test_a_fellow_days_before_the_session_sees_the_place_and_a_plain_meeting_link(
    course, context_factory
):
    fellow = fellow_in(_cohort(course, name="Cohort B", starts_in_days=3))
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = context_factory(viewport=viewport).new_page()
        log_in(page, fellow.email, PASSWORD)

        _visit(page, reverse("home"), javascript=True, name=f"meeting-later-{label}-home")
        expect(page.get_by_text(f"Place: {PLACE}")).to_be_visible()
        expect(page.get_by_role("link", name="Meeting link")).to_have_attribute("href", CALL)
        expect(page.get_by_role("link", name=JOIN)).to_have_count(0)

        _visit(
            page,
            reverse("course_detail", args=[course.slug]),
            javascript=True,
            name=f"meeting-later-{label}",
        )
        expect(page.get_by_role("link", name="online (meeting link)")).to_have_attribute(
            "href", CALL
        )
        expect(page.get_by_role("link", name=JOIN)).to_have_count(0)
