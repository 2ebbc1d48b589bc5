"""Question quality (item analysis) on a dataset built by hand.

Six fellows F1..F6 take a quiz of four single-choice questions (choice A right, B and C wrong)
and one written question nobody has reviewed. Item scores of their latest attempts (1 = right):

          Q1  Q2  Q3  Q4 | total
    F1     1   1   1   0 |   3
    F2     1   1   0   1 |   3
    F3     1   1   0   0 |   2
    F4     1   0   1   0 |   2
    F5     1   0   0   0 |   1
    F6     1   0   0   0 |   1

Discrimination is Pearson's r between the item x and the rest score y = total - x, i.e.
r = Sxy / sqrt(Sxx * Syy) with Sxy = Σxy - n·x̄·ȳ, Sxx = Σx² - n·x̄², Syy = Σy² - n·ȳ²:

- Q1: everyone right, x constant: no r. p = 6/6.
- Q2: x = 1,1,1,0,0,0; y = 2,2,1,2,1,1. x̄ = 1/2, ȳ = 3/2. Sxy = 5 - 6·(1/2)(3/2) = 1/2;
  Sxx = 3 - 6/4 = 3/2; Syy = 15 - 6·9/4 = 3/2. r = (1/2)/(3/2) = 1/3. p = 3/6.
- Q3: x = 1,0,0,1,0,0; y = 2,3,2,1,1,1. x̄ = 1/3, ȳ = 5/3. Sxy = 3 - 6·(1/3)(5/3) = -1/3;
  Sxx = 2 - 6/9 = 4/3; Syy = 20 - 6·25/9 = 10/3. r = (-1/3)/sqrt(40/9) = -1/sqrt(40)
  = -0.158114 (to 6 places). p = 2/6.
- Q4: x = 0,1,0,0,0,0; y = 3,2,2,2,1,1. x̄ = 1/6, ȳ = 11/6. Sxy = 2 - 11/6 = 1/6;
  Sxx = 1 - 1/6 = 5/6; Syy = 23 - 121/6 = 17/6. r = (1/6)/sqrt(85/36) = 1/sqrt(85)
  = 0.108465 (to 6 places). p = 1/6.
"""

import pytest
from django.urls import reverse

from courseapp.facilitate.services import written_answer_review
from quizzes import reports, services
from quizzes.models import Answer, Attempt, Question, Quiz
from quizzes.services import Pick
from tests.factories import CohortFactory, EnrollmentFactory
from tests.quizzes.factories import ChoiceFactory, QuizFactory, question_with_choices

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

A, B, C = 0, 1, 2
# The choice each fellow picked on Q1..Q4 in their latest attempt (see the table above).
PICKS = {
    "F1": (A, A, A, B),
    "F2": (A, A, B, A),
    "F3": (A, A, B, C),
    "F4": (A, B, A, B),
    "F5": (A, C, C, B),
    "F6": (A, B, B, C),
}


def _submit(quiz, user, choice_indexes, questions, written_text="My answer"):
    attempt = services.attempt_start(quiz=quiz, user=user)
    picks = {
        q.pk: Pick(choice_ids=[list(q.choices.order_by("position"))[i].pk])
        for q, i in zip(questions, choice_indexes, strict=True)
    }
    picks[quiz.questions.get(kind=Question.Kind.WRITTEN).pk] = Pick(text=written_text)
    return services.attempt_submit(attempt=attempt, picks=picks)


def _fellow(cohort, name):
    return EnrollmentFactory(cohort=cohort, user__display_name=name).user


@pytest.fixture
def dataset(db):
    quiz = QuizFactory(attempts_allowed=3)
    questions = [question_with_choices(quiz, correct=(A,), n=3) for _ in range(4)]
    written = question_with_choices(quiz, kind=Question.Kind.WRITTEN)
    cohort = CohortFactory(course=quiz.unit.course, pacing="self_paced")
    fellows = {name: _fellow(cohort, name) for name in PICKS}
    # F1's first attempt was all wrong; only the latest submitted attempt counts.
    _submit(quiz, fellows["F1"], (B, B, B, B), questions)
    for name, picks in PICKS.items():
        _submit(quiz, fellows[name], picks, questions)
    # An attempt still open counts for nothing.
    services.attempt_start(quiz=quiz, user=_fellow(cohort, "Still answering"))
    return {
        "quiz": quiz,
        "questions": questions,
        "written": written,
        "fellows": fellows,
        "cohort": cohort,
    }


def _quality(quiz):
    by_question = reports.question_quality(quizzes=Quiz.objects.filter(pk=quiz.pk))
    return {stat.question.pk: stat for stat in by_question}


def test_share_correct_and_discrimination_match_the_hand_computed_figures(dataset):
    stats = _quality(dataset["quiz"])
    q1, q2, q3, q4 = (stats[q.pk] for q in dataset["questions"])

    assert [(s.answered, s.correct) for s in (q1, q2, q3, q4)] == [(6, 6), (6, 3), (6, 2), (6, 1)]
    assert [s.p_percent for s in (q1, q2, q3, q4)] == [100, 50, 33, 17]
    assert q1.discrimination is None
    assert q2.discrimination == pytest.approx(1 / 3)
    assert q3.discrimination == pytest.approx(-0.158114, abs=1e-6)
    assert q4.discrimination == pytest.approx(0.108465, abs=1e-6)


def test_each_choice_shows_how_often_it_was_picked(dataset):
    stats = _quality(dataset["quiz"])
    q1, q2, q3, q4 = (stats[q.pk] for q in dataset["questions"])

    # Q2: A by F1-F3, B by F4 and F6, C by F5 -> 3, 2 and 1 of 6: 50%, 33%, 17%.
    assert [(c.picks, c.offered, c.percent) for c in q2.choices] == [
        (3, 6, 50),
        (2, 6, 33),
        (1, 6, 17),
    ]
    assert [c.picks for c in q1.choices] == [6, 0, 0]
    assert [c.picks for c in q3.choices] == [2, 3, 1]
    assert [c.picks for c in q4.choices] == [1, 3, 2]


def test_it_flags_easy_hard_undiscriminating_questions_and_unused_distractors(dataset):
    stats = _quality(dataset["quiz"])
    q1, q2, q3, q4 = (stats[q.pk] for q in dataset["questions"])

    assert q1.flags == ["Nearly everyone right", "2 distractors nobody picks"]
    assert [c.unused for c in q1.choices] == [False, True, True]
    assert q2.flags == []
    assert q3.flags == ["Negative discrimination"]
    assert q4.flags == ["Nearly everyone wrong", "Low discrimination"]


def test_unreviewed_written_answers_are_pending_and_not_counted_as_wrong(dataset):
    stats = _quality(dataset["quiz"])
    written = stats[dataset["written"].pk]

    assert (written.answered, written.pending, written.p, written.flags) == (0, 6, None, [])
    # Once a facilitator reviews it, it counts like any other answer.
    facilitator = EnrollmentFactory(cohort=dataset["cohort"], role="facilitator").user
    written_answer_review(
        reviewer=facilitator,
        cohort=dataset["cohort"],
        answer=Answer.objects.filter(
            question=dataset["written"], attempt__user=dataset["fellows"]["F1"]
        ).latest("attempt__number"),
        meets=True,
        comment="Yes.",
    )
    written = _quality(dataset["quiz"])[dataset["written"].pk]
    assert (written.answered, written.correct, written.pending) == (1, 1, 5)


def test_a_choice_added_after_the_attempts_was_not_offered_and_is_not_flagged(dataset):
    question = dataset["questions"][1]
    ChoiceFactory(question=question, text="Added later", position=9)

    added = _quality(dataset["quiz"])[question.pk].choices[-1]

    assert (added.choice.text, added.picks, added.offered, added.percent) == (
        "Added later",
        0,
        0,
        None,
    )
    assert not added.unused


def test_it_runs_three_queries_whatever_the_number_of_attempts(
    dataset, django_assert_max_num_queries
):
    quizzes = Quiz.objects.filter(pk=dataset["quiz"].pk)
    with django_assert_max_num_queries(3):
        small = reports.question_quality(quizzes=quizzes)
    cohort = CohortFactory(course=dataset["quiz"].unit.course, pacing="self_paced")
    for n in range(24):
        user = _fellow(cohort, f"Extra {n}")
        _submit(dataset["quiz"], user, PICKS[f"F{1 + n % 6}"], dataset["questions"])
    assert Attempt.objects.filter(submitted_at__isnull=False).count() == 31

    with django_assert_max_num_queries(3):
        large = reports.question_quality(quizzes=quizzes)

    assert [s.answered for s in small][:4] == [6] * 4
    assert [s.answered for s in large][:4] == [30] * 4
    # Five copies of the same six fellows: the same shares and correlations.
    assert [s.p_percent for s in large][:4] == [100, 50, 33, 17]
    assert large[1].discrimination == pytest.approx(1 / 3)


def test_admins_see_the_figures_in_the_report_and_beside_the_questions_in_the_admin(
    client, staff, dataset
):
    client.force_login(staff)
    course = dataset["quiz"].unit.course

    report = client.get(reverse("course_report_questions", args=[course.slug]))
    admin = client.get(reverse("admin:quizzes_quiz_change", args=[dataset["quiz"].pk]))
    question = client.get(
        reverse("admin:quizzes_question_change", args=[dataset["questions"][3].pk])
    ).content.decode()

    assert "discrimination <strong>0.11</strong>" in question
    assert "Nearly everyone wrong" in question and "Low discrimination" in question
    assert "discrimination <strong>0.33</strong>" not in question
    for page in (report.content.decode(), admin.content.decode()):
        assert dataset["questions"][1].prompt in page
        assert "discrimination <strong>0.33</strong>" in page
        assert "discrimination <strong>-0.16</strong>" in page
        assert "Nearly everyone wrong" in page
        assert "2 distractors nobody picks" in page
        assert "6 written answers awaiting review" in page
        assert "33% <span" in page
    assert "point-biserial" in report.content.decode()


def test_only_staff_see_question_quality(client, dataset, staff):
    fellow = dataset["fellows"]["F1"]
    facilitator = EnrollmentFactory(cohort=dataset["cohort"], role="facilitator").user
    url = reverse("course_report_questions", args=[dataset["quiz"].unit.course.slug])

    assert client.get(url).status_code == 302
    for person, status in ((fellow, 404), (facilitator, 404), (staff, 200)):
        client.force_login(person)
        assert client.get(url).status_code == status
