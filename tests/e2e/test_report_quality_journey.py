"""An admin opens the syllabus report's quiz mastery and question quality pages, on a desktop
and on a phone with and without JavaScript, and the question-quality panel on the quiz's admin
page. Every page passes axe."""

import pytest
from playwright.sync_api import expect

from courseapp.models import Cohort
from quizzes import services
from quizzes.models import Question
from quizzes.services import Pick
from tests.e2e.conftest import PHONE, assert_accessible, log_in, screenshot
from tests.factories import (
    PASSWORD,
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    LearningObjectiveFactory,
    UnitFactory,
    UserFactory,
)
from tests.quizzes.factories import QuizFactory, question_with_choices

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Per fellow, the choice picked on each of three questions (0 is the right one).
PICKS = [(0, 0, 1), (0, 0, 0), (0, 1, 2), (0, 1, 1), (0, 0, 1), (0, 2, 1)]


@pytest.fixture
def quiz():
    course = CourseFactory(slug="aisf", title="AI Safety Fundamentals")
    unit = UnitFactory(course=course, week=3, title="Inner alignment")
    objective = LearningObjectiveFactory(unit=unit, text="Explain mesa-optimisation")
    quiz = QuizFactory(unit=unit, title="Inner alignment check")
    questions = [question_with_choices(quiz, objectives=[objective]) for _ in range(3)]
    written = question_with_choices(quiz, kind=Question.Kind.WRITTEN, objectives=[objective])
    cohort = CohortFactory(course=course, name="Cohort A", pacing=Cohort.Pacing.SELF_PACED)
    for picks in PICKS:
        user = EnrollmentFactory(cohort=cohort).user
        attempt = services.attempt_start(quiz=quiz, user=user)
        chosen = {
            q.pk: Pick(choice_ids=[list(q.choices.order_by("position"))[i].pk])
            for q, i in zip(questions, picks, strict=True)
        }
        chosen[written.pk] = Pick(text="It optimises for its own objective.")
        services.attempt_submit(attempt=attempt, picks=chosen)
    return quiz


def test_an_admin_reads_mastery_and_question_quality(quiz, context_factory):
    admin = UserFactory(is_staff=True, is_superuser=True)
    page = context_factory().new_page()
    log_in(page, admin.email, PASSWORD)

    page.goto("/reports/courses/aisf/")
    page.get_by_role("link", name="Quiz mastery").click()
    expect(page.get_by_role("heading", name="Quiz mastery: AI Safety Fundamentals")).to_be_visible()
    objectives = page.get_by_role("region", name="Per learning objective")
    expect(
        objectives.get_by_role("row").filter(has_text="Explain mesa-optimisation")
    ).to_contain_text("6 of 6")
    assert_accessible(page)
    screenshot(page, "report-mastery")

    page.get_by_role("link", name="Question quality").click()
    expect(
        page.get_by_role("heading", name="Question quality: AI Safety Fundamentals")
    ).to_be_visible()
    expect(page.get_by_text("Nearly everyone right")).to_be_visible()
    expect(page.get_by_text("6 written answers awaiting review")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "report-question-quality")

    page.goto(f"/admin/quizzes/quiz/{quiz.pk}/change/")
    expect(page.get_by_text("Nearly everyone right")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "admin-quiz-question-quality")

    # axe runs in the page, so it checks the phone pages with JavaScript on; the same HTML is
    # then read with JavaScript off.
    phone = context_factory(viewport=PHONE).new_page()
    plain = context_factory(javascript=False, viewport=PHONE).new_page()
    log_in(phone, admin.email, PASSWORD)
    log_in(plain, admin.email, PASSWORD)
    for path, heading in (("mastery/", "Quiz mastery"), ("questions/", "Question quality")):
        phone.goto(f"/reports/courses/aisf/{path}")
        assert_accessible(phone)
        screenshot(phone, f"report-{path[:-1]}-phone")
        plain.goto(f"/reports/courses/aisf/{path}")
        expect(plain.get_by_role("heading", level=1)).to_contain_text(heading)
    expect(plain.get_by_text("Nearly everyone right")).to_be_visible()
