"""Writes made from the facilitator pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from courseapp.models import Attendance, Cohort, Enrollment, Session
from courseapp.platform import pagecache
from courseapp.reminders.services import written_review_notify
from courseapp.week.selectors import facilitates
from quizzes.models import Answer, Question

from .selectors import on_the_register

REVIEW_COMMENT_MAX = 5_000


@transaction.atomic
def written_answer_review(
    *, reviewer: User, cohort: Cohort, answer: Answer, meets: bool, comment: str
) -> Answer:
    """Record (or change) a facilitator's verdict and comment on a fellow's written answer.

    The verdict becomes the answer's correctness, so it counts toward the objective's mastery.
    The answer row is locked: of two facilitators reviewing at once, one is first, and only the
    first review emails the fellow (once, however often the review is edited later).
    """
    if not facilitates(user=reviewer, cohort=cohort):
        raise PermissionDenied("Only this cohort's facilitators can review its answers.")
    locked = (
        Answer.objects.select_for_update(of=("self",)).select_related("attempt").get(pk=answer.pk)
    )
    if locked.kind != Question.Kind.WRITTEN or locked.attempt.is_open or not locked.written_text:
        raise ValidationError("Only written answers of a submitted attempt can be reviewed.")
    first = locked.reviewed_at is None
    locked.is_correct = meets
    locked.review_comment = comment.strip()
    locked.reviewed_by = reviewer
    locked.reviewed_at = timezone.now()
    locked.full_clean()
    locked.save(update_fields=["is_correct", "review_comment", "reviewed_by", "reviewed_at"])
    pagecache.person_changed([locked.attempt.user_id])
    if first:
        _notify(locked, cohort=cohort, reviewer=reviewer)
    return locked


def _notify(answer: Answer, *, cohort: Cohort, reviewer: User) -> None:
    enrollment = (
        Enrollment.objects.filter(cohort=cohort, user_id=answer.attempt.user_id)
        .select_related("user", "cohort__course")
        .first()
    )
    if enrollment is None:
        return
    unit = answer.question.quiz.unit
    payload = {
        "answer_id": answer.pk,
        "attempt_id": answer.attempt_id,
        "question_number": answer.position + 1,
        "week": unit.week,
        "unit_title": unit.title,
        "cohort_name": cohort.name,
    }
    written_review_notify(enrollment=enrollment, reviewer=reviewer, payload=payload)


# --- Attendance ---------------------------------------------------------------------------------


def _attendance_check(*, facilitator: User, session: Session, choices: dict[int, str]) -> None:
    """Raise unless this person may record these marks at this session: they facilitate its
    cohort, it has started, every status is known and every person is one of its fellows who
    has not dropped out."""
    if not facilitates(user=facilitator, cohort=session.cohort):
        raise PermissionDenied("Only this cohort's facilitators can take its attendance.")
    if session.starts_at > timezone.now():
        raise ValidationError("This session has not started yet: take attendance once it has.")
    if any(status not in Attendance.Status.values for status in choices.values()):
        raise ValidationError("Choose present, absent or excused.")
    fellows = on_the_register(cohort_id=session.cohort_id).filter(user_id__in=list(choices))
    if fellows.count() != len(choices):
        raise ValidationError("Attendance can only be taken for this cohort's fellows.")


def _attendance_save(*, facilitator: User, session: Session, user_id: int, status: str) -> bool:
    """Write one mark unless it is already so (a second click, or a form saved twice, leaves
    no new row in the history). True if it changed."""
    current = (
        Attendance.objects.select_for_update().filter(session=session, user_id=user_id).first()
    )
    if current is not None and current.status == status:
        return False
    # update_or_create creates in a savepoint and reads the row back if a concurrent request
    # created it first (the unique constraint), so two first clicks make one row.
    Attendance.objects.update_or_create(
        session=session,
        user_id=user_id,
        defaults={"status": status, "recorded_by": facilitator},
    )
    return True


@transaction.atomic
def attendance_record(
    *, facilitator: User, session: Session, user: User, status: str
) -> Attendance:
    """Record (or change) whether one fellow came to one session."""
    _attendance_check(facilitator=facilitator, session=session, choices={user.pk: status})
    _attendance_save(facilitator=facilitator, session=session, user_id=user.pk, status=status)
    return Attendance.objects.get(session=session, user=user)


@transaction.atomic
def attendance_sheet_record(
    *,
    facilitator: User,
    session: Session,
    choices: dict[int, str],
    rest_present: bool = False,
) -> int:
    """Save a session's register: the marks chosen (user id -> status), and with
    `rest_present` every fellow still unrecorded as present. All or nothing: one bad mark
    saves none. Returns how many marks changed."""
    _attendance_check(facilitator=facilitator, session=session, choices=choices)
    changed = sum(
        _attendance_save(facilitator=facilitator, session=session, user_id=pk, status=status)
        for pk, status in choices.items()
    )
    if rest_present:
        changed += _mark_unrecorded_present(facilitator=facilitator, session=session)
    return changed


def _mark_unrecorded_present(*, facilitator: User, session: Session) -> int:
    recorded = Attendance.objects.filter(session=session).values("user_id")
    missing = list(
        on_the_register(cohort_id=session.cohort_id)
        .exclude(user_id__in=recorded)
        .values_list("user_id", flat=True)
    )
    # A mark someone records meanwhile wins (ignore_conflicts): this only fills gaps.
    rows = [
        Attendance(
            session=session,
            user_id=pk,
            status=Attendance.Status.PRESENT,
            recorded_by=facilitator,
        )
        for pk in missing
    ]
    bulk_create_with_history(rows, Attendance, ignore_conflicts=True, default_user=facilitator)
    pagecache.person_changed(missing)  # bulk_create sends no signals
    return len(missing)
