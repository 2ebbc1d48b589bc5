"""One rounding rule for scores and mastery: 1 right of 8 is 12.5%, shown as 13% on the fellow's
result and quiz pages, the facilitator's fellow page, the cohort grid and its CSV alike."""

import csv
import io

import pytest
from django.urls import reverse

from quizzes.grading import rounded_percent
from quizzes.models import Attempt
from tests.quizzes.factories import question_with_choices

from .conftest import at, enrol, take_quiz

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_halves_round_up():
    assert [rounded_percent(v) for v in (12.5, 18.5, 18.49, 18.75, 100 * 0.145, 0, 100)] == [
        13,
        19,
        18,
        19,
        15,
        0,
        100,
    ]


@pytest.fixture
def ada(cohort, course, sessions):
    """Ada gets 1 of the quiz's 8 questions right, all of them on objective 1."""
    first = course.objectives[0]
    course.questions[1].objectives.add(first)
    course.questions += [question_with_choices(course.quiz, objectives=[first]) for _ in range(6)]
    ada = enrol(cohort, "Ada Lovelace")
    take_quiz(course, ada, [True] + [False] * 7, at(2026, 3, 1, 9))
    return ada


def test_a_score_of_12_5_shows_as_13_percent_everywhere(client, cohort, course, ada, facilitator):
    attempt = Attempt.objects.get(user=ada)
    assert attempt.score == 12.5

    client.force_login(ada)
    result = client.get(reverse("attempt_result", args=[attempt.pk])).content.decode()
    assert '<strong class="score-figure">13%</strong>' in result
    assert "12%" not in result  # nor the objective's mastery, also 1 of 8
    quiz_page = client.get(reverse("quiz_detail", args=[course.quiz.pk])).content.decode()
    assert "<td>13%</td>" in quiz_page

    client.force_login(facilitator)
    fellow = client.get(reverse("cohort_fellow_detail", args=[cohort.pk, ada.pk]))
    assert "13%" in fellow.content.decode() and "12%" not in fellow.content.decode()
    grid = client.get(reverse("cohort_detail", args=[cohort.pk])).content.decode()
    assert "Quiz 13%" in grid and "12%" not in grid
    response = client.get(reverse("cohort_export_csv", args=[cohort.pk]))
    text = b"".join(response.streaming_content).decode()
    (row,) = csv.DictReader(io.StringIO(text))
    assert row["week_1_quiz_best_percent"] == "13"
