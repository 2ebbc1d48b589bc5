"""Writes made from the facilitator pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from courseapp.models import Cohort, Enrollment
from courseapp.platform import pagecache
from courseapp.reminders.services import written_review_notify
from courseapp.week.selectors import facilitates
from quizzes.models import Answer, Question

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
