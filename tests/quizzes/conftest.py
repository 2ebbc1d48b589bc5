import pytest

from quizzes.models import Question
from tests.quizzes.factories import fellow_for, question_with_choices, quiz_with_objectives


@pytest.fixture
def quiz_setup(db):
    """A quiz with one question of each kind over three objectives, and a fellow who may take it."""
    quiz, objectives = quiz_with_objectives()
    single = question_with_choices(quiz, objectives=[objectives[0]])
    multiple = question_with_choices(
        quiz, kind=Question.Kind.MULTIPLE, correct=(0, 1), n=4, objectives=objectives[:2]
    )
    true_false = question_with_choices(
        quiz, kind=Question.Kind.TRUE_FALSE, objectives=objectives[2:]
    )
    written = question_with_choices(quiz, kind=Question.Kind.WRITTEN, objectives=objectives[2:])
    return {
        "quiz": quiz,
        "objectives": objectives,
        "single": single,
        "multiple": multiple,
        "true_false": true_false,
        "written": written,
        "fellow": fellow_for(quiz.unit),
    }
