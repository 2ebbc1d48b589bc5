"""The cohort page's last activity and mastery, counted the same way on PostgreSQL and SQLite:
an open quiz attempt's time, and answers whose snapshot carries no list of objectives."""

import pytest
import time_machine

from courseapp.facilitate.selectors import cohort_dashboard
from quizzes import services as quiz_services
from quizzes.models import Answer
from quizzes.services import Pick
from tests.quizzes.factories import choice_ids

from .conftest import at, enrol, take_quiz

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
NOW = at(2026, 3, 10, 12)


def _row(cohort, user):
    dashboard = cohort_dashboard(cohort=cohort, now=NOW)
    return next(r for r in dashboard.rows if r.user.pk == user.pk)


def _start(course, user, when):
    with time_machine.travel(when, tick=False):
        return quiz_services.attempt_start(quiz=course.quiz, user=user)


def test_an_open_attempt_with_nothing_saved_counts_from_its_start(cohort, course, sessions):
    ada = enrol(cohort, "Ada")
    _start(course, ada, at(2026, 3, 3, 9))

    assert _row(cohort, ada).last_activity == at(2026, 3, 3, 9)


def test_an_open_attempt_counts_from_its_last_saved_answer(cohort, course, sessions):
    ada = enrol(cohort, "Ada")
    attempt = _start(course, ada, at(2026, 3, 3, 9))
    question = course.questions[0]
    with time_machine.travel(at(2026, 3, 4, 15), tick=False):
        quiz_services.answers_save(
            attempt=attempt, picks={question.pk: Pick(choice_ids(question, 0))}
        )

    assert _row(cohort, ada).last_activity == at(2026, 3, 4, 15)


def test_each_answer_counts_once_for_every_objective_in_its_snapshot(cohort, course, sessions):
    ada = enrol(cohort, "Ada")
    attempt = take_quiz(course, ada, [True, False], at(2026, 3, 1, 9))
    first, second = course.objectives
    both = attempt.answers.get(question=course.questions[1])
    both.snapshot = {**both.snapshot, "objectives": [first.pk, second.pk]}
    both.save(update_fields=["snapshot"])

    mastery = _row(cohort, ada).mastery

    assert {pk: (m.correct, m.total) for pk, m in mastery.items()} == {
        first.pk: (1, 2),
        second.pk: (0, 1),
    }


@pytest.mark.parametrize("objectives", [None, "1", {"id": 1}, 3], ids=str)
def test_an_answer_whose_snapshot_has_no_list_of_objectives_counts_for_none(
    cohort, course, sessions, objectives
):
    ada = enrol(cohort, "Ada")
    attempt = take_quiz(course, ada, [True, False], at(2026, 3, 1, 9))
    odd = attempt.answers.get(question=course.questions[0])
    snapshot = {k: v for k, v in odd.snapshot.items() if k != "objectives"}
    if objectives is not None:
        snapshot["objectives"] = objectives
    Answer.objects.filter(pk=odd.pk).update(snapshot=snapshot)

    mastery = _row(cohort, ada).mastery

    assert {pk: (m.correct, m.total) for pk, m in mastery.items()} == {
        course.objectives[1].pk: (0, 1)
    }
