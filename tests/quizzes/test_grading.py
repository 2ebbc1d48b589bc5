import pytest

from quizzes import services
from quizzes.grading import attempt_score, grade_answer
from quizzes.services import Pick
from tests.quizzes.factories import choice_ids


def _snapshot(kind, correct, n=4):
    choices = [
        {"id": i, "text": str(i), "is_correct": i in correct, "feedback": ""} for i in range(n)
    ]
    return {"kind": kind, "choices": choices}


def test_it_scores_a_single_choice_as_all_or_nothing():
    assert grade_answer(_snapshot("single", {2}), [2]) == (True, 1.0)
    assert grade_answer(_snapshot("single", {2}), [1]) == (False, 0.0)
    assert grade_answer(_snapshot("single", {2}), []) == (False, 0.0)


def test_it_scores_true_false_like_a_single_choice():
    assert grade_answer(_snapshot("true_false", {0}, n=2), [0]) == (True, 1.0)
    assert grade_answer(_snapshot("true_false", {0}, n=2), [1]) == (False, 0.0)


@pytest.mark.parametrize(
    ("picked", "expected"),
    [
        ([0, 1], (True, 1.0)),
        ([0], (False, 0.5)),
        ([0, 2], (False, 0.0)),
        ([0, 1, 2], (False, 0.5)),
        ([2, 3], (False, 0.0)),
        ([0, 1, 2, 3], (False, 0.0)),
        ([], (False, 0.0)),
    ],
)
def test_it_gives_multiple_select_partial_credit_minus_wrong_picks(picked, expected):
    assert grade_answer(_snapshot("multiple", {0, 1}), picked) == expected


def test_it_does_not_grade_written_answers():
    assert grade_answer({"kind": "written", "choices": []}, []) == (None, None)


def test_it_leaves_unscored_questions_out_of_the_attempt_score():
    assert attempt_score([1.0, 0.5, None, 0.0], pass_mark=50) == (50.0, True)
    assert attempt_score([1.0, 0.0, 0.0], pass_mark=70) == (33.3, False)
    assert attempt_score([None], pass_mark=70) == (None, True)


def test_it_grades_every_kind_on_submit(quiz_setup):
    s = quiz_setup
    attempt = services.attempt_start(quiz=s["quiz"], user=s["fellow"])
    picks = {
        s["single"].pk: Pick(choice_ids=choice_ids(s["single"], 0)),
        s["multiple"].pk: Pick(choice_ids=choice_ids(s["multiple"], 0, 2)),
        s["true_false"].pk: Pick(choice_ids=choice_ids(s["true_false"], 1)),
        s["written"].pk: Pick(text="  My reflection  "),
    }
    attempt = services.attempt_submit(attempt=attempt, picks=picks)

    answers = {a.question_id: a for a in attempt.answers.all()}
    assert (answers[s["single"].pk].is_correct, answers[s["single"].pk].score) == (True, 1.0)
    assert (answers[s["multiple"].pk].is_correct, answers[s["multiple"].pk].score) == (False, 0.0)
    assert (answers[s["true_false"].pk].is_correct, answers[s["true_false"].pk].score) == (False, 0)
    written = answers[s["written"].pk]
    assert (written.is_correct, written.score, written.written_text) == (
        None,
        None,
        "My reflection",
    )
    assert attempt.score == 33.3
    assert attempt.passed is False
    assert attempt.submitted_at is not None
