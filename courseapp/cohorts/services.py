import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from courseapp.models import Cohort, Enrollment, Invitation, Session
from courseapp.platform import pagecache
from courseapp.platform.queueing import enqueue_on_commit

# --- Cohorts: the weekly schedule -------------------------------------------------------------


def session_start(*, cohort: Cohort, week: int) -> datetime:
    """The cohort's session time on the given week, as an aware datetime in its timezone.

    Combining the local date and time with zoneinfo (rather than adding 7 days to a UTC instant)
    keeps the wall-clock time fixed across daylight-saving changes.
    """
    day = cohort.start_date + timedelta(weeks=week)
    return datetime.combine(day, cohort.session_time, tzinfo=ZoneInfo(cohort.timezone))


def _next_free_week(*, cohort: Cohort, starts: list[datetime]) -> int:
    if not starts:
        return 0
    zone = ZoneInfo(cohort.timezone)
    # Sessions moved by hand a day or two either way still count as their own week.
    weeks = [round((s.astimezone(zone).date() - cohort.start_date).days / 7) for s in starts]
    return max(weeks) + 1


@transaction.atomic
def cohort_schedule_sessions(*, cohort: Cohort) -> list[Session]:
    """Give every live, published unit of the course without a session one, in position order.

    Existing sessions never move: units added later take the weeks after the last session.
    """
    # The row lock serialises two unit saves scheduling the same cohort at once.
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    starts = dict(Session.objects.filter(cohort=cohort).values_list("unit_id", "starts_at"))
    units = (
        cohort.course.units.live()
        .filter(published=True)
        .exclude(pk__in=starts.keys())
        .order_by("position", "week", "pk")
    )
    first = _next_free_week(cohort=cohort, starts=list(starts.values()))
    created = []
    for offset, unit in enumerate(units):
        session = Session(
            cohort=cohort, unit=unit, starts_at=session_start(cohort=cohort, week=first + offset)
        )
        session.full_clean(exclude=["opens_at"])
        session.save()
        created.append(session)
    return created


def cohort_sessions_reopen(*, cohort: Cohort) -> int:
    """Recompute every session's opens_at from the cohort's current release lead."""
    pagecache.content_changed()
    return Session.objects.filter(cohort=cohort).update(
        opens_at=F("starts_at") - timedelta(hours=cohort.release_lead_hours)
    )


# --- Invitations ------------------------------------------------------------------------------

INVITATION_LIFETIME = timedelta(days=14)


class InviteOutcome(StrEnum):
    SENT = "sent"
    RESENT = "resent"
    ALREADY_ENROLLED = "already_enrolled"


@dataclass(frozen=True)
class InviteResult:
    email: str
    outcome: InviteOutcome
    invitation: Invitation | None = None

    @property
    def message(self) -> str:
        return {
            InviteOutcome.SENT: f"Invitation sent to {self.email}.",
            InviteOutcome.RESENT: f"{self.email} was already invited; the invitation was sent "
            "again and its expiry extended.",
            InviteOutcome.ALREADY_ENROLLED: f"{self.email} is already in this cohort; "
            "nothing was sent.",
        }[self.outcome]


# An invitation (re)queued less than this long ago is left to its own task by the sweep.
INVITATION_ENQUEUE_GRACE = timedelta(minutes=5)


def _invitation_queue_email(invitation: Invitation) -> None:
    # With the broker down the invitation is still saved and, its sent_at still empty,
    # invitations_requeue_unsent sends it later.
    enqueue_on_commit("courseapp.cohorts.tasks.invitation_send", invitation.pk)


@transaction.atomic
def invitation_create(
    *, cohort: Cohort, email: str, role: str, invited_by: User | None
) -> InviteResult:
    """Invite one person by email. Re-inviting an enrolled person sends nothing; re-inviting a
    pending invitee sends the same link again with a fresh expiry."""
    email = User.objects.normalize_email(email).strip().lower()
    validate_email(email)
    enrolled = Enrollment.objects.filter(cohort=cohort, user__email__iexact=email)
    if enrolled.exclude(status=Enrollment.Status.DROPPED).exists():
        return InviteResult(email, InviteOutcome.ALREADY_ENROLLED)
    expires_at = timezone.now() + INVITATION_LIFETIME
    pending = (
        Invitation.objects.select_for_update()
        .filter(cohort=cohort, email=email, accepted_at=None)
        .first()
    )
    if pending:
        pending.expires_at, pending.role, pending.sent_at = expires_at, role, None
        pending.full_clean()
        pending.save(update_fields=["expires_at", "role", "sent_at"])
        _invitation_queue_email(pending)
        return InviteResult(email, InviteOutcome.RESENT, pending)
    invitation = Invitation(
        cohort=cohort,
        email=email,
        role=role,
        invited_by=invited_by,
        token=secrets.token_urlsafe(32),
        expires_at=expires_at,
    )
    invitation.full_clean()
    invitation.save()
    _invitation_queue_email(invitation)
    return InviteResult(email, InviteOutcome.SENT, invitation)


def invitation_emails_parse(text: str) -> list[str]:
    """Emails from pasted text or a file: one per line or comma/semicolon separated.

    Raises ValidationError naming every bad entry with its line number.
    """
    emails, errors = [], []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        items = filter(
            None, (part.strip().strip("\"'").strip() for part in re.split(r"[,;\t]", line))
        )
        for item in items:
            if number == 1 and item.lower() in {"email", "e-mail", "email address"}:
                continue  # a CSV header
            try:
                validate_email(item)
            except ValidationError:
                errors.append(f"Line {number}: “{item}” is not an email address.")
            else:
                if item.lower() not in emails:
                    emails.append(item.lower())
    if errors:
        raise ValidationError(errors)
    if not emails:
        raise ValidationError("No email addresses found.")
    return emails


@transaction.atomic
def invitation_bulk_create(
    *, cohort: Cohort, text: str, role: str, invited_by: User | None
) -> list[InviteResult]:
    """Invite everyone in a pasted list; if any line is bad, nothing is created."""
    emails = invitation_emails_parse(text)
    return [
        invitation_create(cohort=cohort, email=email, role=role, invited_by=invited_by)
        for email in emails
    ]


def invitation_send_email(*, invitation: Invitation) -> None:
    context = {
        "invitation": invitation,
        "cohort": invitation.cohort,
        "course": invitation.cohort.course,
        "accept_url": settings.SITE_URL + reverse("invitation_accept", args=[invitation.token]),
        "SITE_NAME": "Fellowship",
    }
    subject = render_to_string("emails/invitation.subject", context).strip()
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("emails/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
    message.send()


def invitation_deliver(*, invitation_id: int) -> bool:
    """Send an invitation's email unless it went out already or was used; record when it went.

    False when there was nothing to send (gone, used, already sent by another task)."""
    invitation = (
        Invitation.objects.select_related("cohort__course", "invited_by")
        .filter(pk=invitation_id, accepted_at=None, sent_at=None)
        .first()
    )
    if invitation is None:
        return False
    invitation_send_email(invitation=invitation)
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True


def invitations_requeue_unsent(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Queue again the email of usable invitations that never went out (the broker was down
    when they were queued, or the task was lost). Returns the ids queued.

    expires_at is set to queue time + INVITATION_LIFETIME whenever an email is queued, so
    "queued more than the grace ago" reads as expires_at <= now + lifetime - grace.
    """
    now = now or timezone.now()
    ids = list(
        Invitation.objects.filter(
            sent_at=None,
            accepted_at=None,
            expires_at__gt=now,
            expires_at__lte=now + INVITATION_LIFETIME - INVITATION_ENQUEUE_GRACE,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        _invitation_queue_email(Invitation(pk=pk))
    return ids


class InvitationUnusable(Exception):
    """The invitation was already used or has expired; the message says which."""


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Enrollment:
    """Use an invitation once: enrol the person in the cohort with the invited role."""
    # The row lock makes two simultaneous accepts of one link use it exactly once.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationUnusable("This invitation has already been used.")
    if invitation.expires_at <= timezone.now():
        raise InvitationUnusable("This invitation has expired. Ask your course team for a new one.")
    if user.email.lower() != invitation.email.lower():
        raise InvitationUnusable(f"This invitation is for {invitation.email}.")
    enrollment, created = Enrollment.objects.get_or_create(
        cohort=invitation.cohort, user=user, defaults={"role": invitation.role}
    )
    if enrollment.status == Enrollment.Status.DROPPED:
        # Someone who dropped out and is invited back rejoins with the invited role.
        enrollment.status, enrollment.role = Enrollment.Status.ACTIVE, invitation.role
        enrollment.full_clean()
        enrollment.save(update_fields=["status", "role", "updated_at"])
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    EmailAddress.objects.update_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email, "verified": True}
    )
    return enrollment


@transaction.atomic
def invitation_accept_new_user(
    *, invitation: Invitation, password: str, display_name: str = ""
) -> tuple[User, Enrollment]:
    """Create the invitee's account (the emailed link proves the address) and accept."""
    user = User(email=invitation.email.lower(), display_name=display_name)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user, invitation_accept(invitation=invitation, user=user)
