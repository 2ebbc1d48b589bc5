"""A facilitator reviews written answers in the browser (with htmx, then without JavaScript, and
on a phone); the fellow is emailed once (a real Celery worker sends it), sees the verdict and
comment on their result, and their mastery moves from "waiting for review" to secure. Another
cohort's facilitator gets a 404. Every page passes axe."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from playwright.sync_api import expect

from courseapp.celery import app
from courseapp.models import Reminder
from quizzes import services as quiz_services
from quizzes.models import Answer, Question
from quizzes.services import Pick
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in, weekly_cohort
from tests.e2e.conftest import PHONE, assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, LearningObjectiveFactory
from tests.quizzes.factories import QuizFactory, choice_ids, question_with_choices

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ADA_ANSWER = "The trained model may pursue a proxy of the base objective off-distribution."
BEN_ANSWER = "Something about gradients."


@pytest.fixture
def world(settings):
    settings.REMINDER_WINDOW_START, settings.REMINDER_WINDOW_END = 0, 24
    course, units = course_with_units(units=2, title="AI Safety Fundamentals", slug="aisf")
    recall = LearningObjectiveFactory(unit=units[0], text="Recall the terms", position=0)
    explain = LearningObjectiveFactory(unit=units[0], text="Explain inner misalignment", position=1)
    quiz = QuizFactory(unit=units[0], title="Week 1 check")
    single = question_with_choices(quiz, objectives=[recall])
    written = question_with_choices(quiz, kind=Question.Kind.WRITTEN, objectives=[explain])
    written.prompt = "In your own words, what is inner misalignment?"
    written.model_answer = "A learned optimiser pursuing a different objective than the base one."
    written.save()
    cohort = weekly_cohort(course, name="Cohort A")
    ada = fellow_in(cohort, display_name="Ada Lovelace", email="ada@example.org")
    ben = fellow_in(cohort, display_name="Ben Okafor", email="ben@example.org")
    attempts = {}
    for fellow, text in ((ada, ADA_ANSWER), (ben, BEN_ANSWER)):
        attempt = quiz_services.attempt_start(quiz=quiz, user=fellow)
        picks = {single.pk: Pick(choice_ids(single, 0)), written.pk: Pick(text=text)}
        attempts[fellow.pk] = quiz_services.attempt_submit(attempt=attempt, picks=picks)
    answer = Answer.objects.get(attempt=attempts[ada.pk], question=written)
    quiz_services.answer_self_rate(answer=answer, rating=Answer.SelfRating.FULLY)
    fran = facilitator_of(cohort, display_name="Fran Facilitator", email="fran@example.org")
    otto = facilitator_of(
        weekly_cohort(course, name="Cohort B"), display_name="Otto Other", email="otto@example.org"
    )
    return {
        "cohort": cohort,
        "unit": units[0],
        "ada": ada,
        "ben": ben,
        "fran": fran,
        "otto": otto,
        "attempt": attempts[ada.pk],
        "explain": explain,
    }


@pytest.fixture
def celery_worker(transactional_db):
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def _wait_for_mail(count: int, polls: int = 200) -> None:
    """Wait for the worker to send the email; a hang guard of 200 polls, not a timing check."""
    for _ in range(polls):
        if len(mail.outbox) >= count:
            return
        time.sleep(0.05)
    pytest.fail("the review email was not sent")


def _objective_badge(page, objective):
    return page.locator(f"#objective-{objective.pk}")


def test_a_facilitator_reviews_a_written_answer_and_the_fellow_sees_it(
    world, celery_worker, context_factory
):
    fellow = context_factory().new_page()
    log_in(fellow, world["ada"].email, PASSWORD)
    fellow.goto(f"/units/{world['unit'].pk}/")
    badge = _objective_badge(fellow, world["explain"])
    expect(badge).to_contain_text("1 written answer waiting for review")
    expect(badge).not_to_contain_text("Not yet")
    assert_accessible(fellow)
    screenshot(fellow, "written-review-unit-pending")

    page = context_factory().new_page()
    log_in(page, world["fran"].email, PASSWORD)
    page.goto(f"/cohorts/{world['cohort'].pk}/")
    page.get_by_role("link", name="Week 1 written answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Written answers: week 1, Week 1 topic"
    )
    ada_card = page.locator(".review-item").filter(has_text="Ada Lovelace")
    expect(ada_card).to_contain_text(ADA_ANSWER)
    expect(ada_card).to_contain_text("A learned optimiser pursuing a different objective")
    expect(ada_card).to_contain_text("Their own rating: I covered the main points")
    expect(ada_card).to_contain_text("Not reviewed")
    summary = page.locator("#review-summary").inner_text()
    pending_before = int(summary.split(", ")[1].split(" ")[0])
    assert_accessible(page)
    screenshot(page, "written-review-queue")

    ada_card.get_by_label("Meets the objective").check()
    ada_card.get_by_label("Comment for Ada Lovelace").fill("Clear, and you named the proxy.")
    ada_card.get_by_role("button", name="Save review").click()  # htmx swaps this card only
    ada_card = page.locator(".review-item").filter(has_text="Ada Lovelace")
    expect(ada_card.get_by_role("status")).to_have_text("Review saved.")
    expect(ada_card.locator(".badge")).to_have_text("Meets the objective")
    expect(page.locator("#review-summary")).to_contain_text(
        f"{pending_before - 1} not reviewed yet"
    )
    _wait_for_mail(1)
    assert mail.outbox[0].to == [world["ada"].email]
    assert_accessible(page)
    screenshot(page, "written-review-saved")

    ada_card.get_by_label("Comment for Ada Lovelace").fill("Clear, and you named the proxy well.")
    ada_card.get_by_role("button", name="Update review").click()
    expect(ada_card.get_by_role("status")).to_have_text("Review saved.")

    fellow.goto(f"/units/{world['unit'].pk}/")
    expect(_objective_badge(fellow, world["explain"])).to_contain_text("Secure · 1/1")
    expect(_objective_badge(fellow, world["explain"])).not_to_contain_text("waiting for review")
    fellow.goto(f"/attempts/{world['attempt'].pk}/result/")
    review = fellow.locator(".answer-review")
    expect(review).to_contain_text("Meets the objective")
    expect(review).to_contain_text("Fran Facilitator")
    expect(review).to_contain_text("Clear, and you named the proxy well.")
    assert_accessible(fellow)
    screenshot(fellow, "written-review-fellow-result")

    # On a phone the queue fits the screen (axe needs JavaScript, so this page has it).
    phone = context_factory(viewport=PHONE).new_page()
    log_in(phone, world["fran"].email, PASSWORD)
    queue = f"/cohorts/{world['cohort'].pk}/units/{world['unit'].pk}/written/"
    phone.goto(queue)
    assert_accessible(phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "written-review-queue-phone")

    # Without JavaScript: the filter and the review are plain forms; the page comes back filtered.
    plain = context_factory(javascript=False, viewport=PHONE).new_page()
    log_in(plain, world["fran"].email, PASSWORD)
    plain.goto(queue)
    plain.get_by_label("Only answers not reviewed yet").check()
    plain.get_by_role("button", name="Show").click()
    expect(plain.locator(".review-item")).to_have_count(1)
    ben_card = plain.locator(".review-item").filter(has_text="Ben Okafor")
    ben_card.get_by_label("Does not meet the objective yet").check()
    ben_card.get_by_label("Comment for Ben Okafor").fill("Say what the two objectives are.")
    ben_card.get_by_role("button", name="Save review").click()
    expect(plain.get_by_text("Review of Ben Okafor's answer saved.")).to_be_visible()
    assert "status=pending" in plain.url
    expect(plain.get_by_text("Every answer here has been reviewed.")).to_be_visible()
    screenshot(plain, "written-review-no-javascript")

    _wait_for_mail(2)
    # One email per reviewed answer: editing Ada's review recorded and sent nothing more.
    assert Reminder.objects.filter(kind=Reminder.Kind.WRITTEN_REVIEW).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [world["ada"].email, world["ben"].email]

    outsider = context_factory().new_page()
    log_in(outsider, world["otto"].email, PASSWORD)
    assert outsider.goto(queue).status == 404
