"""A fellow reports a broken link from the unit page, with JavaScript (the answer appears
beside the button) and without (the page says so after the post); an admin finds it on the
syllabus report's Links page, on a desktop and a phone. Every page passes axe."""

import pytest
from playwright.sync_api import expect

from courseapp.models import Cohort, Reading
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort
from tests.e2e.conftest import PHONE, assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
THANKS = "Thank you: the course team will fix this link."


@pytest.fixture
def unit():
    course, units = course_with_units(
        units=1, tiers={Reading.Tier.CORE: 2}, slug="aisf", title="AI Safety Fundamentals"
    )
    Reading.objects.filter(unit=units[0]).update(url="https://example.org/paper")
    return units[0]


@pytest.mark.parametrize("javascript", [True, False])
def test_a_fellow_reports_a_broken_link(unit, context_factory, javascript):
    fellow = fellow_in(weekly_cohort(unit.course, pacing=Cohort.Pacing.SELF_PACED))
    reading = unit.readings.order_by("position").first()
    page = context_factory(javascript=javascript, viewport=PHONE).new_page()
    log_in(page, fellow.email, PASSWORD)
    page.goto(unit.get_absolute_url())
    if javascript:  # axe runs in the page
        assert_accessible(page)

    row = page.locator(f"#reading-{reading.pk}")
    row.get_by_role("button", name="Report a broken link").click()
    if javascript:
        expect(row.get_by_role("status")).to_have_text(THANKS)
    else:
        expect(page.get_by_text(THANKS)).to_be_visible()
    assert Reading.objects.get(pk=reading.pk).link_reports == 1
    if javascript:
        assert_accessible(page)
    screenshot(page, f"link-report-js-{javascript}")


def test_an_admin_sees_the_reported_link_on_the_links_page(unit, context_factory):
    reading = unit.readings.order_by("position").first()
    Reading.objects.filter(pk=reading.pk).update(link_reports=2)
    admin = UserFactory(is_staff=True, is_superuser=True)
    for viewport in (None, PHONE):
        page = context_factory(viewport=viewport).new_page()
        log_in(page, admin.email, PASSWORD)
        page.goto("/reports/courses/aisf/")
        page.get_by_role("link", name="Links", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Links: AI Safety Fundamentals")
        expect(page.get_by_role("row", name=reading.title)).to_contain_text("2")
        assert_accessible(page)
