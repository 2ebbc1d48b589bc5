"""50 requests at once from one fellow, in threads against the real Postgres: marking the same
reading read, starting the quiz and submitting the same attempt. However they interleave, the
fellow ends with one progress row and one graded attempt, within the quiz's attempt limit, and
no request fails."""

import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from courseapp.models import Cohort, Reading, ReadingProgress
from quizzes import services as quiz_services
from quizzes.models import Answer, Attempt
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort
from tests.quizzes.factories import QuizFactory, choice_ids, question_with_choices

pytestmark = pytest.mark.django_db(transaction=True)
REQUESTS = 50


def _burst(cookie: str, requests: list[tuple[str, dict]]) -> list[int]:
    """POST every (url, data) from its own thread, all released at once; the statuses."""
    start = threading.Barrier(len(requests), timeout=30)
    statuses: list[int] = []

    def post(url: str, data: dict) -> None:
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = cookie
        try:
            start.wait()
            statuses.append(client.post(url, data).status_code)
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=post, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return statuses


def test_fifty_concurrent_marks_starts_and_submits_leave_a_consistent_state():
    course, [unit] = course_with_units(units=1)
    fellow = fellow_in(weekly_cohort(course, pacing=Cohort.Pacing.SELF_PACED))
    reading = unit.readings.filter(tier=Reading.Tier.CORE).first()
    quiz = QuizFactory(unit=unit, attempts_allowed=1)
    questions = [question_with_choices(quiz) for _ in range(3)]
    attempt = quiz_services.attempt_start(quiz=quiz, user=fellow)
    answers = {f"q{q.pk}": choice_ids(q, 0)[0] for q in questions}
    login = Client()
    login.force_login(fellow)
    cookie = login.cookies[settings.SESSION_COOKIE_NAME].value
    mark = (reverse("reading_mark", args=[reading.pk]), {"done": "1"})
    start = (reverse("quiz_start", args=[quiz.pk]), {})
    submit = (reverse("attempt_submit", args=[attempt.pk]), answers)
    requests = [mark] * 20 + [start] * 10 + [submit] * 20

    statuses = _burst(cookie, requests)

    assert len(statuses) == REQUESTS
    assert set(statuses) == {302}, statuses
    assert ReadingProgress.objects.filter(user=fellow, reading=reading).count() == 1
    [graded] = Attempt.objects.filter(user=fellow, quiz=quiz)
    assert graded.pk == attempt.pk and graded.submitted_at is not None
    assert (graded.score, graded.passed) == (100.0, True)
    assert Answer.objects.filter(attempt=graded, is_correct=True).count() == len(questions)
