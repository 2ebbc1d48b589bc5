"""The quiz admin's upload (preview, then apply) and export of the quiz text format."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes import selectors, services
from quizzes.admin_upload import UPLOAD_PERMISSIONS
from quizzes.demo import QUIZ_FILE
from quizzes.models import Answer, Attempt, Choice, Question, Quiz
from quizzes.services import MAX_QUIZ_FILE_BYTES, Pick
from tests.factories import CourseFactory, LearningObjectiveFactory, UnitFactory, UserFactory
from tests.quizzes.factories import fellow_for

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

UPLOAD = reverse("admin:quizzes_quiz_upload")

QUIZ = """\
Week: 3
Title: Inner alignment check
Pass mark: 70%
Attempts allowed: 3
Shuffle questions: no
Shuffle choices: no
Reveal answers: after each attempt

Question: single choice
Objectives: 1
Prompt: What is a mesa-optimizer?
(x) A learned model that is itself an optimizer
Feedback: Right.
( ) The training process
Feedback: That is the base optimizer.

Question: true/false
Objectives: 2
Prompt: Deceptive alignment needs the model to model its training.
(x) True
( ) False

Question: written
Objectives: 3
Prompt: Explain inner alignment in two sentences.
Model answer: The learned objective matches the training objective.
"""

EDITED = (
    QUIZ.replace("Pass mark: 70%", "Pass mark: 80%")
    .replace("What is a mesa-optimizer?", "What is a mesa-optimiser?")
    .replace("base optimizer.\n", "base optimizer.\n( ) The loss function\n")
    .replace(
        "Question: true/false\nObjectives: 2\n"
        "Prompt: Deceptive alignment needs the model to model its training.\n(x) True\n( ) False\n",
        "Question: single choice\nObjectives: 1, 2\nPrompt: Which is a monitor?\n"
        "( ) The mesa-optimizer\n(x) A second model that flags unsafe behaviour\n",
    )
)


@pytest.fixture
def course():
    course = CourseFactory(slug="alignment", title="Alignment")
    unit = UnitFactory(course=course, week=3, title="Inner Alignment")
    for position in range(3):
        LearningObjectiveFactory(unit=unit, position=position)
    return course


@pytest.fixture
def editor(staff, client):
    client.force_login(staff)
    return client


def upload(client, course, text: str | bytes, name="week-03.quiz.txt"):
    data = text.encode() if isinstance(text, str) else text
    file = SimpleUploadedFile(name, data, content_type="text/plain")
    return client.post(UPLOAD, {"course": course.pk, "file": file})


def apply(client, preview):
    """Post the preview's own apply form back, as the browser does."""
    html = preview.content.decode()
    form = html[html.index('name="content"') - 200 : html.index('name="apply"')]
    fields = dict(re.findall(r'name="(course|content|fingerprint)" value="([^"]*)"', form))
    return client.post(UPLOAD, {**fields, "apply": "Apply these changes"})


def quiz_state() -> list[tuple]:
    rows = Question.objects.values_list("pk", "prompt", "position", "archived_at")
    choices = Choice.objects.values_list("pk", "question_id", "text", "is_correct", "feedback")
    quizzes = Quiz.objects.values_list("pk", "pass_mark", "title", "updated_at")
    return [*sorted(rows), *sorted(choices), *sorted(quizzes)]


def test_a_new_quiz_is_previewed_without_writing_and_created_on_apply(editor, course):
    preview = upload(editor, course, QUIZ)

    page = preview.content.decode()
    assert preview.status_code == 200
    assert f"Preview: {course.units.get()}" in page
    assert "A new quiz for" in page
    assert "What is a mesa-optimizer?" in page
    assert page.count('class="action-add"') == 4  # the quiz and its three questions
    assert not Quiz.objects.exists()

    applied = apply(editor, preview)

    quiz = Quiz.objects.get()
    assert applied.status_code == 302
    assert applied["Location"] == reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    assert quiz.unit.course == course and quiz.title == "Inner alignment check"
    assert selectors.quiz_as_text(quiz=quiz) == QUIZ


def test_the_preview_lists_added_changed_and_archived_questions_and_choices(editor, course):
    quiz, _ = services.quiz_import(course=course, text=QUIZ)
    fellow = fellow_for(quiz.unit)
    services.attempt_submit(attempt=services.attempt_start(quiz=quiz, user=fellow))
    before = quiz_state()

    page = upload(editor, course, EDITED).content.decode()

    assert quiz_state() == before  # the preview wrote nothing
    assert "Pass mark: 70% → 80%" in page
    assert "Prompt: “What is a mesa-optimizer?” → “What is a mesa-optimiser?”" in page
    assert "Choice added: “The loss function”" in page
    assert "Kind: true/false → single choice" in page
    assert "Objectives: 2 → 1, 2" in page
    assert "Choice removed: “True”" in page
    assert "Choice added: “A second model that flags unsafe behaviour”" in page
    assert page.count("Fellows answered the old version: it is archived") == 2
    assert page.count('class="action-change"') == 3  # the settings and two questions
    assert "1 question(s) kept, 2 added, 2 retired" in page


def test_apply_archives_answered_questions_and_past_attempts_stay_as_they_were(editor, course):
    quiz, _ = services.quiz_import(course=course, text=QUIZ)
    fellow = fellow_for(quiz.unit)
    attempt = services.attempt_start(quiz=quiz, user=fellow)
    first = quiz.questions.get(position=0)
    right = first.choices.get(is_correct=True)
    attempt = services.attempt_submit(attempt=attempt, picks={first.pk: Pick([right.pk])})
    answers = list(Answer.objects.filter(attempt=attempt).values_list("snapshot", "score"))
    result = editor.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))

    applied = apply(editor, upload(editor, course, EDITED))

    assert applied.status_code == 302
    quiz.refresh_from_db()
    assert quiz.pass_mark == 80
    assert selectors.quiz_as_text(quiz=quiz) == EDITED
    first.refresh_from_db()
    assert first.archived_at is not None and first.choices.count() == 2
    assert Question.objects.filter(quiz=quiz, archived_at__isnull=False).count() == 2
    assert Attempt.objects.get(pk=attempt.pk).score == attempt.score
    assert list(Answer.objects.filter(attempt=attempt).values_list("snapshot", "score")) == answers
    again = editor.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))
    assert "What is a mesa-optimizer?" in again.content.decode()
    assert again.content.decode().count("mesa-optimi") == result.content.decode().count(
        "mesa-optimi"
    )


def test_a_malformed_file_names_its_lines_and_changes_nothing(editor, course):
    services.quiz_import(course=course, text=QUIZ)
    before = quiz_state()
    broken = EDITED.replace("Pass mark: 80%", "Pass mark: lots").replace(
        "Objectives: 3", "Objectives: 9"
    )

    response = upload(editor, course, broken)

    page = response.content.decode()
    assert "nothing was changed" in page
    assert "line 3: Pass mark must be a percentage from 1 to 100, got &#x27;lots&#x27;" in page
    assert "Apply these changes" not in page
    assert quiz_state() == before

    wrong_objective = upload(editor, course, EDITED.replace("Objectives: 3", "Objectives: 9"))
    line = EDITED.splitlines().index("Objectives: 3") + 1
    assert f"line {line}: objective 9 does not exist" in wrong_objective.content.decode()
    assert quiz_state() == before


def test_a_file_over_one_megabyte_is_refused(editor, course):
    response = upload(editor, course, QUIZ + "#" * MAX_QUIZ_FILE_BYTES)

    assert "The file is larger than 1 MB; is it a quiz?" in response.content.decode()
    assert not Quiz.objects.exists()


def test_a_stale_preview_is_not_applied_but_previewed_again(editor, course):
    preview = upload(editor, course, EDITED)
    services.quiz_import(course=course, text=QUIZ)  # someone else imports in between
    before = quiz_state()

    response = apply(editor, preview)

    assert response.status_code == 200
    page = response.content.decode()
    assert "The quiz changed since your preview" in page
    assert "Pass mark: 70% → 80%" in page
    assert quiz_state() == before


def test_a_changed_file_sent_with_an_old_fingerprint_is_not_applied(editor, course):
    preview = upload(editor, course, QUIZ)
    html = preview.content.decode()
    fingerprint = re.search(r'name="fingerprint" value="([^"]*)"', html)[1]
    other = SimpleUploadedFile("x.txt", EDITED.encode(), content_type="text/plain")
    response = editor.post(
        UPLOAD, {"course": course.pk, "file": other, "fingerprint": fingerprint, "apply": "1"}
    )

    assert "The quiz changed since your preview" in response.content.decode()
    assert not Quiz.objects.exists()


def test_people_without_the_quiz_permissions_cannot_upload(client, course):
    fellow = UserFactory()
    client.force_login(fellow)
    assert client.get(UPLOAD).status_code == 302  # to the admin's sign-in
    upload(client, course, QUIZ)
    assert not Quiz.objects.exists()

    looker = UserFactory(is_staff=True)
    looker.user_permissions.add(Permission.objects.get(codename="view_quiz"))
    client.force_login(looker)
    assert client.get(UPLOAD).status_code == 403
    assert upload(client, course, QUIZ).status_code == 403
    assert not Quiz.objects.exists()

    codenames = [name.split(".")[1] for name in UPLOAD_PERMISSIONS]
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(editor)
    assert upload(client, course, QUIZ).status_code == 200
    assert not Quiz.objects.exists()


def test_the_change_page_exports_a_file_that_uploads_back_unchanged(editor, course):
    quiz, _ = services.quiz_import(course=course, text=QUIZ)
    change = editor.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()
    export = reverse("admin:quizzes_quiz_export", args=[quiz.pk])
    assert f'href="{export}"' in change
    assert f"{UPLOAD}?course={course.pk}" in change

    response = editor.get(export)

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert 'filename="alignment-week-03.quiz.txt"' in response["Content-Disposition"]
    assert response.content.decode() == QUIZ
    before = quiz_state()
    page = upload(editor, course, response.content).content.decode()
    assert "The file matches the quiz already: there is nothing to change." in page
    assert quiz_state() == before


def test_the_changelist_links_to_the_upload_page_for_editors_only(editor, client, course):
    changelist = reverse("admin:quizzes_quiz_changelist")
    assert f'href="{UPLOAD}"' in editor.get(changelist).content.decode()

    looker = UserFactory(is_staff=True)
    looker.user_permissions.add(Permission.objects.get(codename="view_quiz"))
    client.force_login(looker)
    assert f'href="{UPLOAD}"' not in client.get(changelist).content.decode()


def _answered_quiz(course, text: str, fellows: int) -> None:
    quiz, _ = services.quiz_import(course=course, text=text)
    for _ in range(fellows):
        fellow = fellow_for(quiz.unit)
        services.attempt_submit(attempt=services.attempt_start(quiz=quiz, user=fellow))


def test_the_preview_runs_a_fixed_number_of_queries_whatever_the_quiz_size(editor, course):
    demo = QUIZ_FILE.read_text(encoding="utf-8")
    _answered_quiz(course, QUIZ, fellows=1)
    other = CourseFactory(slug="bigger")
    unit = UnitFactory(course=other, week=3)
    for position in range(3):
        LearningObjectiveFactory(unit=unit, position=position)
    _answered_quiz(other, demo, fellows=5)
    counts, pages = [], []
    for where, text in ((course, QUIZ), (other, demo)):
        edited = text.replace("Pass mark: 70%", "Pass mark: 60%").replace(
            "Prompt: ", "Prompt: Now, "
        )
        with CaptureQueriesContext(connection) as queries:
            pages.append(upload(editor, where, edited).content.decode())
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 14
    assert pages[0].count('class="action-change"') == 4  # the settings and the three questions
    assert pages[1].count('class="action-change"') == 11  # the settings and the ten questions


def test_the_preview_escapes_what_the_file_says(editor, course):
    text = QUIZ.replace("What is a mesa-optimizer?", "<script>alert(1)</script> optimizer?")

    page = upload(editor, course, text).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt; optimizer?" in page
    assert "<script>alert(1)" not in page
