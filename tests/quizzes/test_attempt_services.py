import threading

import pytest
from django.db import connection

from quizzes import services
from quizzes.models import Attempt, Question
from quizzes.services import AnswerRejected, AttemptClosed, AttemptLimitReached, Pick
from tests.quizzes.factories import (
    QuizFactory,
    choice_ids,
    fellow_for,
    question_with_choices,
)


def test_it_resumes_the_open_attempt_instead_of_starting_another(quiz_setup):
    first = services.attempt_start(quiz=quiz_setup["quiz"], user=quiz_setup["fellow"])
    again = services.attempt_start(quiz=quiz_setup["quiz"], user=quiz_setup["fellow"])

    assert again.pk == first.pk
    assert first.answers.count() == 4


def test_it_refuses_an_attempt_beyond_the_limit(quiz_setup):
    quiz, fellow = quiz_setup["quiz"], quiz_setup["fellow"]
    quiz.attempts_allowed = 2
    quiz.save()
    for _ in range(2):
        services.attempt_submit(attempt=services.attempt_start(quiz=quiz, user=fellow))

    with pytest.raises(AttemptLimitReached):
        services.attempt_start(quiz=quiz, user=fellow)
    assert Attempt.objects.filter(quiz=quiz, user=fellow).count() == 2


def test_it_refuses_choices_of_another_question_or_quiz(quiz_setup):
    s = quiz_setup
    attempt = services.attempt_start(quiz=s["quiz"], user=s["fellow"])
    other_quiz_question = question_with_choices(QuizFactory())
    foreign = [
        choice_ids(s["multiple"], 0)[0],
        choice_ids(other_quiz_question, 0)[0],
    ]
    for choice_id in foreign:
        with pytest.raises(AnswerRejected):
            services.answers_save(attempt=attempt, picks={s["single"].pk: Pick([choice_id])})
    with pytest.raises(AnswerRejected):
        services.answers_save(
            attempt=attempt,
            picks={other_quiz_question.pk: Pick(choice_ids(other_quiz_question, 0))},
        )
    assert not attempt.answers.filter(saved_at__isnull=False).exists()


def test_it_refuses_two_picks_for_a_single_choice_question(quiz_setup):
    s = quiz_setup
    attempt = services.attempt_start(quiz=s["quiz"], user=s["fellow"])
    with pytest.raises(AnswerRejected):
        services.answers_save(
            attempt=attempt, picks={s["single"].pk: Pick(choice_ids(s["single"], 0, 1))}
        )


def test_it_refuses_answers_to_a_submitted_attempt(quiz_setup):
    s = quiz_setup
    attempt = services.attempt_submit(
        attempt=services.attempt_start(quiz=s["quiz"], user=s["fellow"])
    )
    with pytest.raises(AttemptClosed):
        services.answers_save(
            attempt=attempt, picks={s["single"].pk: Pick(choice_ids(s["single"], 0))}
        )


def test_a_second_submit_does_not_grade_again(quiz_setup):
    s = quiz_setup
    attempt = services.attempt_start(quiz=s["quiz"], user=s["fellow"])
    first = services.attempt_submit(
        attempt=attempt, picks={s["single"].pk: Pick(choice_ids(s["single"], 0))}
    )
    second = services.attempt_submit(
        attempt=attempt, picks={s["single"].pk: Pick(choice_ids(s["single"], 1))}
    )

    assert second.submitted_at == first.submitted_at
    assert second.score == first.score
    assert attempt.answers.get(question=s["single"]).selected_choice_ids == choice_ids(
        s["single"], 0
    )


def test_editing_a_question_later_does_not_change_a_past_attempt(quiz_setup):
    s = quiz_setup
    single, objectives = s["single"], s["objectives"]
    attempt = services.attempt_start(quiz=s["quiz"], user=s["fellow"])
    services.attempt_submit(attempt=attempt, picks={single.pk: Pick(choice_ids(single, 0))})
    old_prompt = single.prompt

    single.prompt = "A reworded prompt"
    single.save()
    single.objectives.set([objectives[2]])
    first, second = single.choices.order_by("position")[:2]
    first.is_correct, first.text = False, "Now wrong"
    second.is_correct = True
    first.save()
    second.save()

    answer = attempt.answers.get(question=single)
    assert answer.snapshot["prompt"] == old_prompt
    assert answer.snapshot["objectives"] == [objectives[0].pk]
    assert [c["is_correct"] for c in answer.snapshot["choices"]][:2] == [True, False]
    assert answer.is_correct is True


def test_archived_questions_are_left_out_of_new_attempts(quiz_setup):
    s = quiz_setup
    Question.objects.filter(pk=s["written"].pk).update(archived_at="2025-01-01T00:00Z")
    attempt = services.attempt_start(quiz=s["quiz"], user=s["fellow"])
    assert s["written"].pk not in attempt.answers.values_list("question_id", flat=True)


def test_it_shuffles_choices_into_the_snapshot_when_asked(quiz_setup):
    s = quiz_setup
    s["quiz"].shuffle_choices = True
    s["quiz"].save()
    attempt = services.attempt_start(quiz=s["quiz"], user=s["fellow"])
    answer = attempt.answers.get(question=s["multiple"])
    assert sorted(c["id"] for c in answer.snapshot["choices"]) == sorted(
        choice_ids(s["multiple"], 0, 1, 2, 3)
    )


def _run_in_threads(target, n):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        barrier.wait()
        try:
            results.append(target())
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_and_submits_never_exceed_the_attempt_limit():
    quiz = QuizFactory(attempts_allowed=2)
    question_with_choices(quiz)
    fellow = fellow_for(quiz.unit)

    def start_and_submit():
        for _ in range(3):
            attempt = services.attempt_start(quiz=quiz, user=fellow)
            services.attempt_submit(attempt=attempt)

    _results, errors = _run_in_threads(start_and_submit, 6)

    assert Attempt.objects.filter(quiz=quiz, user=fellow).count() == 2
    assert all(isinstance(error, AttemptLimitReached) for error in errors)
    assert len(errors) == 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_of_one_attempt_grade_it_once():
    quiz = QuizFactory()
    question = question_with_choices(quiz)
    fellow = fellow_for(quiz.unit)
    attempt = services.attempt_start(quiz=quiz, user=fellow)
    picks = {question.pk: Pick(choice_ids(question, 0))}

    results, errors = _run_in_threads(
        lambda: services.attempt_submit(attempt=attempt, picks=picks), 8
    )

    assert errors == []
    assert len({r.submitted_at for r in results}) == 1
    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed) == (100.0, True)
