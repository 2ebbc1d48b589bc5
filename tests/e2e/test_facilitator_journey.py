"""A facilitator prepares a session: finds the fellow at risk with the reason, opens their page,
nudges them (a real Celery worker sends the email), sorts the grid with htmx and exports the
CSV; another cohort's facilitator gets a 404. Every page passes axe, on desktop and phone."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from playwright.sync_api import expect

from courseapp.celery import app
from courseapp.models import Reading, ReadingProgress, UnitFeedback
from quizzes import services as quiz_services
from quizzes.services import Pick
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in, weekly_cohort
from tests.e2e.conftest import PHONE, assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, LearningObjectiveFactory
from tests.quizzes.factories import QuizFactory, choice_ids, question_with_choices

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
REASON = "Week 1 core readings unfinished (1 of 4 read) with the session less than 48 hours away"


@pytest.fixture
def cohorts(settings):
    # Nudges wait for the fellow's daytime; open the window all day so the email goes now.
    settings.REMINDER_WINDOW_START, settings.REMINDER_WINDOW_END = 0, 24
    course, units = course_with_units(units=8, title="AI Safety Fundamentals", slug="aisf")
    objectives = [
        LearningObjectiveFactory(unit=unit, text=f"Explain the key idea of week {unit.week}")
        for unit in units[:2]
    ]
    question = question_with_choices(QuizFactory(unit=units[0]), objectives=objectives[:1])
    # The first session is tomorrow at 17:00 UTC: between 17 and 41 hours away.
    cohort = weekly_cohort(course, starts_in_days=1, name="Cohort A")
    ada = fellow_in(cohort, display_name="Ada Lovelace", email="ada@example.org")
    ben = fellow_in(cohort, display_name="Ben Okafor", email="ben@example.org")
    core = list(units[0].readings.filter(tier=Reading.Tier.CORE))
    ReadingProgress.objects.bulk_create(ReadingProgress(user=ada, reading=r) for r in core)
    # Ada took the week 1 quiz (right) and gave named feedback: her week 1 cell says both.
    attempt = quiz_services.attempt_start(quiz=question.quiz, user=ada)
    quiz_services.attempt_submit(
        attempt=attempt, picks={question.pk: Pick(choice_ids(question, 0))}
    )
    UnitFeedback.objects.create(user=ada, unit=units[0], cohort=cohort, rating=5)
    ReadingProgress.objects.create(user=ben, reading=core[0])
    fran = facilitator_of(cohort, display_name="Fran Facilitator", email="fran@example.org")
    other = weekly_cohort(course, name="Cohort B")
    otto = facilitator_of(other, display_name="Otto Other", email="otto@example.org")
    return cohort, ben, fran, otto


@pytest.fixture
def celery_worker(transactional_db):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def _wait_for_mail(timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not mail.outbox:
        assert time.monotonic() < deadline, "the nudge email was not sent"
        time.sleep(0.05)
    return mail.outbox[-1]


def test_a_facilitator_finds_the_fellow_at_risk_nudges_them_and_exports_the_grid(
    cohorts, celery_worker, context_factory, tmp_path
):
    cohort, ben, fran, otto = cohorts
    page = context_factory().new_page()
    log_in(page, fran.email, PASSWORD)
    page.get_by_role("link", name="Facilitate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My cohorts")
    expect(
        page.get_by_text("1 of 2 fellows have finished the week 1 core readings.")
    ).to_be_visible()
    assert_accessible(page)
    screenshot(page, "facilitate-my-cohorts")

    page.get_by_role("link", name="Open Cohort A").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohort A")
    ben_row = page.get_by_role("row").filter(has_text="Ben Okafor")
    expect(ben_row).to_contain_text("At risk")
    expect(ben_row).to_contain_text(REASON)
    ada_row = page.get_by_role("row").filter(has_text="Ada Lovelace")
    expect(ada_row).not_to_contain_text("At risk")
    expect(ada_row).to_contain_text("4/4 coreQuiz 100% passedFeedback given")
    assert_accessible(page)
    screenshot(page, "facilitate-cohort-desktop")

    page.get_by_role("link", name="Name", exact=True).click()  # htmx swaps the grid only
    expect(page).to_have_url(f"{page.url.split('?')[0]}?sort=name")
    expect(page.get_by_role("link", name="Name", exact=True)).to_have_attribute(
        "aria-current", "true"
    )
    first = page.locator(".fac-grid tbody tr").first
    expect(first).to_contain_text("Ada Lovelace")
    assert_accessible(page)

    # Only week 1 is open: the grid leaves out the rest until asked for every week.
    expect(page.locator(".fac-grid thead")).not_to_contain_text("Week 2")
    page.get_by_role("link", name="All weeks", exact=True).click()
    expect(page).to_have_url(f"{page.url.split('?')[0]}?sort=name&weeks=all")
    expect(page.locator(".fac-grid thead")).to_contain_text("Week 8")
    expect(page.get_by_role("cell", name="Not open").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "facilitate-cohort-all-weeks")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the grid as CSV").click()
    csv_path = tmp_path / "grid.csv"
    download_info.value.save_as(csv_path)
    content = csv_path.read_text()
    assert content.startswith("fellow,email,status,at_risk_reasons")
    assert REASON in content and "ada@example.org" in content

    page.get_by_role("link", name="Ben Okafor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ben Okafor")
    expect(page.get_by_text("1 of 4 core readings read.").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Nudge Ben Okafor").click()
    expect(page.get_by_role("status")).to_have_text("Nudge sent to Ben Okafor.")
    email = _wait_for_mail()
    assert email.to == [ben.email]
    assert_accessible(page)
    screenshot(page, "facilitate-fellow-nudged")
    page.get_by_role("button", name="Nudge Ben Okafor").click()
    expect(page.get_by_role("status")).to_have_text("Ben Okafor was already nudged today.")
    assert len(mail.outbox) == 1

    phone = context_factory(viewport=PHONE).new_page()
    log_in(phone, fran.email, PASSWORD)
    phone.goto(f"/cohorts/{cohort.pk}/")
    assert_accessible(phone)
    grid = phone.locator(".fac-scroll")
    assert grid.evaluate("el => el.scrollWidth > el.clientWidth"), "the grid scrolls on its own"
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "facilitate-cohort-phone")
    phone.goto(f"/cohorts/{cohort.pk}/fellows/{ben.pk}/")
    assert_accessible(phone)
    screenshot(phone, "facilitate-fellow-phone")

    outsider = context_factory().new_page()
    log_in(outsider, otto.email, PASSWORD)
    assert outsider.goto(f"/cohorts/{cohort.pk}/").status == 404
    assert outsider.goto(f"/cohorts/{cohort.pk}/export.csv").status == 404
