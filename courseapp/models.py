from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.validators import (
    URLValidator,
)
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import validate_timezone

# The models of the feedback, links and reminders features live with them; they belong to this
# app (same tables, same migrations) and are importable from here as before.
from .feedback.models import (
    FEEDBACK_TEXT_MAX,
    READING_COMMENT_MAX,
    ReadingFeedback,
    UnitFeedback,
)
from .links.models import LinkStatus, ReadingLinkReport
from .meetings.models import Attendance, CalendarFeed
from .reminders.models import Reminder

# Meeting links are opened by fellows' browsers: web addresses only.
MEETING_URL = URLValidator(schemes=["http", "https"])


def web_only(url: str) -> str:
    """The URL if it is a web address (http or https), else "": what a page, an email or a
    calendar may offer as a link, whatever an older row or a write around the validators holds."""
    return url if urlsplit(url.strip()).scheme.lower() in ("http", "https") else ""


def meeting_link_field(help_text: str) -> models.URLField:
    return models.URLField(
        "meeting link", max_length=500, blank=True, validators=[MEETING_URL], help_text=help_text
    )


def meeting_place_field(help_text: str) -> models.CharField:
    return models.CharField("meeting place", max_length=300, blank=True, help_text=help_text)


LINK_HEALTH_FIELDS = [
    "link_status",
    "link_status_code",
    "link_error",
    "link_final_url",
    "link_checked_at",
    "link_reports",
]


class ArchivableQuerySet(models.QuerySet):
    def live(self):
        return self.filter(archived_at=None)


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    syllabus_format = models.JSONField(
        default=dict,
        blank=True,
        help_text="How the imported syllabus file was laid out, so export writes it back the same.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        permissions = [("edit_syllabus", "Can edit the syllabus: units, objectives, readings")]

    def __str__(self) -> str:
        return self.title


class Unit(models.Model):
    """One week of a course: overview, learning objectives and readings."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="units")
    week = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=500, blank=True)
    overview = models.TextField(blank=True)
    objectives_intro = models.CharField(
        max_length=500, blank=True, help_text="The lead-in line above the learning objectives."
    )
    position = models.PositiveIntegerField(default=0)
    published = models.BooleanField(default=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ArchivableQuerySet.as_manager()

    class Meta:
        ordering = ["course", "position", "week"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "week"],
                condition=Q(archived_at=None),
                name="unit_unique_live_week_per_course",
            )
        ]

    def __str__(self) -> str:
        return f"Week {self.week}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("unit_detail", args=[self.pk])


class LearningObjective(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="objectives")
    text = models.TextField()
    position = models.PositiveIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = ArchivableQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Reading(models.Model):
    class Tier(models.IntegerChoices):
        CORE = 1, "Core"
        RECOMMENDED = 2, "Recommended"
        FURTHER = 3, "Further"

    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        PAPER = "paper", "Paper"
        VIDEO = "video", "Video"
        PODCAST = "podcast", "Podcast"
        CHAPTER = "chapter", "Chapter"
        BOOK = "book", "Book"
        OTHER = "other", "Other"

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="readings")
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.CORE)
    title = models.CharField(max_length=500)
    authors = models.CharField(max_length=300, help_text="Authors or organisation, as written.")
    year = models.CharField(max_length=16, blank=True)
    # Only web links: a javascript: or data: URL in a link would run in the fellow's session.
    url = models.URLField(
        max_length=1000, blank=True, validators=[URLValidator(schemes=["http", "https"])]
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ARTICLE)
    kind_stated = models.BooleanField(
        default=False,
        help_text="On: the syllabus file named the kind, so its export names it too. "
        "Off: the kind was inferred from the title.",
    )
    minutes = models.PositiveSmallIntegerField(default=20, help_text="Estimated reading time.")
    minutes_estimated = models.BooleanField(
        default=True, help_text="On: estimated from the kind. Off: set by an editor."
    )
    note = models.TextField(blank=True, help_text="How to read this (optional).")
    body = models.TextField(blank=True, help_text="Sanitised HTML of a hosted reading.")
    meta = models.JSONField(default=dict, blank=True, help_text="Metadata of a hosted chapter.")
    position = models.PositiveIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Link health (courseapp/links): written by the link check and fellows' reports only.
    link_status = models.CharField(
        max_length=16, choices=LinkStatus.choices, blank=True, editable=False
    )
    link_status_code = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    link_error = models.CharField(max_length=300, blank=True, editable=False)
    link_final_url = models.URLField(max_length=1000, blank=True, editable=False)
    link_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    link_reports = models.PositiveIntegerField(
        default=0, editable=False, help_text="Fellows who reported the link as broken."
    )

    # The link check is not an edit: its fields stay out of the syllabus history.
    history = HistoricalRecords(excluded_fields=LINK_HEALTH_FIELDS)
    objects = ArchivableQuerySet.as_manager()

    class Meta:
        ordering = ["unit", "tier", "position", "pk"]
        indexes = [models.Index(fields=["unit", "tier", "position"], name="reading_unit_tier_pos")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_hosted(self) -> bool:
        # Lists of readings leave the chapter's HTML behind and say whether there is one
        # (selectors.unit_readings_for_fellow and reading_with_unit_progress set has_body).
        if "has_body" in self.__dict__:
            return self.has_body
        return bool(self.body)

    @property
    def attribution(self) -> str:
        return f"{self.authors}, {self.year}" if self.year else self.authors

    @property
    def web_url(self) -> str:
        """The URL if it is an http(s) link, else empty: what templates may put in an href,
        whatever an older row or a bulk update holds."""
        return web_only(self.url)


class ReadingProgress(models.Model):
    """A fellow marked a reading as read. One row per fellow and reading."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_progress"
    )
    reading = models.ForeignKey(Reading, on_delete=models.PROTECT, related_name="progress")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "reading"], name="progress_one_per_user_reading"
            )
        ]
        indexes = [models.Index(fields=["reading", "user"], name="progress_reading_user")]

    def __str__(self) -> str:
        return f"{self.user} read {self.reading}"


class Cohort(models.Model):
    """A group of fellows meeting weekly, following one course on a schedule."""

    class Pacing(models.TextChoices):
        WEEKLY = "weekly", "Weekly release"
        SELF_PACED = "self_paced", "Self-paced (all units open)"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=120)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    start_date = models.DateField(help_text="Date of the first session; sessions repeat weekly.")
    session_time = models.TimeField(help_text="Local start time of each session.")
    session_minutes = models.PositiveSmallIntegerField(default=90)
    pacing = models.CharField(max_length=16, choices=Pacing.choices, default=Pacing.WEEKLY)
    release_lead_hours = models.PositiveSmallIntegerField(
        default=168, help_text="With weekly release, a unit opens this long before its session."
    )
    reminder_lead_hours = models.PositiveSmallIntegerField(
        default=48, help_text="Fellows are reminded of unread core readings this long before."
    )
    feedback_window_days = models.PositiveSmallIntegerField(
        default=14,
        help_text="Fellows can change their feedback on a unit until this many days after its "
        "session. Self-paced cohorts have no deadline.",
    )
    meeting_url = meeting_link_field(
        "Video call link of every session (a session can have its own)."
    )
    meeting_place = meeting_place_field(
        "Room and address of in-person sessions (a session can have its own)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["course", "start_date", "name"]

    def __str__(self) -> str:
        return f"{self.course} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("cohort_detail", args=[self.pk])

    @property
    def release_lead(self) -> timedelta:
        return timedelta(hours=self.release_lead_hours)

    @property
    def join_url(self) -> str:
        """Where fellows join the cohort's sessions online (web links only)."""
        return web_only(self.meeting_url)

    @property
    def session_weekday(self) -> str:
        return self.start_date.strftime("%A")


class SessionQuerySet(models.QuerySet):
    def on_live_units(self):
        """Sessions whose unit fellows can see: published and not archived."""
        return self.filter(unit__archived_at=None, unit__published=True)


class Session(models.Model):
    """One meeting of a cohort, about one unit. Sessions can be moved one by one."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    # Denormalised from starts_at and the cohort's release lead (see save()), so that
    # "which units are open" is one indexed comparison.
    opens_at = models.DateTimeField(editable=False)
    meeting_url = meeting_link_field("Blank: the cohort's meeting link.")
    meeting_place = meeting_place_field("Blank: the cohort's meeting place.")

    objects = SessionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["cohort", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "unit"], name="session_one_per_cohort_unit")
        ]
        indexes = [models.Index(fields=["cohort", "opens_at"], name="session_cohort_opens")]

    def __str__(self) -> str:
        return f"{self.cohort.name}: {self.unit} at {self.starts_at:%Y-%m-%d %H:%M %Z}"

    def save(self, *args, **kwargs):
        # In UTC: subtracting from a datetime in a zone with DST is wall-clock arithmetic, which
        # would disagree (by an hour across a DST change) with the SQL recompute of opens_at.
        self.opens_at = self.starts_at.astimezone(UTC) - self.cohort.release_lead
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "opens_at"}
        super().save(*args, **kwargs)

    @property
    def join_url(self) -> str:
        """Where fellows join this session online: its own link, else the cohort's (web links
        only)."""
        return web_only(self.meeting_url or self.cohort.meeting_url)

    @property
    def place(self) -> str:
        """Where this session meets in person: its own place, else the cohort's."""
        return self.meeting_place or self.cohort.meeting_place

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.cohort.session_minutes)


class Enrollment(models.Model):
    class Role(models.TextChoices):
        FELLOW = "fellow", "Fellow"
        FACILITATOR = "facilitator", "Facilitator"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DEFERRED = "deferred", "Deferred"
        DROPPED = "dropped", "Dropped"
        COMPLETED = "completed", "Completed"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.FELLOW)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["cohort", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user"], name="enrollment_one_per_cohort_user"
            )
        ]
        indexes = [models.Index(fields=["user", "status"], name="enrollment_user_status")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.cohort}"


class Invitation(models.Model):
    """An emailed, single-use, expiring link to join a cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(
        max_length=16, choices=Enrollment.Role.choices, default=Enrollment.Role.FELLOW
    )
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the email went out. Empty: still to send (a periodic sweep retries it).",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["cohort", "email"], name="invitation_cohort_email")]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.cohort}"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class WorkerHeartbeat(models.Model):
    """Last time each Celery worker ran the heartbeat task; /healthz reports it."""

    hostname = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


__all__ = [
    "FEEDBACK_TEXT_MAX",
    "READING_COMMENT_MAX",
    "ArchivableQuerySet",
    "Attendance",
    "CalendarFeed",
    "Cohort",
    "Course",
    "Enrollment",
    "Invitation",
    "LearningObjective",
    "LinkStatus",
    "Reading",
    "ReadingFeedback",
    "ReadingLinkReport",
    "ReadingProgress",
    "Reminder",
    "Session",
    "Unit",
    "UnitFeedback",
    "WorkerHeartbeat",
]
