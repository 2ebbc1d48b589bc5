"""`manage.py import_quiz` refuses a file past the importers' size cap before parsing it."""

import io

import pytest
from django.core.management import CommandError, call_command

from quizzes.demo import QUIZ_FILE
from quizzes.management.commands.import_quiz import MAX_BYTES
from quizzes.models import Question, Quiz
from tests.factories import CourseFactory, LearningObjectiveFactory, UnitFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

DEMO = QUIZ_FILE.read_text(encoding="utf-8")


@pytest.fixture
def course():
    course = CourseFactory(slug="alignment")
    unit = UnitFactory(course=course, week=3)
    for position in range(3):
        LearningObjectiveFactory(unit=unit, position=position)
    return course


def test_a_file_over_one_megabyte_is_refused_and_nothing_is_imported(course, tmp_path):
    path = tmp_path / "huge.quiz.txt"
    path.write_text(DEMO + "#" * MAX_BYTES, encoding="utf-8")

    with pytest.raises(CommandError) as raised:
        call_command("import_quiz", str(path), "--course", "alignment", stdout=io.StringIO())

    assert "nothing was imported. The file is larger than 1 MB; is it a quiz?" in str(raised.value)
    assert not Quiz.objects.exists()


def test_a_file_under_the_cap_with_windows_line_ends_is_imported_as_before(course, tmp_path):
    path = tmp_path / "week-03.quiz.txt"
    path.write_bytes(DEMO.replace("\n", "\r\n").encode())
    assert path.stat().st_size <= MAX_BYTES

    call_command("import_quiz", str(path), "--course", "alignment", stdout=io.StringIO())

    assert Quiz.objects.get().questions.count() == 10
    assert not Question.objects.filter(prompt__contains="\r").exists()
