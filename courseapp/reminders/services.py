"""Recording reminders and sending each exactly once.

How "exactly once" holds:
- Every reason to email someone is a Reminder row under a unique key, inserted with
  INSERT ... ON CONFLICT DO NOTHING, so concurrent sweeps, two beat processes and re-runs record
  it once.
- A send first claims its rows in one short transaction (locks, then status 'sending' with
  claimed_at): a second task for the same rows waits for that transaction, then finds them
  claimed and sends nothing.
- A claim older than REMINDER_CLAIM_LEASE_SECONDS is taken to be from a dead worker; the next
  sweep re-queues it and the next send may claim it again, so nothing is lost.
- SMTP errors release the claim (back to 'pending', with the error) and the task retries with
  backoff; the last retry marks the rows 'failed', shown in the admin, whose action retries them.

The remaining window: a worker that dies after the SMTP server accepted the message but before
the 'sent' UPDATE commits leaves a claim that expires, and the email goes out a second time.
No mail protocol closes that gap (SMTP has no idempotency key); keeping the 'sent' UPDATE right
after the send keeps it to milliseconds.

Merging: the sweep records one row per reason (so each reason keeps its own key) and merging
happens at send time: the send claims every due fellow reminder of the recipient at once
(before-session, quiz, where-you-left-off) and sends them as one email. Digests and nudges are
emails of their own.
"""

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import NotificationPreferences, User
from courseapp.models import Enrollment, Reminder
from courseapp.platform.queueing import enqueue_many_on_commit, enqueue_on_commit
from courseapp.week import selectors

from . import due
from .emails import reminder_message
from .window import in_window, next_window_start, recipient_zone, wants

logger = logging.getLogger(__name__)

Kind, Status = Reminder.Kind, Reminder.Status
MERGED = (Kind.BEFORE_SESSION, Kind.QUIZ_AFTER_SESSION, Kind.INACTIVE)
# Enough for the task to be queued after its row commits, before the sweep counts it as lost.
ENQUEUE_GRACE = timedelta(minutes=5)


def _lease() -> timedelta:
    return timedelta(seconds=settings.REMINDER_CLAIM_LEASE_SECONDS)


# Emails per broker message: one message per email cost a Redis round trip each (most of a
# 100,000-enrolment sweep); chunks this small still spread a sweep over every worker.
SEND_CHUNK = 100


def _enqueue(reminder_ids: list[int]) -> None:
    # With the broker down the rows stay pending; the next sweep's _recover queues them again.
    if len(reminder_ids) == 1:
        enqueue_on_commit("courseapp.reminders.tasks.reminder_send_task", reminder_ids[0])
    elif reminder_ids:
        chunks = [reminder_ids[i : i + SEND_CHUNK] for i in range(0, len(reminder_ids), SEND_CHUNK)]
        enqueue_many_on_commit(
            "courseapp.reminders.tasks.reminders_send_batch_task", [(c,) for c in chunks]
        )


def _one_task_per_email(rows: list[tuple[int, int, str]]) -> list[int]:
    """(pk, recipient_id, kind) rows -> the pks to queue: one per recipient for the merged
    kinds (the send picks up the rest), one per row for digests and nudges."""
    leads: dict[tuple, int] = {}
    for pk, recipient_id, kind in sorted(rows):
        group = (recipient_id,) if kind in MERGED else (recipient_id, pk)
        leads.setdefault(group, pk)
    return list(leads.values())


# --- Nudges -----------------------------------------------------------------------------------


class NudgeTooSoon(Exception):
    """This fellow was already nudged today (in their local time)."""


@transaction.atomic
def nudge_send(*, sender: User, enrollment: Enrollment) -> Reminder:
    """Record a facilitator's nudge to one fellow and queue it; at most one per fellow per local
    day. Sent in the fellow's daytime window (held until it opens). Someone who may not receive
    reminders (dropped, deferred, completed, inactive, unverified, nudges turned off) gets a
    row with status 'skipped' saying why, and no email."""
    cohort, recipient = enrollment.cohort, enrollment.user
    if not selectors.facilitates(user=sender, cohort=cohort):
        raise PermissionDenied("Only this cohort's facilitators can nudge its fellows.")
    now = timezone.now()
    zone = recipient_zone(user=recipient, cohort=cohort)
    key = f"{recipient.pk}:{Kind.NUDGE}:{cohort.pk}:{now.astimezone(zone).date().isoformat()}"
    if Reminder.objects.filter(key=key).exists():
        raise NudgeTooSoon(f"{recipient.name} was already nudged today.")
    refusal = due.refusal(enrollment=enrollment, kind=Kind.NUDGE)
    reminder = Reminder(
        recipient=recipient,
        sender=sender,
        kind=Kind.NUDGE,
        cohort=cohort,
        key=key,
        payload={"sender_name": sender.name, **due.left_off(enrollment=enrollment, now=now)},
        status=Status.SKIPPED if refusal else Status.PENDING,
        last_error=refusal,
        send_after=next_window_start(now=now, zone=zone),
    )
    # The key's uniqueness is the database's to enforce: a racing nudge is the IntegrityError below.
    reminder.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            reminder.save()
    except IntegrityError:
        raise NudgeTooSoon(f"{recipient.name} was already nudged today.") from None
    if not refusal and reminder.send_after <= now:
        _enqueue([reminder.pk])
    return reminder


# --- Reviews of written answers ------------------------------------------------------------------


def written_review_notify(*, enrollment: Enrollment, reviewer: User, payload: dict) -> Reminder:
    """Record the one email telling a fellow their written answer was reviewed, and queue it.

    Call in the review's transaction, on the first review only; the key (one per answer) makes
    a second call a no-op, so editing a review never sends again. Sent in the fellow's daytime
    window, or recorded as 'skipped' with the reason (preferences, left the cohort, ...)."""
    cohort, recipient = enrollment.cohort, enrollment.user
    key = f"{recipient.pk}:{Kind.WRITTEN_REVIEW}:{payload['answer_id']}"
    existing = Reminder.objects.filter(key=key).first()
    if existing:
        return existing
    now = timezone.now()
    refusal = due.refusal(enrollment=enrollment, kind=Kind.WRITTEN_REVIEW)
    reminder = Reminder(
        recipient=recipient,
        sender=reviewer,
        kind=Kind.WRITTEN_REVIEW,
        cohort=cohort,
        key=key,
        payload={"sender_name": reviewer.name, "course_title": cohort.course.title, **payload},
        status=Status.SKIPPED if refusal else Status.PENDING,
        last_error=refusal,
        send_after=next_window_start(now=now, zone=recipient_zone(user=recipient, cohort=cohort)),
    )
    reminder.full_clean(validate_unique=False, validate_constraints=False)
    reminder.save()
    if not refusal and reminder.send_after <= now:
        _enqueue([reminder.pk])
    return reminder


# --- Sending ----------------------------------------------------------------------------------


@transaction.atomic
def reminders_claim(*, reminder: Reminder) -> tuple[list[Reminder], datetime]:
    """Claim the rows one email will carry; [] when another worker holds or has sent them."""
    now = timezone.now()
    claimable = Q(status=Status.PENDING) | Q(status=Status.SENDING, claimed_at__lt=now - _lease())
    rows = Reminder.objects.filter(claimable, send_after__lte=now)
    if reminder.kind in MERGED:
        rows = rows.filter(recipient_id=reminder.recipient_id, kind__in=MERGED)
    else:
        rows = rows.filter(pk=reminder.pk)
    # Claims for one person take turns on their user row (FOR NO KEY UPDATE, which does not
    # block inserts that reference the user). So one claim takes every due row of the person
    # and sends one email, and a racing claim then finds them 'sending' and sends nothing; with
    # only row locks, two claims could each lock part of the rows and send two emails.
    User.objects.select_for_update(no_key=True).filter(pk=reminder.recipient_id).first()
    claimed = list(rows.select_for_update(of=("self",)).order_by("pk"))
    Reminder.objects.filter(pk__in=[r.pk for r in claimed]).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return claimed, now


def _finish(claimed: list[Reminder], claimed_at: datetime, **fields) -> int:
    # Only while the claim is still ours: a claim taken over after the lease is not touched.
    ids = [r.pk for r in claimed]
    return Reminder.objects.filter(pk__in=ids, status=Status.SENDING, claimed_at=claimed_at).update(
        **fields
    )


def _refusals(recipient: User, claimed: list[Reminder]) -> dict[int, str]:
    """Rows that must not be sent any more (left the cohort, unsubscribed since the sweep)."""
    if not recipient.is_active:
        return {r.pk: "The account is deactivated." for r in claimed}
    eligible = set(
        due.eligible_enrollments()
        .filter(user=recipient, cohort_id__in={r.cohort_id for r in claimed})
        .values_list("cohort_id", flat=True)
    )
    refusals = {}
    for r in claimed:
        if r.cohort_id not in eligible:
            refusals[r.pk] = "Not an active member of the cohort, or the email is unverified."
        elif not wants(recipient, r.kind):
            refusals[r.pk] = "Turned off in the person's notification preferences."
    return refusals


def reminder_send(*, reminder: Reminder, final_attempt: bool = False) -> int:
    """Send the email carrying this reminder (merged with the recipient's other due ones).

    Returns how many reminders the email carried (0: nothing to send). SMTP and network errors
    release the claim and propagate for the task to retry; on the final attempt they mark the
    rows failed instead. Deliberately not one transaction: the claim commits before the SMTP
    conversation starts, so other workers see it, and no transaction stays open during it.
    """
    claimed, claimed_at = reminders_claim(reminder=reminder)
    if not claimed:
        return 0
    recipient = User.objects.select_related("notification_preferences").get(
        pk=claimed[0].recipient_id
    )
    refusals = _refusals(recipient, claimed)
    for pk, why in refusals.items():
        _finish(
            [r for r in claimed if r.pk == pk], claimed_at, status=Status.SKIPPED, last_error=why
        )
    claimed = [r for r in claimed if r.pk not in refusals]
    if not claimed:
        return 0
    try:
        message = _message(recipient, claimed)
    except Exception as error:
        logger.exception("Reminder email could not be built")
        _finish(claimed, claimed_at, status=Status.FAILED, last_error=f"Could not build: {error!r}")
        return 0
    try:
        message.send()
    except (SMTPException, OSError) as error:
        status = Status.FAILED if final_attempt else Status.PENDING
        _finish(claimed, claimed_at, status=status, last_error=repr(error))
        if final_attempt:
            return 0
        raise
    _finish(claimed, claimed_at, status=Status.SENT, sent_at=timezone.now(), last_error="")
    return len(claimed)


def _message(recipient: User, claimed: list[Reminder]):
    reminders = list(
        Reminder.objects.filter(pk__in=[r.pk for r in claimed])
        .select_related("cohort__course", "session")
        .order_by("kind", "pk")
    )
    zone = recipient_zone(user=recipient, cohort=reminders[0].cohort)
    for reminder in reminders:
        if reminder.kind == Kind.FACILITATOR_DIGEST:
            reminder.payload = {**reminder.payload, **due.digest(reminder=reminder)}
            Reminder.objects.filter(pk=reminder.pk).update(payload=reminder.payload)
    return reminder_message(recipient=recipient, reminders=reminders, zone=zone)


@transaction.atomic
def reminders_retry(*, reminders) -> int:
    """Put failed reminders back in the queue (the admin's retry action)."""
    ids = list(reminders.filter(status=Status.FAILED).values_list("pk", flat=True))
    Reminder.objects.filter(pk__in=ids).update(
        status=Status.PENDING, claimed_at=None, send_after=timezone.now()
    )
    _enqueue(ids)
    return len(ids)


# --- The sweep --------------------------------------------------------------------------------


@dataclass
class SweepResult:
    batches: int = 0
    created: int = 0
    queued: int = 0
    recovered: int = 0


def reminders_sweep(*, now: datetime | None = None) -> SweepResult:
    """Record every reminder due now, inside each recipient's daytime window, and queue one
    send per email; then re-queue reminders whose send was lost (dead worker, lost task).

    Each batch of enrolments commits on its own, so locks on new keys are held briefly and a
    crash mid-sweep keeps what earlier batches recorded (the next sweep finds the rest).
    """
    now = now or timezone.now()
    result = SweepResult()
    plan = due.sweep_plan(now=now)
    for batch in due.enrollment_batches(cohort_ids=plan.cohort_ids):
        result.batches += 1
        with transaction.atomic():
            created = _record(due.due_in_batch(plan=plan, batch=batch), now=now)
            result.created += len(created)
            leads = _one_task_per_email(created)
            _enqueue(leads)
            result.queued += len(leads)
    result.recovered = _recover(now=now)
    return result


def _record(found: list[due.Due], *, now: datetime) -> list[tuple[int, int, str]]:
    """Insert the reminders not recorded yet; (pk, recipient_id, kind) of the rows inserted."""
    if not found:
        return []
    if connection.vendor == "postgresql":
        return _insert_returning(found, now=now)
    return _insert_then_select(found, now=now)


# The batch goes as one JSON document that PostgreSQL turns into rows: with bulk_create the
# client built and quoted 14 arrays of 1,000 values (the payloads escaped character by
# character), which cost three times the insert itself. RETURNING names the rows this statement
# inserted, which ON CONFLICT DO NOTHING leaves out when another sweep recorded them first.
# Sorted keys: two sweeps inserting the same keys take their locks in the same order.
_INSERT_RETURNING = f"""
INSERT INTO {Reminder._meta.db_table} (
    recipient_id, kind, cohort_id, session_id, key, payload,
    status, attempts, last_error, send_after, created_at
)
SELECT r.recipient_id, r.kind, r.cohort_id, r.session_id, r.key, r.payload, %s, 0, '', %s, %s
FROM jsonb_to_recordset(%s::jsonb) AS r (
    recipient_id bigint, kind text, cohort_id bigint, session_id bigint, key text, payload jsonb
)
ORDER BY r.key
ON CONFLICT DO NOTHING
RETURNING id, recipient_id, kind
"""


def _insert_returning(found: list[due.Due], *, now: datetime) -> list[tuple[int, int, str]]:
    rows = json.dumps([vars(d) for d in found])
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_RETURNING, [Status.PENDING, now, now, rows])
        return cursor.fetchall()


def _insert_then_select(found: list[due.Due], *, now: datetime) -> list[tuple[int, int, str]]:
    """The portable path, for SQLite (the embedded default). ON CONFLICT DO NOTHING returns no
    ids, so the rows inserted are found by this sweep's time: a sweep recording the same keys
    at the very same moment would find the other's rows too. PostgreSQL, where two beat
    processes' sweeps can race, takes the RETURNING path, which names only its own rows."""
    rows = sorted(
        (
            Reminder(
                recipient_id=d.recipient_id,
                kind=d.kind,
                cohort_id=d.cohort_id,
                session_id=d.session_id,
                key=d.key,
                payload=d.payload,
                send_after=now,
                created_at=now,
            )
            for d in found
        ),
        key=lambda r: r.key,
    )
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    inserted = Reminder.objects.filter(created_at=now, key__in=[r.key for r in rows])
    return list(inserted.values_list("pk", "recipient_id", "kind"))


@transaction.atomic
def _recover(*, now: datetime) -> int:
    """Re-queue pending rows nobody queued or whose worker died, in the recipient's window."""
    stale = now - _lease()
    lost = (
        Q(status=Status.PENDING, send_after__lte=now)
        & (Q(claimed_at=None, created_at__lt=now - ENQUEUE_GRACE) | Q(claimed_at__lt=stale))
    ) | Q(status=Status.SENDING, claimed_at__lt=stale)
    rows = (
        Reminder.objects.filter(lost)
        .select_related("recipient", "cohort")
        .only("pk", "kind", "recipient", "recipient__timezone", "cohort", "cohort__timezone")
        .order_by("pk")[: settings.REMINDER_BATCH_SIZE]
    )
    ready = [
        (r.pk, r.recipient_id, r.kind)
        for r in rows
        if in_window(now=now, zone=recipient_zone(user=r.recipient, cohort=r.cohort))
    ]
    leads = _one_task_per_email(ready)
    _enqueue(leads)
    return len(leads)


# --- Preferences ------------------------------------------------------------------------------


@transaction.atomic
def preferences_update(*, user: User, wanted: dict[str, bool]) -> NotificationPreferences:
    preferences, _ = NotificationPreferences.objects.select_for_update().get_or_create(user=user)
    for kind in NotificationPreferences.KINDS:
        if kind in wanted:
            setattr(preferences, kind, bool(wanted[kind]))
    preferences.full_clean()
    preferences.save()
    return preferences


def unsubscribe(*, user: User, kinds: list[str]) -> NotificationPreferences:
    return preferences_update(user=user, wanted=dict.fromkeys(kinds, False))
