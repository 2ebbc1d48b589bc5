"""Marking a reading with htmx, following a link away and pressing Back shows the mark: the
browser's copy of the unit page from before the mark is not what comes back."""

import pytest
from playwright.sync_api import expect

from courseapp.models import Reading
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_back_after_marking_a_reading_shows_the_new_progress(page):
    course, units = course_with_units(units=2, title="AI Safety Fundamentals")
    fellow = fellow_in(weekly_cohort(course))
    first = units[0].readings.filter(tier=Reading.Tier.CORE).order_by("position").first()
    log_in(page, fellow.email, PASSWORD)

    page.goto(units[0].get_absolute_url())
    summary = page.locator("#progress-summary")
    expect(summary).to_contain_text("0 of 4 core readings read")
    page.get_by_role("button", name=f"Mark as read: {first.title}").click()
    expect(summary).to_contain_text("1 of 4 core readings read")

    page.get_by_role("link", name="AI Safety Fundamentals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("AI Safety Fundamentals")
    page.go_back()

    expect(page.get_by_role("button", name=f"Read: {first.title}. Mark as unread")).to_be_visible()
    expect(summary).to_contain_text("1 of 4 core readings read")
    expect(page.locator("#tier-1-count")).to_have_text("1 of 4 read")
    assert_accessible(page)
