"""A fellow finds their calendar page from the account menu on a phone, with JavaScript and
without, takes the private address, resets it, and the old address stops working while the new
one serves their session to a calendar app (a request with no cookies). Every page passes axe."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.courseapp.weeks import course_with_units, fellow_in
from tests.e2e.conftest import PHONE, assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, CohortFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
RESET = "Your calendar link was reset: the old link no longer works."


@pytest.fixture
def fellow():
    course, _ = course_with_units(units=2, title="AI Safety Fundamentals")
    cohort = CohortFactory(
        course=course,
        name="Cohort A",
        timezone="Europe/London",
        start_date=dt.date(2026, 3, 2),
        session_time=dt.time(18, 0),
        meeting_url="https://meet.example.org/cohort-a",
    )
    return fellow_in(cohort, display_name="Ada Lovelace")


@pytest.mark.parametrize("javascript", [True, False])
def test_a_fellow_subscribes_then_resets_the_calendar_link(
    fellow, context_factory, live_server, settings, javascript
):
    settings.SITE_URL = live_server.url
    page = context_factory(javascript=javascript, viewport=PHONE).new_page()
    log_in(page, fellow.email, PASSWORD)

    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Your calendar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your calendar")
    if javascript:  # axe runs in the page
        assert_accessible(page)
    address = page.get_by_label("Calendar feed address")
    old_url = address.input_value()
    assert old_url.startswith(f"{live_server.url}/calendar/") and old_url.endswith(".ics")
    subscribe = page.get_by_role("link", name="Add to calendar", exact=True)
    expect(subscribe).to_have_attribute("href", "webcal://" + old_url.split("://", 1)[1])
    expect(page.get_by_role("link", name="Download .ics")).to_have_attribute("href", old_url)
    screenshot(page, f"calendar-page-phone-js-{javascript}")

    page.get_by_role("button", name="Reset link").click()
    expect(page.get_by_text(RESET)).to_be_visible()
    new_url = address.input_value()
    assert new_url != old_url
    if javascript:
        assert_accessible(page)
    screenshot(page, f"calendar-reset-phone-js-{javascript}")

    calendar_app = context_factory().request
    assert calendar_app.get(old_url).status == 404
    feed = calendar_app.get(new_url)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    body = feed.text()
    assert "SUMMARY:Week 1: Week 1 topic" in body
    assert "LOCATION:https://meet.example.org/cohort-a" in body
