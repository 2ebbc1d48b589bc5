"""Feedback: fellows rate a unit (one anonymously) and vote on a reading on the standalone
pages, with and without JavaScript; the facilitator then sees the cohort's answers anonymised,
and an admin opens the syllabus report. Every page passes axe."""

import re

import pytest
from playwright.sync_api import expect

from courseapp.feedback import services
from courseapp.models import Cohort, Enrollment, Reading
from tests.e2e.conftest import PHONE, assert_accessible, log_in, screenshot
from tests.factories import (
    PASSWORD,
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    ReadingFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def week():
    course = CourseFactory(slug="aisf", title="AI Safety Fundamentals")
    unit = UnitFactory(course=course, week=3, title="Inner alignment")
    readings = [
        ReadingFactory(unit=unit, tier=Reading.Tier.CORE, title="Risks from Learned Optimization"),
        ReadingFactory(unit=unit, tier=Reading.Tier.CORE, title="The Inner Alignment Problem"),
    ]
    cohort = CohortFactory(course=course, name="Cohort A", pacing=Cohort.Pacing.SELF_PACED)
    names = ("Ada Anon", "Ben Plain", "Cleo Third")
    fellows = [EnrollmentFactory(cohort=cohort, user__display_name=n).user for n in names]
    facilitator = EnrollmentFactory(
        cohort=cohort, role=Enrollment.Role.FACILITATOR, user__display_name="Fran Facilitator"
    ).user
    return unit, readings, cohort, fellows, facilitator


def test_fellows_give_feedback_and_the_facilitator_sees_it_anonymised(week, context_factory):
    unit, readings, cohort, fellows, facilitator = week
    ada, ben, cleo = fellows

    page = context_factory().new_page()
    log_in(page, ada.email, PASSWORD)
    page.goto(f"/units/{unit.pk}/feedback/")
    expect(page.get_by_role("heading", name="Feedback on week 3: Inner alignment")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send feedback").click()  # no rating: the browser asks
    page.get_by_label("4, good").check()
    page.get_by_label("What worked?").fill("The <b>debate</b> on mesa-optimisers")
    page.get_by_label("What would you change?").fill("Fewer readings")
    page.get_by_label("Anonymous to facilitators").check()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("status")).to_have_text("Thanks, your feedback was saved.")
    expect(page.get_by_role("button", name="Update feedback")).to_be_visible()
    expect(page.get_by_label("What worked?")).to_have_value("The <b>debate</b> on mesa-optimisers")
    assert_accessible(page)
    screenshot(page, "feedback-unit-saved")

    page.goto(f"/readings/{readings[0].pk}/feedback/")
    assert_accessible(page)
    page.get_by_text("Add a comment").click()
    page.get_by_label("Comment (optional").fill("Sections 1 to 3 were enough")
    page.get_by_role("button", name="Useful", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Thanks, your feedback was saved.")
    expect(page.get_by_role("button", name="Useful", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_accessible(page)
    screenshot(page, "feedback-reading-saved")

    plain = context_factory(javascript=False).new_page()
    log_in(plain, ben.email, PASSWORD)
    plain.goto(f"/readings/{readings[1].pk}/feedback/")
    plain.get_by_role("button", name="Not useful").click()
    expect(plain.get_by_text("Thanks, your feedback was saved")).to_be_visible()
    expect(plain.get_by_text("You said: not useful.")).to_be_visible()
    # axe runs inside the page, so it cannot run with JavaScript off: the same pages are
    # checked above with it on, and on a phone below.
    screenshot(plain, "feedback-reading-no-js")
    plain.goto(f"/units/{unit.pk}/feedback/")
    plain.get_by_label("2, weak").check()
    plain.get_by_label("What would you change?").fill("More discussion time")
    plain.get_by_role("button", name="Send feedback").click()
    expect(plain).to_have_url(f"{unit.get_absolute_url()}")
    expect(plain.get_by_text("Thanks, your feedback was saved")).to_be_visible()

    facilitator_page = context_factory().new_page()
    log_in(facilitator_page, facilitator.email, PASSWORD)
    summary_url = f"/cohorts/{cohort.pk}/units/{unit.pk}/feedback/"
    facilitator_page.goto(summary_url)
    expect(facilitator_page.get_by_text("1 anonymous answer is held back")).to_be_visible()
    expect(facilitator_page.get_by_text("mesa-optimisers")).to_have_count(0)
    assert_accessible(facilitator_page)

    services.unit_feedback_save(user=cleo, unit=unit, data={"rating": 5, "anonymous": True})
    facilitator_page.reload()
    expect(facilitator_page.get_by_text("3 of 3 fellows answered")).to_be_visible()
    expect(facilitator_page.get_by_text("The <b>debate</b> on mesa-optimisers")).to_be_visible()
    expect(facilitator_page.get_by_text("Anonymous fellow")).to_have_count(2)
    expect(facilitator_page.get_by_text("Ben Plain")).to_be_visible()
    expect(facilitator_page.get_by_text("Ada Anon")).to_have_count(0)
    expect(facilitator_page.get_by_text("Cleo Third")).to_have_count(0)
    assert_accessible(facilitator_page)
    screenshot(facilitator_page, "feedback-facilitator")

    fellow_phone = context_factory(viewport=PHONE).new_page()
    log_in(fellow_phone, cleo.email, PASSWORD)
    fellow_phone.goto(f"/units/{unit.pk}/feedback/")
    expect(fellow_phone.get_by_role("button", name="Update feedback")).to_be_visible()
    assert_accessible(fellow_phone)
    screenshot(fellow_phone, "feedback-unit-phone")
    fellow_phone.goto(f"/readings/{readings[0].pk}/feedback/")
    assert_accessible(fellow_phone)
    screenshot(fellow_phone, "feedback-reading-phone")

    phone = context_factory(viewport=PHONE).new_page()
    log_in(phone, facilitator.email, PASSWORD)
    phone.goto(summary_url)
    assert_accessible(phone)
    screenshot(phone, "feedback-facilitator-phone")


def test_an_admin_sorts_the_syllabus_report(week, context_factory):
    unit, readings, cohort, fellows, _ = week
    for fellow, useful in zip(fellows, (True, True, False), strict=True):
        services.reading_feedback_save(user=fellow, reading=readings[0], useful=useful)
    services.unit_feedback_save(user=fellows[0], unit=unit, data={"rating": 4})
    admin = UserFactory(is_staff=True)

    page = context_factory().new_page()
    log_in(page, admin.email, PASSWORD)
    page.goto("/reports/courses/aisf/")
    expect(
        page.get_by_role("heading", name="Syllabus report: AI Safety Fundamentals")
    ).to_be_visible()
    expect(page.get_by_text("2 of 3 votes")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "feedback-syllabus-report")
    page.get_by_role("link", name="Useful", exact=True).click()
    expect(page).to_have_url(re.compile(r"readings=useful"))
    page.get_by_role("link", name="Useful", exact=True).click()
    expect(page.locator("th[aria-sort='descending']")).to_have_text("Useful ▼")
    assert_accessible(page)

    phone = context_factory(viewport=PHONE).new_page()
    log_in(phone, admin.email, PASSWORD)
    phone.goto("/reports/courses/aisf/")
    assert_accessible(phone)
    screenshot(phone, "feedback-syllabus-report-phone")
