from django.conf import settings
from django.db import models


class LinkStatus(models.TextChoices):
    """What the last link check found for a reading's URL ('' until it is checked)."""

    OK = "ok", "OK"
    REDIRECTED = "redirected", "Redirected"
    BROKEN = "broken", "Broken"
    MISSING = "missing", "Missing"


class ReadingLinkReport(models.Model):
    """A fellow said a reading's link is broken. One per fellow and reading, so the count on
    the reading is the number of fellows who reported it, however often they click."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="link_reports"
    )
    reading = models.ForeignKey(
        "courseapp.Reading", on_delete=models.CASCADE, related_name="link_report_rows"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "reading"], name="link_report_one_per_user_reading"
            )
        ]

    def __str__(self) -> str:
        return f"Broken link reported on {self.reading_id}"
