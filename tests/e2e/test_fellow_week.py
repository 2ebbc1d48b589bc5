"""A fellow's week: accept an invitation, open this week's unit, mark core readings read (with
htmx, then again with JavaScript off), and every page on the way passes axe."""

import re

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from playwright.sync_api import expect

from courseapp.celery import app
from courseapp.cohorts import services
from courseapp.models import Reading
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort
from tests.e2e.conftest import PHONE, assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, LearningObjectiveFactory, ReadingFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def week():
    course, units = course_with_units(units=4, title="AI Safety Fundamentals", slug="aisf")
    unit = units[0]
    unit.title, unit.subtitle = "Inner alignment", "When a trained model pursues the wrong goal"
    unit.save()
    LearningObjectiveFactory(unit=unit, text="Explain mesa-optimisation in your own words")
    LearningObjectiveFactory(unit=unit, text="Distinguish outer from inner alignment failures")
    core = list(unit.readings.filter(tier=Reading.Tier.CORE).order_by("position"))
    for reading, title in zip(core, TITLES, strict=True):
        reading.title, reading.url, reading.note = title, "https://example.org/", ""
        reading.save()
    core[0].note = "Sections 1 to 3 are enough."
    core[0].save()
    ReadingFactory(
        unit=unit,
        tier=Reading.Tier.RECOMMENDED,
        title="Goal Misgeneralisation (hosted chapter)",
        body="<h2>Introduction</h2><p>A hosted chapter body.</p>",
        minutes=35,
        position=9,
    )
    return weekly_cohort(course, name="Cohort A", timezone="Europe/London"), units, core


TITLES = [
    "Risks from Learned Optimization: Introduction",
    "The Inner Alignment Problem",
    "“Deceptive Alignment” explained",
    "Sleeper Agents (Anthropic & Redwood Research, 2024)",
]


@pytest.fixture
def celery_worker(transactional_db):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def _invitation_link() -> str:
    for _ in range(100):
        if mail.outbox:
            break
        import time

        time.sleep(0.05)
    body = mail.outbox[-1].body
    return re.search(r"https?://\S+(/invitations/\S+/)", body).group(1)


def test_a_fellow_accepts_an_invitation_and_works_through_this_weeks_readings(
    week, celery_worker, context_factory
):
    cohort, units, core = week
    services.invitation_create(
        cohort=cohort, email="nia@example.org", role="fellow", invited_by=None
    )
    page = context_factory().new_page()

    page.goto(_invitation_link())
    expect(page.get_by_role("heading", name="Join Cohort A")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "invitation-accept")
    page.get_by_label("Your name").fill("Nia Fellow")
    page.get_by_label("Choose a password").fill("a-long-passphrase-9")
    page.get_by_label("Password again").fill("a-long-passphrase-9")
    page.get_by_role("button", name="Create account and join").click()

    expect(page.get_by_role("heading", name="My courses")).to_be_visible()
    expect(page.get_by_text("4 of 4 core readings left, about 1 h 20 min")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "home")

    page.get_by_role("link", name="Week 1: Inner alignment").click()
    expect(page.get_by_role("heading", level=1, name="Inner alignment")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "unit")
    page.evaluate("window.notReloaded = true")
    summary = page.locator("#progress-summary")
    for reading in core[:2]:
        page.get_by_role("button", name=f"Mark as read: {reading.title}").click()
        expect(
            page.get_by_role("button", name=re.compile(f"Read: {re.escape(reading.title)}"))
        ).to_be_visible()
    expect(summary).to_contain_text("2 of 4 core readings read · about 40 min left")
    expect(page.locator("#tier-1-count")).to_have_text("2 of 4 read")
    assert page.evaluate("window.notReloaded") is True, "the page reloaded"
    assert_accessible(page)
    screenshot(page, "unit-two-read")

    page.get_by_role("link", name="Goal Misgeneralisation (hosted chapter)").click()
    expect(page.get_by_role("heading", name="Introduction")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "hosted-reading")

    page.goto("/courses/aisf/")
    expect(page.get_by_text("Core readings: 2 of 16 read")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "course")
    page.goto(f"/units/{units[1].pk}/")
    expect(page.get_by_text("This unit opens on")).to_be_visible()
    assert_accessible(page)


def test_the_same_week_works_with_javascript_off(week, context_factory):
    cohort, units, core = week
    fellow = fellow_in(cohort, email="nojs@example.org")
    page = context_factory(javascript=False).new_page()
    log_in(page, fellow.email, PASSWORD)

    page.get_by_role("link", name="Week 1: Inner alignment").click()
    for reading in core[2:]:
        page.get_by_role("button", name=f"Mark as read: {reading.title}").click()
        read = re.compile(f"Read: {re.escape(reading.title)}")
        expect(page.get_by_role("button", name=read)).to_be_visible()

    expect(page.locator("#progress-summary")).to_contain_text("2 of 4 core readings read")
    expect(page).to_have_url(re.compile(rf"/units/{units[0].pk}/#reading-{core[3].pk}$"))
    screenshot(page, "unit-no-js")
    page.get_by_role("button", name=f"Read: {core[2].title}. Mark as unread").click()
    expect(page.locator("#progress-summary")).to_contain_text("1 of 4 core readings read")


def test_the_fellows_pages_work_on_a_phone(week, context_factory):
    # axe runs in the page, so the phone pass (same HTML) is where the no-JS pages get checked.
    cohort, units, core = week
    fellow = fellow_in(cohort, email="phone@example.org")
    page = context_factory(viewport=PHONE).new_page()
    log_in(page, fellow.email, PASSWORD)
    assert_accessible(page)
    screenshot(page, "home-phone")

    page.get_by_role("link", name="Week 1: Inner alignment").click()
    mark = page.get_by_role("button", name=f"Mark as read: {core[0].title}")
    box = mark.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300, "a touch-sized, full-width button"
    mark.click()
    expect(page.locator("#progress-summary")).to_contain_text("1 of 4 core readings read")
    assert_accessible(page)
    screenshot(page, "unit-phone")

    page.goto("/courses/aisf/")
    assert_accessible(page)
    screenshot(page, "course-phone")
    page.goto(f"/units/{units[1].pk}/")
    assert_accessible(page)
    screenshot(page, "unit-locked-phone")
