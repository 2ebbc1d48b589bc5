from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

FEEDBACK_TEXT_MAX = 2000
READING_COMMENT_MAX = 500


class UnitFeedback(models.Model):
    """A fellow's rating and comments on one unit. One per fellow and unit.

    __str__ names no person: admin logs and delete pages must not reveal anonymous authors.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_feedback"
    )
    unit = models.ForeignKey("courseapp.Unit", on_delete=models.PROTECT, related_name="feedback")
    # The fellow's cohort when they answered, so facilitators see their own cohort's answers.
    cohort = models.ForeignKey(
        "courseapp.Cohort",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="unit_feedback",
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 (poor) to 5 (excellent).",
    )
    what_worked = models.TextField(
        blank=True, max_length=FEEDBACK_TEXT_MAX, validators=[MaxLengthValidator(FEEDBACK_TEXT_MAX)]
    )
    what_to_change = models.TextField(
        blank=True, max_length=FEEDBACK_TEXT_MAX, validators=[MaxLengthValidator(FEEDBACK_TEXT_MAX)]
    )
    anonymous = models.BooleanField(
        default=False, help_text="Hide the author's name from facilitators."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="unit_feedback_one_per_user"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="unit_feedback_rating_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["unit", "cohort"], name="unit_feedback_unit_cohort")]

    def __str__(self) -> str:
        return f"Feedback on {self.unit}"


class ReadingFeedback(models.Model):
    """A fellow's useful / not useful vote on one reading, with an optional short comment."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_feedback"
    )
    reading = models.ForeignKey(
        "courseapp.Reading", on_delete=models.PROTECT, related_name="feedback"
    )
    useful = models.BooleanField()
    comment = models.CharField(max_length=READING_COMMENT_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reading", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "reading"], name="reading_feedback_one_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.reading}"
