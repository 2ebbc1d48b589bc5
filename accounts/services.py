"""Data rights: a person's data export and account deletion ("retirement"), with an audit log.

What deletion removes and what it keeps (documented in SECURITY.md):
- Removed: email (replaced by a random deleted-<token>@invalid), display name, time zone, password
  (unusable), allauth email addresses, MFA authenticators and social accounts, notification
  preferences, their private calendar feed address, the payload of reminders sent to them, the
  free text of their NAMED feedback (unit comments and reading comments), their email on
  invitations, their name in admin logs.
- Kept, attached to the retired account for aggregates: reading progress, attendance, quiz
  attempts and answers, unit ratings and reading votes. Named unit feedback keeps its rating and
  becomes anonymous; anonymous feedback is kept whole (it was never tied to them for anyone
  reading it).
- Enrolments are set to "dropped", so facilitator pages move them out of the cohort's list and
  the reminder sweep never considers them again; the account is inactive and its sessions end
  (the password hash changes, which invalidates every session's auth hash).
"""

import secrets
from datetime import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from courseapp.models import (
    Attendance,
    CalendarFeed,
    Enrollment,
    Invitation,
    ReadingFeedback,
    ReadingLinkReport,
    ReadingProgress,
    Reminder,
    UnitFeedback,
)
from quizzes.models import Answer, Attempt

from .models import RETIRED_NAME, AuditEvent, NotificationPreferences, User

EXPORT_FORMAT_VERSION = 1


def email_hash(email: str) -> str:
    """Keyed hash of an address: stable for the same SECRET_KEY, useless without it."""
    return salted_hmac("accounts.retire", email.strip().lower(), algorithm="sha256").hexdigest()


def audit_record(*, actor: User | None, action: str, subject: User, **details) -> AuditEvent:
    """One INSERT (no transaction needed); the actor is the signed-in user, so its foreign key
    is not checked again by a query."""
    event = AuditEvent(
        actor=actor, action=action, subject_hash=email_hash(subject.email), details=details
    )
    event.full_clean(exclude=["actor"])
    event.save()
    return event


# --- Export -------------------------------------------------------------------------------------


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _profile(user: User) -> dict:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "timezone": user.timezone,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "email_addresses": [
            {"email": a.email, "primary": a.primary, "verified": a.verified}
            for a in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "two_factor_methods": [
            {
                "type": a.type,
                "created_at": _when(a.created_at),
                "last_used_at": _when(a.last_used_at),
            }
            for a in Authenticator.objects.filter(user=user).order_by("pk")
        ],
        "social_accounts": [
            {"provider": s.provider, "uid": s.uid, "date_joined": _when(s.date_joined)}
            for s in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
    }


def _enrollments(user: User) -> list[dict]:
    rows = Enrollment.objects.filter(user=user).select_related("cohort__course").order_by("pk")
    return [
        {
            "course": e.cohort.course.title,
            "cohort": e.cohort.name,
            "role": e.role,
            "status": e.status,
            "joined_at": _when(e.created_at),
        }
        for e in rows
    ]


def _progress(user: User) -> list[dict]:
    rows = ReadingProgress.objects.filter(user=user).select_related("reading__unit")
    return [
        {
            "reading": p.reading.title,
            "reading_id": p.reading_id,
            "week": p.reading.unit.week,
            "completed_at": _when(p.completed_at),
        }
        for p in rows.order_by("completed_at", "pk")
    ]


def _link_reports(user: User) -> list[dict]:
    rows = ReadingLinkReport.objects.filter(user=user).select_related("reading")
    return [
        {"reading": r.reading.title, "reading_id": r.reading_id, "reported_at": _when(r.created)}
        for r in rows.order_by("created", "pk")
    ]


def _answer(answer: Answer) -> dict:
    snapshot = answer.snapshot
    picked = set(answer.selected_choice_ids)
    return {
        "question": snapshot.get("prompt", ""),
        "kind": snapshot.get("kind", ""),
        "selected": [c["text"] for c in snapshot.get("choices", []) if c["id"] in picked],
        "written_text": answer.written_text,
        "self_rating": answer.self_rating,
        "is_correct": answer.is_correct,
        "score": answer.score,
        "saved_at": _when(answer.saved_at),
        "review_comment": answer.review_comment,
        "reviewed_at": _when(answer.reviewed_at),
    }


def _attempts(user: User) -> list[dict]:
    attempts = list(
        Attempt.objects.filter(user=user).select_related("quiz__unit").order_by("started_at", "pk")
    )
    answers: dict[int, list[dict]] = {a.pk: [] for a in attempts}
    for answer in Answer.objects.filter(attempt__in=attempts).order_by("attempt", "position"):
        answers[answer.attempt_id].append(_answer(answer))
    return [
        {
            "quiz": a.quiz.display_title,
            "number": a.number,
            "started_at": _when(a.started_at),
            "submitted_at": _when(a.submitted_at),
            "score_percent": a.score,
            "passed": a.passed,
            "answers": answers[a.pk],
        }
        for a in attempts
    ]


def _feedback(user: User) -> tuple[list[dict], list[dict]]:
    units = UnitFeedback.objects.filter(user=user).select_related("unit").order_by("pk")
    readings = ReadingFeedback.objects.filter(user=user).select_related("reading").order_by("pk")
    return (
        [
            {
                "unit": str(f.unit),
                "rating": f.rating,
                "what_worked": f.what_worked,
                "what_to_change": f.what_to_change,
                "anonymous": f.anonymous,
                "updated_at": _when(f.updated_at),
            }
            for f in units
        ],
        [
            {
                "reading": f.reading.title,
                "useful": f.useful,
                "comment": f.comment,
                "updated_at": _when(f.updated_at),
            }
            for f in readings
        ],
    )


def _preferences(user: User) -> dict:
    found = NotificationPreferences.objects.filter(user=user).first()
    # No row means every kind is on (see NotificationPreferences).
    return {kind: found.wants(kind) if found else True for kind in NotificationPreferences.KINDS}


def _reminders(user: User) -> list[dict]:
    rows = Reminder.objects.filter(recipient=user).select_related("cohort").order_by("pk")
    return [
        {
            "kind": r.kind,
            "cohort": r.cohort.name,
            "status": r.status,
            "created_at": _when(r.created_at),
            "sent_at": _when(r.sent_at),
            "payload": r.payload,
        }
        for r in rows
    ]


def _attendance(user: User) -> list[dict]:
    rows = (
        Attendance.objects.filter(user=user)
        .select_related("session__cohort", "session__unit")
        .order_by("session__starts_at", "pk")
    )
    return [
        {
            "cohort": a.session.cohort.name,
            "week": a.session.unit.week,
            "session_starts_at": _when(a.session.starts_at),
            "status": a.status,
            "recorded_at": _when(a.recorded_at),
        }
        for a in rows
    ]


def _calendar_feed(user: User) -> dict | None:
    # That the address exists and when it was made; the address itself is a secret.
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None:
        return None
    return {"created_at": _when(feed.created_at), "last_fetched_at": _when(feed.last_fetched_at)}


def user_data_export(*, user: User) -> dict:
    """Everything the platform holds about this person, as JSON-ready data. Fifteen queries
    whatever the amount of data (one per kind of record, answers in one query for all attempts).

    Their anonymous feedback is included: it is anonymous to others, not to its author.
    Secrets are not: no password hash, MFA keys, social login tokens or calendar feed address.
    """
    unit_feedback, reading_feedback = _feedback(user)
    return {
        "format": "fellowship-data-export",
        "version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "profile": _profile(user),
        "enrollments": _enrollments(user),
        "reading_progress": _progress(user),
        "quiz_attempts": _attempts(user),
        "unit_feedback": unit_feedback,
        "reading_feedback": reading_feedback,
        "broken_link_reports": _link_reports(user),
        "attendance": _attendance(user),
        "calendar_feed": _calendar_feed(user),
        "notification_preferences": _preferences(user),
        "reminders": _reminders(user),
        "invitations": [
            {"cohort": i.cohort.name, "role": i.role, "created_at": _when(i.created_at)}
            for i in Invitation.objects.filter(email__iexact=user.email).select_related("cohort")
        ],
    }


# --- Retirement ---------------------------------------------------------------------------------


def _scrub_feedback(user: User) -> dict[str, int]:
    named = UnitFeedback.objects.filter(user=user, anonymous=False).update(
        what_worked="", what_to_change="", anonymous=True
    )
    comments = ReadingFeedback.objects.filter(user=user).exclude(comment="").update(comment="")
    return {"named_unit_feedback_anonymised": named, "reading_comments_removed": comments}


def _scrub_links(user: User, *, old_email: str, now: datetime) -> None:
    Invitation.objects.filter(email__iexact=old_email, accepted_at=None).update(expires_at=now)
    Invitation.objects.filter(email__iexact=old_email).update(email=user.email)
    Reminder.objects.filter(
        recipient=user, status__in=[Reminder.Status.PENDING, Reminder.Status.SENDING]
    ).update(status=Reminder.Status.SKIPPED, last_error="The account was deleted.")
    Reminder.objects.filter(recipient=user).update(payload={})
    Enrollment.objects.filter(user=user).update(status=Enrollment.Status.DROPPED, updated_at=now)
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    NotificationPreferences.objects.filter(user=user).delete()
    CalendarFeed.objects.filter(user=user).delete()
    # Admin history names objects by their str(), which for users and enrolments is the name.
    _rename_log_entries(User, [user.pk])
    _rename_log_entries(Enrollment, list(user.enrollments.values_list("pk", flat=True)))


def _rename_log_entries(model, pks: list[int]) -> None:
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=[str(p) for p in pks]
    ).update(object_repr=RETIRED_NAME)


def _unlink_own_audit_events(user: User, *, old_email: str) -> None:
    """What the person did about themselves (their exports) stays in the log as done "by self",
    without pointing at the retired account: otherwise searching the log for their address would
    lead to it, and to the anonymous feedback kept with it. What they did as staff about others
    keeps them as its actor."""
    addresses = {old_email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    own = {email_hash(address) for address in addresses}
    events = list(AuditEvent.objects.filter(actor=user, subject_hash__in=own))
    for event in events:
        event.actor, event.details = None, {**event.details, "by": "self"}
    AuditEvent.objects.bulk_update(events, ["actor", "details"])


@transaction.atomic
def user_retire(*, user: User, actor: User | None) -> AuditEvent:
    """Delete a person's account: remove their personal data, keep aggregates (see the module
    docstring). Raises ValidationError if the account was already deleted."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.retired_at:
        raise ValidationError("This account was already deleted.")
    now, old_email = timezone.now(), user.email
    subject = email_hash(old_email)
    # Random, never derived from the address: the audit log's search hashes a typed address,
    # and that hash must lead to the audit events only, not to the retired account.
    user.email = f"deleted-{secrets.token_hex(12)}@invalid"
    user.display_name = user.timezone = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.retired_at = now
    user.set_unusable_password()
    # The address is deliberately not deliverable (the bare reserved name "invalid"), which the
    # email validator rightly refuses; every other field is still checked.
    user.full_clean(exclude=["email"])
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    by_self = actor is not None and actor.pk == user.pk
    _unlink_own_audit_events(user, old_email=old_email)
    _scrub_links(user, old_email=old_email, now=now)
    details = _scrub_feedback(user)
    details["by"] = "self" if by_self else "admin"
    event = AuditEvent(
        actor=None if by_self else actor,
        action=AuditEvent.Action.RETIRE,
        subject_hash=subject,
        details=details,
    )
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def profile_update(*, user: User, display_name: str, timezone: str) -> User:
    user.display_name = display_name.strip()
    user.timezone = timezone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "timezone"])
    return user
