import re

import pytest
from playwright.sync_api import Page, expect

from quizzes.demo import seed_quiz
from quizzes.models import Attempt, Question
from tests.e2e.conftest import DESKTOP, PHONE, assert_accessible, log_in, screenshot
from tests.factories import (
    PASSWORD,
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    LearningObjectiveFactory,
    UnitFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OBJECTIVES = [
    "Describe key failure modes of inner alignment, including mesa-optimization, goal "
    "misgeneralization, and deceptive alignment",
    "Evaluate empirical evidence that models can fake alignment, persist in deceptive behavior "
    "through safety training, and generalize from narrow reward hacking to broad misalignment",
    "Assess why standard safety training techniques may be insufficient to detect or remove "
    "deceptively misaligned behavior, and what that implies for AI safety",
]


@pytest.fixture
def week3():
    course = CourseFactory(slug="agi-safety", title="AGI Safety Fundamentals")
    unit = UnitFactory(course=course, week=3, title="Inner Alignment")
    for position, text in enumerate(OBJECTIVES):
        LearningObjectiveFactory(unit=unit, text=text, position=position)
    seed_quiz(course)
    cohort = CohortFactory(course=course, pacing="self_paced")
    fellow = EnrollmentFactory(cohort=cohort).user
    return unit.quiz, fellow


def _question(quiz, prompt_start: str) -> Question:
    return quiz.questions.get(prompt__startswith=prompt_start)


def _pick(page: Page, quiz, prompt_start: str, *labels: str) -> None:
    question = _question(quiz, prompt_start)
    for label in labels:
        page.get_by_label(label).check()
    expect(page.locator(f"#q{question.pk}-status")).to_contain_text("Saved")


def _tab_to(page: Page, predicate: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


def test_a_fellow_takes_the_week_3_quiz_resumes_after_a_reload_and_sees_mastery(page, week3):
    quiz, fellow = week3
    log_in(page, fellow.email, PASSWORD)
    page.goto(f"/quizzes/{quiz.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(quiz.title)
    assert_accessible(page)
    page.get_by_role("button", name="Start the quiz").click()

    expect(page.locator(".quiz-lead")).to_contain_text("Attempt 1 of 3")
    assert "Right: that is the point" not in page.content()
    _pick(
        page,
        quiz,
        "In the mesa-optimization",
        "A learned model that is itself an optimizer, pursuing an objective of its own",
    )
    _pick(
        page,
        quiz,
        "Which statements about goal misgeneralization",
        "It can happen even when the reward or specification used in training is correct.",
    )
    assert_accessible(page)
    screenshot(page, "quiz-take-desktop")

    page.reload()
    expect(
        page.get_by_label(
            "A learned model that is itself an optimizer, pursuing an objective of its own",
            exact=True,
        )
    ).to_be_checked()
    expect(
        page.get_by_label(
            "It can happen even when the reward or specification used in training is correct.",
            exact=True,
        )
    ).to_be_checked()
    assert Attempt.objects.filter(user=fellow).count() == 1

    _pick(
        page,
        quiz,
        "Which statements about goal misgeneralization",
        "In CoinRun, agents trained with the coin always at the end of the level learned to run "
        "to the end of the level, and kept doing so when the coin was moved.",
    )
    true_false = _question(quiz, "True or false: a deceptively aligned")
    page.locator(f"#q{true_false.pk}-c{true_false.choices.get(text='True').pk}").check()
    _pick(
        page,
        quiz,
        'In "Alignment faking',
        "It complied with harmful requests from free-tier users noticeably",
    )
    _keyboard_answers_sleeper_agents(page, quiz)
    _pick(
        page,
        quiz,
        'In "From shortcuts',
        "Misaligned behaviour well beyond the hacking rose",
    )
    betley = _question(quiz, "True or false: Betley")
    page.locator(f"#q{betley.pk}-c{betley.choices.get(text='False').pk}").check()
    _pick(
        page,
        quiz,
        "Why can a model",
        "Because safety evaluations are run on smaller models than the ones that are deployed.",
    )
    written = _question(quiz, "A lab reports")
    page.get_by_label("Your answer").fill(
        "Sleeper agents kept backdoors through adversarial training."
    )
    expect(page.locator(f"#q{written.pk}-status")).to_contain_text("Saved")

    page.locator("body").focus()
    _tab_to(page, "el.textContent.trim() === 'Submit answers'")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Your result")
    attempt = Attempt.objects.get(user=fellow)
    assert attempt.submitted_at is not None
    expect(page.locator(".score-figure")).to_have_text(f"{round(attempt.score)}%")
    mastery = page.locator(".mastery-list li")
    expect(mastery).to_have_count(3)
    expect(mastery.nth(0)).to_contain_text("Secure · 3/3")
    expect(mastery.nth(1)).to_contain_text("Developing · 3/5")
    expect(mastery.nth(2)).to_contain_text("Not yet · 1/3")
    expect(page.get_by_text("Right: that is the point")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "quiz-result-desktop")
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    screenshot(page, "quiz-result-phone")

    page.set_viewport_size(DESKTOP)
    page.goto(quiz.unit.get_absolute_url())
    objectives = page.locator("#objectives li")
    expect(objectives.nth(0)).to_contain_text("Secure · 3/3")
    expect(objectives.nth(1)).to_contain_text("Developing · 3/5")
    expect(objectives.nth(2)).to_contain_text("Not yet · 1/3")
    expect(page.get_by_role("link", name="See your latest result")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "quiz-mastery-on-unit-page")


def _keyboard_answers_sleeper_agents(page: Page, quiz) -> None:
    """Tab through the Sleeper Agents question's checkboxes, pressing Space on the right ones."""
    question = _question(quiz, 'Which of these are findings of "Sleeper Agents')
    correct = {f"q{question.pk}-c{c.pk}" for c in question.choices.filter(is_correct=True)}
    page.locator(f"#q-{_position(page, question)}").scroll_into_view_if_needed()
    page.locator("body").focus()
    seen = set()
    while seen != {f"q{question.pk}-c{c.pk}" for c in question.choices.all()}:
        _tab_to(page, f"el.name === 'q{question.pk}'")
        focused = page.evaluate("document.activeElement.id")
        if focused in seen:
            break
        seen.add(focused)
        if focused in correct:
            page.keyboard.press("Space")
    for choice in question.choices.all():
        expect(page.locator(f"#q{question.pk}-c{choice.pk}")).to_be_checked(
            checked=choice.is_correct
        )
    expect(page.locator(f"#q{question.pk}-status")).to_contain_text("Saved")


def _position(page: Page, question) -> int:
    item = page.locator(f"li.question:has(#q{question.pk}-status)")
    return int(re.sub(r"\D", "", item.get_attribute("id")))


def test_the_quiz_works_without_javascript_on_a_phone(context_factory, week3):
    quiz, fellow = week3
    # axe needs JavaScript, so this journey checks behaviour; the same pages pass axe above.
    page = context_factory(javascript=False, viewport=PHONE).new_page()
    log_in(page, fellow.email, PASSWORD)
    page.goto(f"/quizzes/{quiz.pk}/")
    page.get_by_role("button", name="Start the quiz").click()
    first = "A learned model that is itself an optimizer, pursuing an objective of its own"
    page.get_by_label(first, exact=True).check()
    screenshot(page, "quiz-take-phone-no-js")
    page.get_by_role("button", name="Save and finish later").click()

    expect(page.locator(".message-success")).to_contain_text("Your answers are saved")
    expect(page.get_by_label(first, exact=True)).to_be_checked()
    page.get_by_role("button", name="Submit answers").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Your result")
    expect(page.locator(".score-figure")).to_have_text("11%")
