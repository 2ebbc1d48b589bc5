import io

import pytest
from django.core.management import CommandError, call_command

from quizzes import selectors, services
from quizzes.demo import QUIZ_FILE, seed_quiz
from quizzes.models import Answer, Choice, Question, Quiz
from quizzes.quiztext import QuizFormatError, parse
from tests.factories import CourseFactory, LearningObjectiveFactory, UnitFactory
from tests.quizzes.factories import fellow_for

pytestmark = pytest.mark.django_db

DEMO = QUIZ_FILE.read_text(encoding="utf-8")


@pytest.fixture
def course():
    course = CourseFactory(slug="alignment")
    unit = UnitFactory(course=course, week=3, title="Inner Alignment")
    for i in range(3):
        LearningObjectiveFactory(unit=unit, position=i)
    return course


def test_the_demo_quiz_imports_and_exports_to_the_same_text(course):
    quiz, summary = services.quiz_import(course=course, text=DEMO)

    assert selectors.quiz_as_text(quiz=quiz) == DEMO
    assert quiz.questions.count() == 10
    assert set(quiz.questions.values_list("kind", flat=True)) == set(Question.Kind.values)
    for objective in quiz.unit.objectives.all():
        assert objective.quiz_questions.exclude(kind="written").count() >= 2
    assert all(q.explanation for q in quiz.questions.all())
    assert not Choice.objects.filter(question__quiz=quiz, feedback="").exists()
    assert summary == [f"{quiz.unit}: 0 question(s) kept, 10 added, 0 retired"]


def test_the_export_command_prints_what_the_import_command_read(course, tmp_path):
    path = tmp_path / "week-03.quiz.txt"
    path.write_text(DEMO, encoding="utf-8")
    call_command("import_quiz", str(path), "--course", "alignment", stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_quiz", "--course", "alignment", "--week", "3", stdout=out)
    assert out.getvalue() == DEMO


def test_multi_line_values_survive_a_round_trip(course):
    text = DEMO.replace(
        "Prompt: In the mesa-optimization",
        "Prompt: First paragraph.\n\n    Second paragraph.\n    In the mesa-optimization",
    )
    quiz, _ = services.quiz_import(course=course, text=text)
    assert quiz.questions.first().prompt.startswith("First paragraph.\n\nSecond paragraph.\nIn the")
    assert selectors.quiz_as_text(quiz=quiz) == text


def test_importing_again_keeps_answered_questions_and_archives_changed_ones(course):
    quiz, _ = services.quiz_import(course=course, text=DEMO)
    fellow = fellow_for(quiz.unit)
    attempt = services.attempt_start(quiz=quiz, user=fellow)
    first = quiz.questions.get(position=0)

    _, same = services.quiz_import(course=course, text=DEMO)
    assert same == [f"{quiz.unit}: 10 question(s) kept, 0 added, 0 retired"]

    edited = DEMO.replace('what is a "mesa-optimizer"?', "what is a mesa-optimizer?")
    _, summary = services.quiz_import(course=course, text=edited)
    assert summary == [f"{quiz.unit}: 9 question(s) kept, 1 added, 1 retired"]
    first.refresh_from_db()
    assert first.archived_at is not None
    assert Answer.objects.get(attempt=attempt, question=first).snapshot["prompt"].endswith('"?')
    assert quiz.questions.live().count() == 10


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Week: x\n", 1, "Week must be a whole number"),
        ("Week: 3\nPass mark: 130%\n", 2, "Pass mark must be a percentage"),
        ("Week: 3\nReveal answers: never\n", 2, "Reveal answers must be one of"),
        ("Week: 3\n\nQuestion: essay\nObjectives: 1\nPrompt: Hi\n", 3, "unknown question kind"),
        ("Week: 3\n\nQuestion: single choice\nPrompt: Hi\n(x) A\n( ) B\n", 3, "no Objectives"),
        ("Week: 3\n\nQuestion: single choice\nObjectives: 1\n(x) A\n( ) B\n", 3, "no Prompt"),
        (
            "Week: 3\n\nQuestion: single choice\nObjectives: 1\nPrompt: P\n(x) A\n(x) B\n",
            3,
            "exactly one (x) choice, it has 2",
        ),
        (
            "Week: 3\n\nQuestion: true/false\nObjectives: 1\nPrompt: P\n(x) Yes\n( ) No\n",
            3,
            "True and False",
        ),
        ("Week: 3\n\nQuestion: written\nObjectives: 1\nPrompt: P\nFeedback: F\n", 6, "follow"),
        ("Week: 3\n\nQuestion: written\nObjectives: one\nPrompt: P\n", 4, "Objectives must be"),
        ("Week: 3\n\nQuestion: written\nObjectives: 1\nPrompt: P\nColour: red\n", 6, "unknown"),
        ("  stray\nWeek: 3\n", 1, "indented line must continue"),
    ],
)
def test_it_reports_errors_with_line_numbers(text, line, message):
    with pytest.raises(QuizFormatError) as raised:
        parse(text)
    assert any(number == line and message in said for number, said in raised.value.errors), (
        raised.value.errors
    )


def test_a_bad_file_changes_nothing_and_names_every_line(course, tmp_path):
    services.quiz_import(course=course, text=DEMO)
    broken = DEMO.replace("Objectives: 3\n", "Objectives: 4\n", 1).replace(
        "Pass mark: 70%", "Pass mark: 50%"
    )
    path = tmp_path / "broken.quiz.txt"
    path.write_text(broken, encoding="utf-8")
    line = broken.splitlines().index("Objectives: 4") + 1

    with pytest.raises(CommandError) as raised:
        call_command("import_quiz", str(path), "--course", "alignment", stdout=io.StringIO())

    assert f"line {line}: objective 4 does not exist" in str(raised.value)
    assert "nothing was imported" in str(raised.value)
    assert Quiz.objects.get().pass_mark == 70


def test_the_commands_explain_a_missing_course_or_quiz(course, tmp_path):
    with pytest.raises(CommandError, match="No course"):
        call_command("import_quiz", str(QUIZ_FILE), "--course", "nope")
    with pytest.raises(CommandError, match="No quiz for week 3"):
        call_command("export_quiz", "--course", "alignment", "--week", "3")
    with pytest.raises(QuizFormatError, match="has no week 3"):
        services.quiz_import(course=CourseFactory(), text=DEMO)


def test_the_demo_seed_is_idempotent_and_skips_a_course_without_week_3(course):
    first = seed_quiz(course)
    second = seed_quiz(course)

    assert "10 added" in first[0]
    assert "10 question(s) kept, 0 added, 0 retired" in second[0]
    assert Question.objects.count() == 10
    other = CourseFactory()
    assert seed_quiz(other) == [f"Skipped the Week 3 quiz: {other} has no week 3 unit."]
