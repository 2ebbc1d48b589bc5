"""Reads for quiz pages and for the unit, course and cohort pages that show mastery.

Mastery rule: for a fellow and a learning objective, mastery is the share of that objective's
scored questions (every kind but written) that the fellow answered correctly in their LATEST
submitted attempt at the unit's quiz. A multiple-select question counts as correct only when
exactly right (its partial credit counts toward the score, not toward mastery). Which objectives
a question tests is read from the attempt's snapshot, so later edits to a question do not
rewrite past mastery. Latest rather than best: mastery should say what the fellow knows now, and
a fellow who retakes and does worse on an objective should see (and their facilitator should
see) that they are not secure on it yet.

Written answers count once a facilitator has reviewed them: the review's verdict (meets the
objective or not) is stored as the answer's correctness. Until then a written answer with text
is "pending": counted apart, never as wrong, and left out of cohort means.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.models import User
from courseapp.models import Cohort, Enrollment, LearningObjective, Unit
from courseapp.week.selectors import units_open_to

from . import quiztext
from .grading import rounded_percent
from .models import Answer, Attempt, Question, Quiz

SECURE = 0.8
DEVELOPING = 0.5
COHORT_THRESHOLD = 0.5


@dataclass(frozen=True)
class Mastery:
    """One fellow's mastery of one objective: `correct` of `total` scored (or reviewed)
    questions, and `pending` written answers still waiting for a review (not in `total`)."""

    objective_id: int
    correct: int
    total: int
    pending: int = 0

    @property
    def ratio(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def percent(self) -> int:
        return rounded_percent(100 * self.ratio)

    @property
    def level(self) -> str:
        if not self.total:
            return "pending"
        if self.ratio >= SECURE:
            return "secure"
        return "developing" if self.ratio >= DEVELOPING else "not-yet"

    @property
    def label(self) -> str:
        return {
            "secure": "Secure",
            "developing": "Developing",
            "not-yet": "Not yet",
            "pending": "Pending review",
        }[self.level]


@dataclass(frozen=True)
class CohortObjectiveMastery:
    objective: LearningObjective
    mean: float | None
    fellows_with_data: int
    fellows_below: int
    fellows_total: int

    @property
    def mean_percent(self) -> int | None:
        return None if self.mean is None else rounded_percent(100 * self.mean)


def quizzes_open_to(*, user: User) -> QuerySet[Quiz]:
    return Quiz.objects.filter(unit__in=units_open_to(user=user)).select_related(
        "unit", "unit__course"
    )


def attempts_of(*, user: User) -> QuerySet[Attempt]:
    """The user's own attempts at quizzes of units they may open now."""
    return Attempt.objects.filter(
        user=user, quiz__unit__in=units_open_to(user=user)
    ).select_related("quiz", "quiz__unit", "quiz__unit__course")


def latest_answers(attempts: QuerySet[Attempt], *, pending: bool = False) -> QuerySet[Answer]:
    """Scored (and reviewed written) answers of each user's latest submitted attempt per quiz,
    among `attempts`; with `pending`, also the written answers waiting for a review (their
    correctness is None)."""
    later = Attempt.objects.filter(
        quiz=OuterRef("quiz"),
        user=OuterRef("user"),
        number__gt=OuterRef("number"),
        submitted_at__isnull=False,
    )
    latest = attempts.filter(submitted_at__isnull=False).filter(~Exists(later))
    # No ORDER BY: the models' default orderings would join course and user just to sort rows
    # that every caller tallies, and tip the planner into a parallel scan of all answers.
    counted = (
        Q(is_correct__isnull=False) | _pending_review() if pending else Q(is_correct__isnull=False)
    )
    return Answer.objects.filter(counted, attempt__in=latest.order_by().values("pk")).order_by()


def _pending_review() -> Q:
    """Written answers with text that no facilitator has reviewed yet."""
    return Q(snapshot__kind=Question.Kind.WRITTEN, reviewed_at=None, is_correct=None) & ~Q(
        written_text=""
    )


def _tally(rows: Iterable[tuple[list[int], bool | None]]) -> dict[int, Mastery]:
    """Rows of (objective ids, correct); a correctness of None is a written answer pending
    review, counted apart and never as wrong."""
    correct: dict[int, int] = defaultdict(int)
    total: dict[int, int] = defaultdict(int)
    pending: dict[int, int] = defaultdict(int)
    for objective_ids, is_correct in rows:
        for objective_id in objective_ids or []:
            if is_correct is None:
                pending[objective_id] += 1
                continue
            total[objective_id] += 1
            correct[objective_id] += bool(is_correct)
    return {
        pk: Mastery(objective_id=pk, correct=correct[pk], total=total[pk], pending=pending[pk])
        for pk in total.keys() | pending.keys()
    }


def objective_mastery_for_user(*, user: User, units: Iterable[Unit]) -> dict[int, Mastery]:
    """Mastery per objective id for the objectives the user has data on (one query).

    Objectives without a submitted answer are absent: show them as "no data yet". Written
    answers pending review are counted in `pending`; an objective with only those has total 0.
    """
    if not user.is_authenticated:
        return {}
    attempts = Attempt.objects.filter(user=user, quiz__unit__in=list(units))
    rows = latest_answers(attempts, pending=True).values_list("snapshot__objectives", "is_correct")
    return _tally(rows)


def objective_mastery_for_cohort(
    *, cohort: Cohort, threshold: float = COHORT_THRESHOLD
) -> list[CohortObjectiveMastery]:
    """Per live objective of the cohort's course, across the cohort's active fellows.

    mean: the mean of the fellows' mastery, over fellows with data (None without any);
    fellows_below: fellows with data whose mastery is below `threshold`. Three queries whatever
    the number of fellows and units.
    """
    fellows = Enrollment.objects.filter(
        cohort=cohort, role=Enrollment.Role.FELLOW, status=Enrollment.Status.ACTIVE
    ).values("user")
    objectives = list(
        LearningObjective.objects.live()
        .filter(unit__course_id=cohort.course_id, unit__archived_at=None)
        .select_related("unit")
        .order_by("unit__position", "unit__week", "position", "pk")
    )
    attempts = Attempt.objects.filter(quiz__unit__course_id=cohort.course_id, user__in=fellows)
    rows = latest_answers(attempts).values_list(
        "attempt__user_id", "snapshot__objectives", "is_correct"
    )
    per_user: dict[int, list] = defaultdict(list)
    for user_id, objective_ids, is_correct in rows:
        per_user[user_id].append((objective_ids, is_correct))
    masteries = [_tally(user_rows) for user_rows in per_user.values()]
    total = fellows.count()
    return [_cohort_row(objective, masteries, threshold, total) for objective in objectives]


def _cohort_row(
    objective: LearningObjective, masteries: list[dict[int, Mastery]], threshold: float, total: int
) -> CohortObjectiveMastery:
    ratios = [m[objective.pk].ratio for m in masteries if objective.pk in m]
    return CohortObjectiveMastery(
        objective=objective,
        mean=sum(ratios) / len(ratios) if ratios else None,
        fellows_with_data=len(ratios),
        fellows_below=sum(ratio < threshold for ratio in ratios),
        fellows_total=total,
    )


def unit_quiz_summary(*, user: User, unit: Unit) -> dict | None:
    """What the unit page's quiz panel shows (two queries); None when the unit has no quiz."""
    quiz = (
        Quiz.objects.filter(unit=unit)
        .annotate(live_questions=Count("questions", filter=Q(questions__archived_at=None)))
        .first()
    )
    if quiz is None or not quiz.live_questions:
        return None
    attempts = list(Attempt.objects.filter(quiz=quiz, user=user)) if user.is_authenticated else []
    submitted = [a for a in attempts if not a.is_open]
    open_attempt = next((a for a in attempts if a.is_open), None)
    latest = max(submitted, key=lambda a: a.number, default=None)
    scores = [a.score for a in submitted if a.score is not None]
    return {
        "quiz": quiz,
        "questions": quiz.live_questions,
        "attempts_used": len(attempts),
        "attempts_allowed": quiz.attempts_allowed,
        "attempts_left": max(0, quiz.attempts_allowed - len(attempts)),
        "best_score": max(scores, default=None),
        "latest_score": latest.score if latest else None,
        "latest_result_url": latest.get_absolute_url() if latest else None,
        "passed": any(a.passed for a in submitted),
        "open_attempt": open_attempt,
        "attempts": attempts,
        "url": quiz.get_absolute_url(),
        "can_start": open_attempt is not None or len(attempts) < quiz.attempts_allowed,
    }


def attempt_with_answers(*, user: User, pk: int) -> Attempt:
    """The user's own attempt with its answers in order; raises Attempt.DoesNotExist."""
    attempt = attempts_of(user=user).get(pk=pk)
    attempt.answer_list = list(attempt.answers.select_related("reviewed_by").order_by("position"))
    for answer in attempt.answer_list:
        answer.attempt = attempt
    return attempt


def attempt_history(*, user: User, quiz: Quiz) -> list[Attempt]:
    return list(Attempt.objects.filter(quiz=quiz, user=user).order_by("number"))


def reveal_state(*, attempt: Attempt) -> bool:
    """Whether this fellow may now see correct answers for the attempt's quiz (one query)."""
    stats = Attempt.objects.filter(
        quiz=attempt.quiz_id, user=attempt.user_id, submitted_at__isnull=False
    ).aggregate(submitted=Count("pk"), passed=Count("pk", filter=Q(passed=True)))
    return attempt.quiz.reveals(submitted=stats["submitted"], passed=bool(stats["passed"]))


def quiz_as_text(*, quiz: Quiz) -> str:
    """The quiz in the plain-text format (see quizzes.quiztext), objectives by number."""
    objectives = quiz.unit.objectives.live().order_by("position", "pk").values_list("pk", flat=True)
    numbers = {pk: n for n, pk in enumerate(objectives, start=1)}
    questions = quiz.questions.live().prefetch_related("choices", "objectives")
    parsed = quiztext.ParsedQuiz(
        week=quiz.unit.week,
        title=quiz.title,
        intro=quiz.intro,
        pass_mark=quiz.pass_mark,
        attempts_allowed=quiz.attempts_allowed,
        shuffle_questions=quiz.shuffle_questions,
        shuffle_choices=quiz.shuffle_choices,
        reveal=quiz.reveal,
        questions=[
            quiztext.ParsedQuestion(
                kind=q.kind,
                prompt=q.prompt,
                explanation=q.explanation,
                model_answer=q.model_answer,
                objectives=sorted(numbers[o.pk] for o in q.objectives.all() if o.pk in numbers),
                choices=[
                    quiztext.ParsedChoice(c.text, c.is_correct, c.feedback) for c in q.choices.all()
                ],
            )
            for q in questions
        ],
    )
    return quiztext.render(parsed)


def attempt_mastery(*, attempt: Attempt) -> dict[int, Mastery]:
    """Per-objective result of one attempt, from its already-loaded answers (no query);
    written answers waiting for a review count as pending."""
    answers = getattr(attempt, "answer_list", None) or list(attempt.answers.all())
    return _tally(
        (a.snapshot["objectives"], a.is_correct)
        for a in answers
        if a.is_correct is not None or a.is_pending_review
    )


# --- Review of written answers -----------------------------------------------------------------

REVIEW_PAGE_SIZE = 20


@dataclass
class ReviewQueue:
    """A cohort's written answers to one unit's quiz, as the facilitator's review page shows
    them: `page` holds the answers after the filters, newest first."""

    questions: list[Question]
    page: Page
    total: int
    pending: int
    question_id: int | None
    pending_only: bool


def written_answers_of(*, cohort: Cohort, unit: Unit | None = None) -> QuerySet[Answer]:
    """Written answers with text in the cohort's fellows' submitted attempts at the quiz of
    `unit` (else of any unit of the cohort's course): what its facilitators may review."""
    fellows = Enrollment.objects.filter(cohort=cohort, role=Enrollment.Role.FELLOW).values("user")
    answers = Answer.objects.filter(
        attempt__quiz__unit__course_id=cohort.course_id,
        attempt__submitted_at__isnull=False,
        attempt__user__in=fellows,
        snapshot__kind=Question.Kind.WRITTEN,
    ).exclude(written_text="")
    if unit is not None:
        answers = answers.filter(attempt__quiz__unit=unit)
    return answers.order_by()


def review_counts(*, cohort: Cohort, unit: Unit) -> dict[str, int]:
    """How many written answers the cohort's fellows gave to the unit's quiz, and how many of
    them wait for a review: one query."""
    return written_answers_of(cohort=cohort, unit=unit).aggregate(
        total=Count("pk"), pending=Count("pk", filter=Q(reviewed_at=None))
    )


def review_queue(
    *,
    cohort: Cohort,
    unit: Unit,
    question_id: int | None = None,
    pending_only: bool = False,
    page: int | str = 1,
) -> ReviewQueue:
    """Four queries whatever the number of answers: the unit's written questions, the counts,
    and the page (its count and its rows, with fellow and reviewer joined)."""
    questions = list(
        Question.objects.filter(quiz__unit=unit, kind=Question.Kind.WRITTEN).order_by(
            "archived_at", "position", "pk"
        )
    )
    if question_id not in {q.pk for q in questions}:
        question_id = None
    answers = written_answers_of(cohort=cohort, unit=unit)
    counts = review_counts(cohort=cohort, unit=unit)
    if question_id:
        answers = answers.filter(question_id=question_id)
    if pending_only:
        answers = answers.filter(reviewed_at=None)
    rows = answers.select_related("attempt__user", "reviewed_by").order_by(
        "-attempt__submitted_at", "position", "pk"
    )
    return ReviewQueue(
        questions=questions,
        page=Paginator(rows, REVIEW_PAGE_SIZE).get_page(page),
        total=counts["total"],
        pending=counts["pending"],
        question_id=question_id,
        pending_only=pending_only,
    )
