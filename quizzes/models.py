from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from courseapp.models import ArchivableQuerySet, LearningObjective, Unit


class Quiz(models.Model):
    """The check-your-understanding quiz of one unit."""

    class Reveal(models.TextChoices):
        AFTER_EACH = "after_each", "After each attempt"
        AFTER_PASSING = "after_passing", "After passing (or when no attempts are left)"
        AFTER_LAST = "after_last", "After the last attempt"

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="quiz")
    title = models.CharField(max_length=300, blank=True)
    intro = models.TextField(blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        default=70,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Percent of the scored questions needed to pass.",
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    shuffle_questions = models.BooleanField(default=False)
    shuffle_choices = models.BooleanField(default=False)
    reveal = models.CharField(
        max_length=16,
        choices=Reveal.choices,
        default=Reveal.AFTER_EACH,
        help_text="When correct answers, explanations and choice feedback are shown.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "quizzes"
        ordering = ["unit__course", "unit__position", "unit__week"]

    def __str__(self) -> str:
        return self.title or f"Quiz: {self.unit}"

    def get_absolute_url(self) -> str:
        return reverse("quiz_detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        return self.title or f"Week {self.unit.week} quiz"

    def reveals(self, *, submitted: int, passed: bool) -> bool:
        """Whether answers may be shown, given the fellow's submitted attempts so far."""
        if self.reveal == self.Reveal.AFTER_EACH:
            return submitted > 0
        out_of_attempts = submitted >= self.attempts_allowed
        if self.reveal == self.Reveal.AFTER_PASSING:
            return passed or out_of_attempts
        return out_of_attempts


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple select"
        TRUE_FALSE = "true_false", "True/false"
        WRITTEN = "written", "Written answer"

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SINGLE)
    prompt = models.TextField()
    explanation = models.TextField(blank=True, help_text="Shown with the correct answer.")
    model_answer = models.TextField(
        blank=True, help_text="Written questions: what a good answer covers (for self-rating)."
    )
    objectives = models.ManyToManyField(LearningObjective, related_name="quiz_questions")
    position = models.PositiveIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        ordering = ["quiz", "position", "pk"]

    def __str__(self) -> str:
        return self.prompt[:80]

    @property
    def is_scored(self) -> bool:
        return self.kind != self.Kind.WRITTEN


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=1000)
    is_correct = models.BooleanField(default=False)
    feedback = models.TextField(blank=True, help_text="Shown to a fellow who picked this choice.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["question", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Attempt(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True, help_text="Percent of the scored questions.")
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["quiz", "user", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user", "number"], name="attempt_unique_number"
            ),
            models.UniqueConstraint(
                fields=["quiz", "user"],
                condition=Q(submitted_at=None),
                name="attempt_one_open_per_user",
            ),
        ]
        indexes = [models.Index(fields=["user", "quiz", "number"], name="attempt_user_quiz_num")]

    def __str__(self) -> str:
        return f"{self.user} · {self.quiz} · attempt {self.number}"

    def get_absolute_url(self) -> str:
        if self.submitted_at:
            return reverse("attempt_result", args=[self.pk])
        return reverse("attempt_take", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class Answer(models.Model):
    """One question of an attempt, with a frozen copy of the question as the fellow saw it.

    `snapshot` is written when the attempt starts: {"kind", "prompt", "explanation",
    "model_answer", "objectives": [ids], "choices": [{"id", "text", "is_correct", "feedback"}]}
    in the order shown. Grading and review read only the snapshot, so editing the live question
    later never changes what a past attempt says.

    A written answer is reviewed by a facilitator: `is_correct` holds the verdict (meets the
    objective or not; empty until reviewed), with the reviewer, time and comment beside it.
    """

    class SelfRating(models.IntegerChoices):
        MISSED = 0, "I missed the main points"
        PARTLY = 1, "I covered some of the main points"
        FULLY = 2, "I covered the main points"

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    position = models.PositiveIntegerField(default=0)
    snapshot = models.JSONField()
    selected_choice_ids = models.JSONField(default=list, blank=True)
    written_text = models.TextField(blank=True)
    self_rating = models.PositiveSmallIntegerField(
        choices=SelfRating.choices, null=True, blank=True
    )
    is_correct = models.BooleanField(
        null=True,
        blank=True,
        help_text="Empty: not scored. Written answers: empty until reviewed, then whether the "
        "answer meets the objective (the review's verdict, which mastery counts).",
    )
    score = models.FloatField(null=True, blank=True, help_text="0 to 1; empty: not scored.")
    saved_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # A database default too, so bulk loads that name the columns they fill (bench/) still work.
    review_comment = models.TextField(blank=True, db_default="")

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="answer_one_per_question")
        ]
        indexes = [
            # For deleting a reviewer (SET NULL); only reviewed answers have one.
            models.Index(
                fields=["reviewed_by"],
                name="answer_reviewed_by",
                condition=Q(reviewed_by__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt} · Q{self.position + 1}"

    @property
    def kind(self) -> str:
        return self.snapshot["kind"]

    @property
    def is_scored(self) -> bool:
        return self.kind != Question.Kind.WRITTEN

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    @property
    def is_pending_review(self) -> bool:
        """A written answer with text that no facilitator has reviewed yet: never counted wrong."""
        return (
            self.kind == Question.Kind.WRITTEN and bool(self.written_text) and not self.is_reviewed
        )

    @property
    def choices(self) -> list[dict]:
        """Snapshot choices, each marked `selected` for this answer."""
        picked = set(self.selected_choice_ids)
        return [
            {**choice, "selected": choice["id"] in picked} for choice in self.snapshot["choices"]
        ]
