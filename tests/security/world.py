"""Two cohorts of one course, with real content and activity, for the access-control matrix."""

from dataclasses import dataclass

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from accounts.models import User
from courseapp.models import (
    Cohort,
    Course,
    Enrollment,
    Invitation,
    Reading,
    ReadingFeedback,
    Reminder,
    Unit,
    UnitFeedback,
)
from courseapp.reminders.tokens import unsubscribe_token
from quizzes import services as quiz_services
from quizzes.models import Answer, Attempt, Question, Quiz
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in, weekly_cohort
from tests.factories import (
    CourseFactory,
    LearningObjectiveFactory,
    ReadingFactory,
    UnitFactory,
    UserFactory,
)
from tests.quizzes.factories import QuizFactory, question_with_choices


@dataclass
class World:
    course: Course
    other_course: Course
    unit: Unit
    other_unit: Unit
    reading: Reading
    hosted: Reading
    quiz: Quiz
    question: Question
    written: Question
    cohort_a: Cohort
    cohort_b: Cohort
    users: dict[str, User | None]
    attempts: dict[str, Attempt]
    open_attempts: dict[str, Attempt]
    # On a second quiz, so that submitting one leaves the other open attempts open.
    submit_attempts: dict[str, Attempt]
    invitations: dict[str, Invitation]
    unsubscribe: str
    unit_feedback: UnitFeedback
    reading_feedback: ReadingFeedback
    reminder: Reminder


def _attempt(quiz: Quiz, user: User, *, submit: bool) -> Attempt:
    attempt = quiz_services.attempt_start(quiz=quiz, user=user)
    return quiz_services.attempt_submit(attempt=attempt) if submit else attempt


def build_world() -> World:
    course, units = course_with_units(units=2)
    unit = units[0]
    reading = unit.readings.order_by("tier", "position").first()
    hosted = unit.readings.order_by("tier", "position").last()
    hosted.body = "<p>A hosted chapter.</p>"
    hosted.save()
    objective = LearningObjectiveFactory(unit=unit)
    quiz = QuizFactory(unit=unit, attempts_allowed=10)
    question = question_with_choices(quiz, objectives=[objective])
    written = question_with_choices(quiz, kind=Question.Kind.WRITTEN, objectives=[objective])
    quiz2 = QuizFactory(unit=units[1])
    question_with_choices(quiz2)
    other_course = CourseFactory()
    other_unit = UnitFactory(course=other_course)
    ReadingFactory(unit=other_unit)
    cohort_a = weekly_cohort(course, pacing=Cohort.Pacing.SELF_PACED, name="Cohort A")
    cohort_b = weekly_cohort(course, pacing=Cohort.Pacing.SELF_PACED, name="Cohort B")
    users: dict[str, User | None] = {
        "anonymous": None,
        "fellow_a": fellow_in(cohort_a),
        "fellow_b": fellow_in(cohort_b),
        "facilitator_a": facilitator_of(cohort_a),
        "facilitator_b": facilitator_of(cohort_b),
        "staff": UserFactory(is_staff=True, is_superuser=True),
        "staff_no_mfa": UserFactory(is_staff=True, is_superuser=True),
    }
    # Staff powers need an authenticator when REQUIRE_STAFF_MFA is on; staff_no_mfa has none.
    TOTP.activate(users["staff"], generate_totp_secret())
    fellows = {"a": users["fellow_a"], "b": users["fellow_b"]}
    attempts = {k: _attempt(quiz, user, submit=True) for k, user in fellows.items()}
    # Written answers with text, for the facilitators' review pages.
    Answer.objects.filter(attempt__in=attempts.values(), question=written).update(
        written_text="An answer to review."
    )
    open_attempts = {k: _attempt(quiz, user, submit=False) for k, user in fellows.items()}
    submit_attempts = {k: _attempt(quiz2, user, submit=False) for k, user in fellows.items()}
    expires = timezone.now() + timezone.timedelta(days=7)
    invitations = {
        k: Invitation.objects.create(
            cohort=cohort, email=f"new-{k}@example.org", token=f"token-{k}", expires_at=expires
        )
        for k, cohort in (("a", cohort_a), ("b", cohort_b))
    }
    unit_feedback = UnitFeedback.objects.create(
        user=users["fellow_a"], unit=unit, cohort=cohort_a, rating=4, what_worked="Readings"
    )
    reading_feedback = ReadingFeedback.objects.create(
        user=users["fellow_a"], reading=reading, useful=True, comment="Clear"
    )
    reminder = Reminder.objects.create(
        recipient=users["fellow_a"], kind=Reminder.Kind.NUDGE, cohort=cohort_a, key="matrix-1"
    )
    token = unsubscribe_token(user_id=users["fellow_a"].pk, kinds=["nudge"])
    return World(
        course=course,
        other_course=other_course,
        unit=unit,
        other_unit=other_unit,
        reading=reading,
        hosted=hosted,
        quiz=quiz,
        question=question,
        written=written,
        cohort_a=cohort_a,
        cohort_b=cohort_b,
        users=users,
        attempts=attempts,
        open_attempts=open_attempts,
        submit_attempts=submit_attempts,
        invitations=invitations,
        unsubscribe=token,
        unit_feedback=unit_feedback,
        reading_feedback=reading_feedback,
        reminder=reminder,
    )


def enrollment(world: World, role: str) -> Enrollment:
    return Enrollment.objects.get(user=world.users[role])
