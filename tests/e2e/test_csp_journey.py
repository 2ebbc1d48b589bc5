"""The Content-Security-Policy in a real browser: the pages a fellow and an admin use, htmx
included, run with no CSP violation reported by Chromium, and look as they should."""

import pytest
from playwright.sync_api import Page, expect

from courseapp.models import Reading
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort
from tests.e2e.conftest import assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, ReadingFactory, UserFactory
from tests.quizzes.factories import QuizFactory, question_with_choices

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def watch_csp(page: Page) -> list[str]:
    """Every CSP violation Chromium reports while the page is open."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return violations


@pytest.fixture
def fellow_unit():
    course, (unit,) = course_with_units(units=1, slug="csp")
    ReadingFactory(unit=unit, tier=Reading.Tier.FURTHER, title="Hosted", body="<p>Body.</p>")
    question_with_choices(QuizFactory(unit=unit))
    fellow = fellow_in(weekly_cohort(course, pacing="self_paced"))
    return fellow, unit


def test_a_fellows_pages_and_htmx_run_with_no_csp_violation(page, fellow_unit):
    fellow, unit = fellow_unit
    violations = watch_csp(page)
    log_in(page, fellow.email, PASSWORD)
    page.goto(f"/units/{unit.pk}/")
    first = page.locator(".reading").first

    first.get_by_role("button", name="Mark as read").click()

    expect(first.get_by_role("button", name="Mark as unread")).to_be_visible()
    expect(page.locator("progress.progress").first).to_have_attribute("value", "1")
    screenshot(page, "csp-unit-page-after-htmx-mark")
    for path in ["/", "/courses/csp/", f"/readings/{unit.readings.last().pk}/"]:
        page.goto(path)
        assert_accessible(page)
    page.goto(f"/quizzes/{unit.quiz.pk}/")
    page.get_by_role("button", name="Start").click()
    assert violations == []


def test_the_admin_and_the_two_factor_setup_run_with_no_csp_violation(page, fellow_unit):
    _, unit = fellow_unit
    staff = UserFactory(is_staff=True, is_superuser=True)
    violations = watch_csp(page)
    log_in(page, staff.email, PASSWORD)
    for path in [
        "/admin/",
        f"/admin/courseapp/reading/{unit.readings.first().pk}/change/",
        "/admin/courseapp/cohort/add/",
        "/admin/courseapp/reading/import-chapter/",
    ]:
        page.goto(path)
        expect(page.locator("#content")).to_be_visible()

    page.goto("/accounts/2fa/totp/activate/")
    # allauth asks for the password again before changing two-factor settings.
    expect(page.get_by_role("heading", name="Confirm Access")).to_be_visible()
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    qr = page.locator("img[src^='data:image/svg+xml']")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0
    screenshot(page, "csp-totp-activate")
    assert violations == []
