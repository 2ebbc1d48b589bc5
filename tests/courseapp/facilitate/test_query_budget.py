"""The cohort page, the CSV and My cohorts run the same number of queries for 10 fellows as
for 200, on a course of 12 units x 15 readings with quizzes, marks, attempts and feedback."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from courseapp.facilitate.selectors import cohort_dashboard
from courseapp.models import (
    Cohort,
    Enrollment,
    LearningObjective,
    Reading,
    ReadingProgress,
    UnitFeedback,
)
from quizzes.models import Answer, Attempt, Quiz
from tests.courseapp.weeks import course_with_units, facilitator_of
from tests.factories import CohortFactory
from tests.quizzes.factories import question_with_choices

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
PAGE_BUDGET = 12
TIERS = {Reading.Tier.CORE: 5, Reading.Tier.RECOMMENDED: 5, Reading.Tier.FURTHER: 5}


def _build(fellows: int):
    course, units = course_with_units(units=12, tiers=TIERS)
    questions = {}
    for unit in units:
        objectives = LearningObjective.objects.bulk_create(
            LearningObjective(unit=unit, text=f"Objective {n}", position=n) for n in range(4)
        )
        quiz = Quiz.objects.create(unit=unit)
        questions[unit.pk] = [question_with_choices(quiz, objectives=[o]) for o in objectives]
    start = timezone.localdate() - dt.timedelta(weeks=6)
    cohort = CohortFactory(course=course, start_date=start, pacing=Cohort.Pacing.WEEKLY)
    facilitator = facilitator_of(cohort)
    users = User.objects.bulk_create(
        User(email=f"fellow{n}@example.org", display_name=f"Fellow {n:03}") for n in range(fellows)
    )
    Enrollment.objects.bulk_create(
        Enrollment(
            cohort=cohort, user=u, status=Enrollment.Status.DEFERRED if n % 20 == 0 else "active"
        )
        for n, u in enumerate(users)
    )
    readings = list(Reading.objects.filter(unit__course=course))
    ReadingProgress.objects.bulk_create(
        ReadingProgress(user=u, reading=r)
        for n, u in enumerate(users)
        for r in readings[n % 5 :: 4]
    )
    _attempts(users, units[:6], questions)
    UnitFeedback.objects.bulk_create(
        UnitFeedback(user=u, unit=units[n % 6], cohort=cohort, rating=4, anonymous=n % 2 == 0)
        for n, u in enumerate(users)
    )
    return cohort, facilitator


def _attempts(users, units, questions):
    now = timezone.now()
    attempts = Attempt.objects.bulk_create(
        Attempt(quiz_id=unit.quiz.pk, user=u, number=1, submitted_at=now, score=75, passed=True)
        for u in users
        for unit in units
    )
    by_quiz = {unit.quiz.pk: questions[unit.pk] for unit in units}
    Answer.objects.bulk_create(
        Answer(
            attempt=a,
            question=q,
            position=i,
            snapshot={"kind": "single", "objectives": [o.pk for o in q.objectives.all()]},
            is_correct=(a.user_id + i) % 3 != 0,
            score=1.0,
            saved_at=now,
        )
        for a in attempts
        for i, q in enumerate(by_quiz[a.quiz_id])
    )


@pytest.mark.parametrize("fellows", [10, 200])
def test_the_cohort_page_runs_a_fixed_number_of_queries(
    client, fellows, django_assert_max_num_queries, django_assert_num_queries
):
    cohort, facilitator = _build(fellows)
    client.force_login(facilitator)

    with django_assert_num_queries(10):  # nine, and one for attendance
        cohort_dashboard(cohort=cohort)

    with django_assert_max_num_queries(PAGE_BUDGET):
        response = client.get(reverse("cohort_detail", args=[cohort.pk]))
    with django_assert_max_num_queries(PAGE_BUDGET):
        grid = client.get(
            reverse("cohort_detail", args=[cohort.pk]) + "?sort=progress",
            headers={"HX-Request": "true"},
        )
    with django_assert_max_num_queries(PAGE_BUDGET):
        csv = b"".join(client.get(reverse("cohort_export_csv", args=[cohort.pk])).streaming_content)
    with django_assert_max_num_queries(6):
        client.get(reverse("facilitate_home"))

    dashboard = response.context["dashboard"]
    assert len(dashboard.rows) + len(dashboard.others) == fellows
    assert len(dashboard.others) == len(range(0, fellows, 20))
    assert len(dashboard.columns) == 12
    assert grid.status_code == 200
    assert csv.count(b"\n") == fellows + 1
