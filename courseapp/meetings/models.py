"""Who came to each session, and each person's private calendar feed."""

import secrets

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Attendance(models.Model):
    """A facilitator's record of whether one fellow came to one session. One row per fellow and
    session; no row means nobody recorded it yet."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        EXCUSED = "excused", "Excused"

    session = models.ForeignKey(
        "courseapp.Session", on_delete=models.PROTECT, related_name="attendance"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(max_length=16, choices=Status.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "attendance"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], name="attendance_one_per_session_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.status} at session {self.session_id}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret in a person's private calendar URL. Resetting it gives a new one, and the old
    URL stops working at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
