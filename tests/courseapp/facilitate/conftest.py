"""A London cohort on a fixed schedule, facilitators of it and of another cohort, and quiz
helpers that go through the real quiz services."""

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine

from courseapp.models import Cohort, Enrollment, Session
from quizzes import services as quiz_services
from quizzes.services import Pick
from tests.courseapp.weeks import course_with_units, facilitator_of
from tests.factories import CohortFactory, EnrollmentFactory, LearningObjectiveFactory, UserFactory
from tests.quizzes.factories import QuizFactory, choice_ids, question_with_choices

UTC = dt.UTC


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.fixture
def course(db):
    """Three units of 4 core, 2 recommended and 1 further reading; unit 1 has two objectives
    and a quiz of two questions, one per objective."""
    course, units = course_with_units(units=3, title="AI Safety Fundamentals")
    objectives = [LearningObjectiveFactory(unit=units[0], position=i) for i in range(2)]
    quiz = QuizFactory(unit=units[0])
    questions = [question_with_choices(quiz, objectives=[o]) for o in objectives]
    return SimpleNamespace(
        course=course, units=units, objectives=objectives, quiz=quiz, questions=questions
    )


@pytest.fixture
def cohort(course):
    """Weekly, Europe/London, sessions on Mondays 2, 9 and 16 March 2026 at 18:00 (GMT, so
    18:00 UTC); each unit opens a week before its session."""
    return CohortFactory(
        course=course.course,
        name="Cohort A",
        timezone="Europe/London",
        start_date=dt.date(2026, 3, 2),
        session_time=dt.time(18, 0),
        pacing=Cohort.Pacing.WEEKLY,
    )


@pytest.fixture
def sessions(cohort, course):
    by_unit = {s.unit_id: s for s in Session.objects.filter(cohort=cohort)}
    return [by_unit[unit.pk] for unit in course.units]


@pytest.fixture
def facilitator(cohort):
    return facilitator_of(cohort, display_name="Fran Facilitator")


@pytest.fixture
def other_facilitator(course):
    other = CohortFactory(course=course.course, name="Cohort B")
    return facilitator_of(other, display_name="Otto Other")


def enrol(cohort, name: str, **fields):
    user = UserFactory(display_name=name)
    EnrollmentFactory(cohort=cohort, user=user, role=Enrollment.Role.FELLOW, **fields)
    return user


def take_quiz(course, user, right: list[bool], when: dt.datetime):
    """Submit an attempt at unit 1's quiz at `when`, right or wrong per question."""
    with time_machine.travel(when, tick=False):
        attempt = quiz_services.attempt_start(quiz=course.quiz, user=user)
        picks = {
            q.pk: Pick(choice_ids(q, 0 if ok else 1))
            for q, ok in zip(course.questions, right, strict=True)
        }
        return quiz_services.attempt_submit(attempt=attempt, picks=picks)


def read(user, unit, count: int, when: dt.datetime, tier=1):
    """Mark the first `count` readings of a tier of the unit as read at `when`."""
    from courseapp.models import ReadingProgress

    readings = unit.readings.filter(tier=tier).order_by("position", "pk")[:count]
    ReadingProgress.objects.bulk_create(
        ReadingProgress(user=user, reading=r, completed_at=when) for r in readings
    )
