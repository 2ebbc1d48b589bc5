import zoneinfo
from functools import cache

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models


@cache
def timezone_choices() -> list[tuple[str, str]]:
    names = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
    return [(name, name.replace("_", " ")) for name in names]


def validate_timezone(value: str) -> None:
    if value and value not in dict(timezone_choices()):
        raise ValidationError(f"“{value}” is not a known time zone.")


# What every page, export and admin list shows in place of a deleted account's name.
RETIRED_NAME = "Deleted fellow"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person: fellow, facilitator or admin. The email address is the login."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=150, blank=True)
    timezone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text="Times are shown in this zone. Empty: the cohort's time zone.",
    )
    retired_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the account was deleted and its personal data removed (accounts.services).",
    )
    # Bumped in the same transaction as anything that changes what this person's own pages show
    # (courseapp.platform.pagecache): a cached page built at an older version is never served again.
    page_version = models.PositiveBigIntegerField(default=0, editable=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # page_version only ever moves by `UPDATE ... + 1` (courseapp.platform.pagecache): a save
        # of an instance loaded earlier must not write an older number back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "page_version"
            ]
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        if self.retired_at:
            return RETIRED_NAME
        return self.display_name or self.email.split("@")[0]

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class NotificationPreferences(models.Model):
    """Which reminder emails a person wants. No row means every kind is on.

    The field names are the reminder kinds (courseapp.models.Reminder.Kind).
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    before_session = models.BooleanField(
        "Core readings before each session",
        default=True,
        help_text="The core readings you have not marked read, before each session.",
    )
    quiz_after_session = models.BooleanField(
        "Quiz after each session",
        default=True,
        help_text="The unit's quiz, if you have not taken it, after the session.",
    )
    inactive = models.BooleanField(
        "Where you left off",
        default=True,
        help_text="A gentle note when you have not been in for a while.",
    )
    facilitator_digest = models.BooleanField(
        "Facilitator digest",
        default=True,
        help_text="For facilitators: who is at risk and why, before each session.",
    )
    nudge = models.BooleanField(
        "Nudges from your facilitator",
        default=True,
        help_text="A reminder your facilitator sends you by hand.",
    )
    written_review = models.BooleanField(
        "Reviews of your written answers",
        default=True,
        db_default=True,  # bulk loads that name the columns they fill (bench/) still work
        help_text="When your facilitator has reviewed a written quiz answer of yours.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    KINDS = (
        "before_session",
        "quiz_after_session",
        "inactive",
        "facilitator_digest",
        "written_review",
        "nudge",
    )

    class Meta:
        verbose_name_plural = "notification preferences"

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"

    def wants(self, kind: str) -> bool:
        return bool(getattr(self, kind, False))


class AuditEvent(models.Model):
    """A data-rights action (export, account deletion), kept after the account is gone.

    The subject is recorded as a keyed hash of their email address (accounts.services.email_hash),
    never the address: the log must not keep what the deletion removed, yet lets the team answer
    "was the account of <address> deleted, and when?" by hashing the address again.
    """

    class Action(models.TextChoices):
        EXPORT = "export", "Data exported"
        RETIRE = "retire", "Account deleted (personal data removed)"

    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who did it: the person themselves, or the admin acting on their request.",
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    subject_hash = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"
