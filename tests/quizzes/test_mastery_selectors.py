import pytest

from courseapp.models import Enrollment
from quizzes import selectors, services
from quizzes.models import Question
from quizzes.services import Pick
from tests.factories import CohortFactory, EnrollmentFactory, LearningObjectiveFactory, UnitFactory
from tests.quizzes.factories import QuizFactory, choice_ids, question_with_choices

pytestmark = pytest.mark.django_db


def _take(quiz, user, picks):
    attempt = services.attempt_start(quiz=quiz, user=user)
    return services.attempt_submit(attempt=attempt, picks=picks)


def test_mastery_follows_the_latest_submitted_attempt(quiz_setup):
    s = quiz_setup
    single, objectives, fellow = s["single"], s["objectives"], s["fellow"]
    _take(s["quiz"], fellow, {single.pk: Pick(choice_ids(single, 0))})
    assert selectors.objective_mastery_for_user(user=fellow, units=[s["quiz"].unit])[
        objectives[0].pk
    ] == selectors.Mastery(objectives[0].pk, correct=1, total=2)

    _take(s["quiz"], fellow, {single.pk: Pick(choice_ids(single, 1))})
    services.attempt_start(quiz=s["quiz"], user=fellow)  # an open attempt does not count

    mastery = selectors.objective_mastery_for_user(user=fellow, units=[s["quiz"].unit])
    assert mastery[objectives[0].pk].correct == 0
    assert mastery[objectives[0].pk].level == "not-yet"
    assert set(mastery) == {o.pk for o in objectives}


def test_written_answers_do_not_count_toward_mastery(quiz_setup):
    s = quiz_setup
    _take(s["quiz"], s["fellow"], {s["written"].pk: Pick(text="Thoughtful")})
    mastery = selectors.objective_mastery_for_user(user=s["fellow"], units=[s["quiz"].unit])
    assert mastery[s["objectives"][2].pk].total == 1


def test_user_mastery_takes_one_query_for_many_units(django_assert_num_queries):
    course_units = [UnitFactory() for _ in range(5)]
    fellow = EnrollmentFactory().user
    for unit in course_units:
        objective = LearningObjectiveFactory(unit=unit)
        quiz = QuizFactory(unit=unit)
        question = question_with_choices(quiz, objectives=[objective])
        _take(quiz, fellow, {question.pk: Pick(choice_ids(question, 0))})

    with django_assert_num_queries(1):
        mastery = selectors.objective_mastery_for_user(user=fellow, units=course_units)
    assert len(mastery) == 5
    assert all(m.ratio == 1.0 for m in mastery.values())


def _cohort_with_fellows(n):
    unit = UnitFactory()
    objectives = [LearningObjectiveFactory(unit=unit, position=i) for i in range(3)]
    quiz = QuizFactory(unit=unit)
    questions = [
        question_with_choices(quiz, objectives=[objectives[0]]),
        question_with_choices(quiz, objectives=[objectives[0], objectives[1]]),
        question_with_choices(quiz, kind=Question.Kind.WRITTEN, objectives=[objectives[2]]),
    ]
    cohort = CohortFactory(course=unit.course, pacing="self_paced")
    for i in range(n):
        fellow = EnrollmentFactory(cohort=cohort, user__password=None).user
        if i % 2 == 0:
            right = 0 if i % 4 == 0 else 1
            picks = {q.pk: Pick(choice_ids(q, right)) for q in questions[:2]}
            _take(quiz, fellow, picks)
    EnrollmentFactory(cohort=cohort, status=Enrollment.Status.DROPPED)
    EnrollmentFactory(cohort=cohort, role=Enrollment.Role.FACILITATOR)
    return cohort, objectives


@pytest.mark.parametrize("fellows", [10, 100])
def test_cohort_mastery_takes_the_same_queries_for_10_and_100_fellows(
    fellows, django_assert_num_queries
):
    cohort, objectives = _cohort_with_fellows(fellows)

    with django_assert_num_queries(3):
        rows = selectors.objective_mastery_for_cohort(cohort=cohort)

    first, second, third = rows
    assert [row.objective for row in rows] == objectives
    assert first.fellows_total == fellows
    assert first.fellows_with_data == fellows // 2
    assert first.fellows_below == fellows // 2 - len(range(0, fellows, 4))
    assert first.mean == pytest.approx(len(range(0, fellows, 4)) / (fellows // 2))
    assert second.fellows_with_data == fellows // 2
    assert (third.mean, third.fellows_with_data, third.fellows_below) == (None, 0, 0)


def test_unit_quiz_summary_reports_attempts_and_scores(quiz_setup):
    s = quiz_setup
    unit, fellow, single = s["quiz"].unit, s["fellow"], s["single"]
    assert selectors.unit_quiz_summary(user=fellow, unit=UnitFactory()) is None
    summary = selectors.unit_quiz_summary(user=fellow, unit=unit)
    assert (summary["attempts_used"], summary["can_start"], summary["latest_score"]) == (
        0,
        True,
        None,
    )

    _take(s["quiz"], fellow, {single.pk: Pick(choice_ids(single, 0))})
    _take(s["quiz"], fellow, {})
    summary = selectors.unit_quiz_summary(user=fellow, unit=unit)
    assert summary["attempts_used"] == 2
    assert summary["attempts_left"] == 1
    assert summary["best_score"] == 33.3
    assert summary["latest_score"] == 0.0
    assert summary["passed"] is False
    assert summary["open_attempt"] is None
