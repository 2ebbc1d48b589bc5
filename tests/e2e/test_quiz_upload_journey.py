"""An editor uploads a new version of a quiz in the admin: a malformed file, a preview, apply."""

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from quizzes import selectors, services
from quizzes.admin_upload import UPLOAD_PERMISSIONS
from quizzes.models import Question
from tests.e2e.conftest import assert_accessible, log_in, screenshot
from tests.factories import (
    PASSWORD,
    CourseFactory,
    LearningObjectiveFactory,
    UnitFactory,
    UserFactory,
)
from tests.quizzes.factories import fellow_for
from tests.quizzes.test_admin_quiz_upload import EDITED, QUIZ

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def as_file(text: str) -> dict:
    return {"name": "week-03.quiz.txt", "mimeType": "text/plain", "buffer": text.encode()}


def test_an_editor_previews_and_applies_a_quiz_file(page):
    course = CourseFactory(slug="alignment", title="Alignment")
    unit = UnitFactory(course=course, week=3, title="Inner Alignment")
    for position in range(3):
        LearningObjectiveFactory(unit=unit, position=position)
    quiz, _ = services.quiz_import(course=course, text=QUIZ)
    services.attempt_submit(attempt=services.attempt_start(quiz=quiz, user=fellow_for(unit)))
    editor = UserFactory(is_staff=True)
    codenames = [name.split(".")[1] for name in UPLOAD_PERMISSIONS] + ["view_quiz"]
    editor.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    log_in(page, editor.email, PASSWORD)

    page.goto(f"/admin/quizzes/quiz/{quiz.pk}/change/")
    page.get_by_role("link", name="Upload a new version").click()
    expect(page.get_by_label("Course")).to_have_value(str(course.pk))
    assert_accessible(page)
    page.get_by_label("Quiz file").set_input_files(as_file(EDITED.replace("Objectives: 3", "")))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("alert")).to_contain_text("this question has no Objectives line")
    assert_accessible(page)
    screenshot(page, "quiz-upload-errors")

    page.get_by_label("Quiz file").set_input_files(as_file(EDITED))
    page.get_by_role("button", name="Preview").click()
    plan = page.get_by_role("table", name="What the file will add, change, move")
    expect(plan).to_contain_text("Pass mark: 70% → 80%")
    expect(plan).to_contain_text("Choice added: “The loss function”")
    expect(plan).to_contain_text("Fellows answered the old version: it is archived")
    assert_accessible(page)
    screenshot(page, "quiz-upload-preview")
    assert Question.objects.filter(archived_at__isnull=False).count() == 0

    page.get_by_role("button", name="Apply these changes").click()
    expect(page.get_by_text("Quiz applied:")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "quiz-upload-applied")
    assert Question.objects.filter(archived_at__isnull=False).count() == 2
    quiz.refresh_from_db()
    assert selectors.quiz_as_text(quiz=quiz) == EDITED
