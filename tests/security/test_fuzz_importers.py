"""Hostile files for the three importers: anything at all, and damaged copies of real files.

Each importer may only fail with its documented error (SyllabusError, ChapterError,
QuizFormatError), and a failure writes nothing: the rows are counted before and after, inside
the test's transaction. A syllabus that parses must also apply.
"""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courseapp.chapters.services import ChapterError, chapter_import
from courseapp.models import Course, LearningObjective, Reading, Unit
from courseapp.syllabus.parser import SyllabusError, parse_syllabus
from courseapp.syllabus.services import syllabus_apply
from quizzes.models import Choice, Question, Quiz
from quizzes.quiztext import QuizFormatError
from quizzes.services import quiz_import

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SYLLABUS = (ROOT / "tests/fixtures/week-03-inner-alignment.txt").read_text()
CHAPTER = (ROOT / "tests/fixtures/chapter-sample.md").read_text()
QUIZ = (ROOT / "quizzes/demo/week-03-inner-alignment.quiz.txt").read_text()

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ODD = st.sampled_from(
    [
        "\x00",
        "\u202e",
        "\u200b",
        "\ufeff",
        "\ud7ff",
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        "x" * 5000,
        "Week 99: Title",
        "Core readings:",
        "- A reading (Someone, 2024)",
        "Question: single choice",
        "(x) ",
        "Objectives: 99",
        "# ",
        "<div class='grid'>",
        "\r",
        "\t",
    ]
)
PIECE = st.one_of(ODD, st.text(max_size=200))


@st.composite
def damaged(draw, seed: str):
    """The seed file with a few lines deleted, duplicated, inserted, cut or spliced."""
    lines = seed.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(len(lines) - 1, 0)))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "truncate", "splice"]))
        if action == "delete" and lines:
            del lines[at]
        elif action == "duplicate" and lines:
            lines.insert(at, lines[at])
        elif action == "insert":
            lines.insert(at, draw(PIECE) + "\n")
        elif action == "truncate":
            lines = lines[:at]
        elif lines:
            cut = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:cut] + draw(PIECE) + lines[at][cut:]
    return "".join(lines)


def anything(seed: str):
    text = st.one_of(st.text(), damaged(seed))
    return st.one_of(
        text,
        st.binary(),
        text.map(lambda t: t.encode("utf-8", "surrogatepass")),
        text.map(lambda t: t.encode("utf-16")),
    )


COUNTED = (Course, Unit, LearningObjective, Reading, Quiz, Question, Choice)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture
def week3(db):
    course = Course.objects.create(slug="fuzz", title="Fuzz")
    syllabus_apply(course=course, document=parse_syllabus(SYLLABUS))
    return course, course.units.get(week=3)


@FUZZ
@given(data=anything(SYLLABUS))
def test_the_syllabus_importer_applies_what_parses_and_rejects_the_rest_cleanly(week3, data):
    course, _ = week3
    before = counts()
    try:
        document = parse_syllabus(data)
    except SyllabusError as error:
        assert error.issues and all(issue.line >= 1 for issue in error.issues)
        assert counts() == before
        return
    syllabus_apply(course=course, document=document)


@FUZZ
@given(raw=anything(CHAPTER))
def test_the_chapter_importer_fails_only_with_a_chapter_error_and_writes_nothing(week3, raw):
    _, unit = week3
    before = counts()
    try:
        reading = chapter_import(unit=unit, raw=raw, tier=Reading.Tier.FURTHER)
    except ChapterError as error:
        assert str(error)
        assert counts() == before
        return
    reading.refresh_from_db()
    assert "\x00" not in reading.title + reading.body


@FUZZ
@given(text=st.one_of(st.text(), damaged(QUIZ)))
def test_the_quiz_importer_fails_only_with_line_numbered_errors_and_writes_nothing(week3, text):
    course, _ = week3
    before = counts()
    try:
        quiz, _ = quiz_import(course=course, text=text)
    except QuizFormatError as error:
        assert error.errors and all(line >= 0 for line, _ in error.errors)
        assert counts() == before
        return
    assert quiz.questions.live().exists()


def test_the_real_files_import_so_the_fuzzing_starts_from_valid_input(week3):
    course, unit = week3

    quiz, _ = quiz_import(course=course, text=QUIZ)
    reading = chapter_import(unit=unit, raw=CHAPTER, tier=Reading.Tier.CORE)

    assert quiz.questions.count() == 10
    assert reading.is_hosted


SPLICED = ["\x00", "\u202e", "\u200b", "y" * 5000, "<script>alert(1)</script>"]


def spliced_copies(seed: str, piece: str):
    """The seed with `piece` put in the middle of each line in turn."""
    lines = seed.splitlines(keepends=True)
    for at, line in enumerate(lines):
        middle = len(line.rstrip("\n")) // 2
        yield "".join([*lines[:at], line[:middle] + piece + line[middle:], *lines[at + 1 :]])


def import_syllabus(course, unit, text):
    try:
        document = parse_syllabus(text)
    except SyllabusError:
        return False
    syllabus_apply(course=course, document=document)
    return True


def import_chapter(course, unit, text):
    try:
        chapter_import(unit=unit, raw=text, tier=Reading.Tier.FURTHER)
    except ChapterError:
        return False
    return True


def import_quiz(course, unit, text):
    try:
        quiz_import(course=course, text=text)
    except QuizFormatError:
        return False
    return True


@pytest.mark.parametrize("piece", SPLICED, ids=["nul", "rtl", "zero-width", "overlong", "script"])
@pytest.mark.parametrize(
    ("seed", "importer"),
    [(SYLLABUS, import_syllabus), (CHAPTER, import_chapter), (QUIZ, import_quiz)],
    ids=["syllabus", "chapter", "quiz"],
)
def test_odd_text_in_any_line_of_a_real_file_is_imported_or_refused_whole(
    week3, seed, importer, piece
):
    course, unit = week3
    for copy in spliced_copies(seed, piece):
        before = counts()
        if not importer(course, unit, copy):
            assert counts() == before
        elif piece == "\x00":
            pytest.fail(f"a NUL was imported from:\n{copy}")
