"""What invalidates the per-person page cache (courseapp.platform.pagecache), model by model.

Every model of the course apps is in exactly one of the three lists below; a test fails when a
new model is in none, so adding one means deciding what it does to fellows' pages. Saves and
deletes go through these hooks; the few bulk writes (`bulk_create`, `QuerySet.update`) that
bypass them call `pagecache.person_changed` or `content_changed` themselves.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from accounts.models import User
from courseapp.models import (
    Attendance,
    Cohort,
    Course,
    Enrollment,
    LearningObjective,
    Reading,
    ReadingFeedback,
    ReadingLinkReport,
    ReadingProgress,
    Session,
    Unit,
    UnitFeedback,
)
from courseapp.platform import pagecache
from quizzes.models import Answer, Attempt, Choice, Question, Quiz

# Rows that belong to one person and show on that person's pages.
PERSONAL = (
    User,
    ReadingProgress,
    ReadingFeedback,
    ReadingLinkReport,
    UnitFeedback,
    Enrollment,
    Attendance,
    Attempt,
    Answer,
)
# Rows that every fellow of a course (or cohort) sees.
SHARED = (Course, Unit, LearningObjective, Reading, Cohort, Session, Quiz, Question, Choice)
# Rows no cached page shows (named by app label and model name, as some live in other apps).
UNSEEN = (
    "courseapp.invitation",
    "courseapp.calendarfeed",
    "courseapp.workerheartbeat",
    "courseapp.reminder",
    "accounts.notificationpreferences",
    "accounts.auditevent",
)


def _person_of(instance) -> int | None:
    if isinstance(instance, User):
        return instance.pk
    if isinstance(instance, Answer):
        attempt = Attempt.objects.filter(pk=instance.attempt_id)
        return attempt.values_list("user_id", flat=True).first()
    return instance.user_id


def person_row_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    if isinstance(instance, Answer) and kwargs.get("signal") is post_delete:
        # An answer is only deleted with its attempt, whose own hook counts.
        return
    pagecache.person_changed([_person_of(instance)])


def shared_row_changed(sender, raw: bool = False, **kwargs) -> None:
    if not raw:
        pagecache.content_changed()


def connect() -> None:
    for model in PERSONAL:
        uid = f"pagecache_person_{model._meta.label_lower}"
        post_save.connect(person_row_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(person_row_changed, sender=model, dispatch_uid=uid)
    for model in SHARED:
        uid = f"pagecache_shared_{model._meta.label_lower}"
        post_save.connect(shared_row_changed, sender=model, dispatch_uid=uid)
        post_delete.connect(shared_row_changed, sender=model, dispatch_uid=uid)
    m2m_changed.connect(
        shared_row_changed,
        sender=Question.objectives.through,
        dispatch_uid="pagecache_shared_question_objectives",
    )
