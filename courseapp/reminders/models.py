from django.conf import settings
from django.db import models
from django.utils import timezone


class Reminder(models.Model):
    """One reason to email one person, recorded before it is sent (see courseapp/reminders).

    `key` is unique: the sweep inserts with ON CONFLICT DO NOTHING, so a reason found by two
    sweeps, two beat processes or a re-run is recorded once. The key holds the session's start
    time, so moving a session yields a new reminder and nothing else does.
    """

    class Kind(models.TextChoices):
        BEFORE_SESSION = "before_session", "Core readings before a session"
        QUIZ_AFTER_SESSION = "quiz_after_session", "Quiz after a session"
        INACTIVE = "inactive", "Where you left off"
        FACILITATOR_DIGEST = "facilitator_digest", "Facilitator digest before a session"
        NUDGE = "nudge", "Nudge from a facilitator"
        WRITTEN_REVIEW = "written_review", "Review of a written answer"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    # Indexed by reminder_recipient_status (recipient first); a second index on it alone cost
    # every sweep insert and served no query.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        db_index=False,
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who sent a nudge.",
        db_index=False,
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    cohort = models.ForeignKey(
        "courseapp.Cohort", on_delete=models.CASCADE, related_name="reminders"
    )
    session = models.ForeignKey(
        "courseapp.Session",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reminders",
    )
    # Unique through Meta.constraints: unique=True also builds a second (LIKE-pattern) index,
    # which no query used and every sweep insert paid for.
    key = models.CharField(max_length=255)
    payload = models.JSONField(default=dict, blank=True, help_text="What the email listed.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    send_after = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep's recovery scan: pending or stale claims, oldest first.
            models.Index(fields=["status", "send_after"], name="reminder_status_after"),
            models.Index(fields=["recipient", "status"], name="reminder_recipient_status"),
            models.Index(fields=["kind", "status"], name="reminder_kind_status"),
            # Only nudges have a sender: sweep rows (sender NULL) stay out of this index.
            models.Index(
                fields=["sender"], name="reminder_sender", condition=models.Q(sender__isnull=False)
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["key"], name="reminder_key_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient} ({self.get_status_display()})"
