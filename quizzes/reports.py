"""Quiz figures across every cohort of a course, for admins: mastery and question quality.

Both read only answers that have a verdict (`is_correct` set): scored questions once the attempt
is submitted, and written answers once a facilitator has reviewed them. A written answer still
waiting for review is pending, never wrong, so it is left out of every figure here.

Both read each fellow's LATEST submitted attempt at a quiz, as the fellows' own mastery does
(quizzes.selectors): one attempt per fellow per quiz, so a fellow who retook a quiz three times
does not weigh three times in a question's figures, and the figures describe what fellows
answered last, i.e. what the course left them knowing.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet

from courseapp.models import Cohort, Course, Enrollment, LearningObjective, Unit

from .grading import rounded_percent
from .models import Answer, Attempt, Choice, Question, Quiz
from .selectors import Mastery, _tally, latest_answers

# --- Mastery per unit and objective -------------------------------------------------------------


@dataclass(frozen=True)
class MasteryRow:
    """Mastery of one unit (objective None) or one objective, over fellows with a verdict on it.

    A fellow's mastery of an objective is the share of that objective's questions they answered
    correctly in their latest attempt (quizzes.selectors); of a unit, the same share over all its
    live objectives' questions taken together. Levels: secure from 80 %, developing from 50 %.
    """

    unit: Unit
    objective: LearningObjective | None
    cohort: Cohort | None
    fellows: int
    with_data: int
    secure: int
    developing: int
    not_yet: int
    mean: float | None

    @property
    def mean_percent(self) -> int | None:
        return None if self.mean is None else rounded_percent(100 * self.mean)

    def _percent_of(self, count: int) -> int | None:
        return rounded_percent(100 * count / self.with_data) if self.with_data else None

    @property
    def secure_percent(self) -> int | None:
        return self._percent_of(self.secure)

    @property
    def developing_percent(self) -> int | None:
        return self._percent_of(self.developing)

    @property
    def not_yet_percent(self) -> int | None:
        return self._percent_of(self.not_yet)


@dataclass(frozen=True)
class MasteryReport:
    course: Course
    units: list[MasteryRow]
    objectives: list[MasteryRow]
    by_cohort: list[MasteryRow]


def _pooled(tally: dict[int, Mastery], objective_ids: list[int]) -> Mastery | None:
    parts = [tally[pk] for pk in objective_ids if pk in tally]
    if not parts:
        return None
    return Mastery(0, sum(m.correct for m in parts), sum(m.total for m in parts))


def _row(unit, objective, cohort, masteries: list[Mastery | None], fellows: int) -> MasteryRow:
    known = [m for m in masteries if m is not None]
    levels = [m.level for m in known]
    return MasteryRow(
        unit=unit,
        objective=objective,
        cohort=cohort,
        fellows=fellows,
        with_data=len(known),
        secure=levels.count("secure"),
        developing=levels.count("developing"),
        not_yet=levels.count("not-yet"),
        mean=sum(m.ratio for m in known) / len(known) if known else None,
    )


def _rows_for(units, objectives, cohort, tallies: list[dict[int, Mastery]], fellows: int):
    per_unit = defaultdict(list)
    for objective in objectives:
        per_unit[objective.unit_id].append(objective.pk)
    unit_rows = [
        _row(unit, None, cohort, [_pooled(t, per_unit[unit.pk]) for t in tallies], fellows)
        for unit in units
    ]
    objective_rows = [
        _row(objective.unit, objective, cohort, [t.get(objective.pk) for t in tallies], fellows)
        for objective in objectives
    ]
    return unit_rows, objective_rows


def course_mastery(*, course: Course) -> MasteryReport:
    """Per live unit and objective of the course, across its cohorts and per cohort.

    Fellows: the course's fellows not dropped (as the syllabus report counts them). Five queries
    whatever the number of cohorts, fellows and answers.
    """
    units = list(course.units.live().order_by("position", "week", "pk"))
    objectives = list(
        LearningObjective.objects.live()
        .filter(unit__in=units)
        .order_by("unit__position", "unit__week", "position", "pk")
    )
    by_unit = {unit.pk: unit for unit in units}
    for objective in objectives:
        objective.unit = by_unit[objective.unit_id]
    cohorts = {cohort.pk: cohort for cohort in course.cohorts.order_by("name", "pk")}
    fellows = Enrollment.objects.filter(cohort__course=course, role=Enrollment.Role.FELLOW).exclude(
        status=Enrollment.Status.DROPPED
    )
    members = defaultdict(set)
    for user_id, cohort_id in fellows.values_list("user_id", "cohort_id"):
        members[cohort_id].add(user_id)
    attempts = Attempt.objects.filter(quiz__unit__in=units, user__in=fellows.values("user"))
    rows = latest_answers(attempts).values_list(
        "attempt__user_id", "snapshot__objectives", "is_correct"
    )
    per_user: dict[int, list] = defaultdict(list)
    for user_id, objective_ids, is_correct in rows:
        per_user[user_id].append((objective_ids, is_correct))
    tally = {user_id: _tally(user_rows) for user_id, user_rows in per_user.items()}
    everyone = set().union(*members.values())
    unit_rows, objective_rows = _rows_for(
        units, objectives, None, [tally[u] for u in everyone if u in tally], len(everyone)
    )
    by_cohort = []
    for cohort_id, cohort in cohorts.items():
        users = members.get(cohort_id, set())
        cohort_units, cohort_objectives = _rows_for(
            units, objectives, cohort, [tally[u] for u in users if u in tally], len(users)
        )
        by_cohort += cohort_units + cohort_objectives
    return MasteryReport(course, unit_rows, objective_rows, by_cohort)


# --- Question quality (item analysis) -----------------------------------------------------------

EASY = 0.9
HARD = 0.2
LOW_DISCRIMINATION = 0.2
# Below this many answers the figures are too noisy to flag anything.
MIN_ANSWERS = 5


@dataclass
class ChoiceStat:
    choice: Choice
    picks: int = 0
    offered: int = 0

    @property
    def share(self) -> float | None:
        return self.picks / self.offered if self.offered else None

    @property
    def percent(self) -> int | None:
        return None if self.share is None else rounded_percent(100 * self.share)

    @property
    def unused(self) -> bool:
        """A wrong choice that no one picked although enough fellows saw it."""
        return not self.choice.is_correct and not self.picks and self.offered >= MIN_ANSWERS


@dataclass
class QuestionQuality:
    """Item analysis of one question (see `question_quality` for the figures' definitions)."""

    question: Question
    answered: int = 0
    correct: int = 0
    pending: int = 0
    discrimination: float | None = None
    choices: list[ChoiceStat] = field(default_factory=list)

    @property
    def p(self) -> float | None:
        return self.correct / self.answered if self.answered else None

    @property
    def p_percent(self) -> int | None:
        return None if self.p is None else rounded_percent(100 * self.p)

    @property
    def flags(self) -> list[str]:
        if self.answered < MIN_ANSWERS:
            return []
        flags = []
        if self.p >= EASY:
            flags.append("Nearly everyone right")
        elif self.p <= HARD:
            flags.append("Nearly everyone wrong")
        if self.discrimination is not None and self.discrimination < 0:
            flags.append("Negative discrimination")
        elif self.discrimination is not None and self.discrimination < LOW_DISCRIMINATION:
            flags.append("Low discrimination")
        unused = sum(stat.unused for stat in self.choices)
        if unused:
            flags.append(f"{unused} distractor{'s' if unused > 1 else ''} nobody picks")
        return flags


def item_rest_correlation(pairs: list[tuple[int, int]]) -> float | None:
    """Pearson's r between item scores x (0/1) and rest scores y; None if either is constant.

    r = (Σxy − n·x̄·ȳ) / √((Σx² − n·x̄²)(Σy² − n·ȳ²)). With a 0/1 item this is the point-biserial
    correlation.
    """
    n = len(pairs)
    if n < 2:
        return None
    mean_x = sum(x for x, _ in pairs) / n
    mean_y = sum(y for _, y in pairs) / n
    sxy = sum(x * y for x, y in pairs) - n * mean_x * mean_y
    sxx = sum(x * x for x, _ in pairs) - n * mean_x * mean_x
    syy = sum(y * y for _, y in pairs) - n * mean_y * mean_y
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / (sxx * syy) ** 0.5


def _latest_attempts(quizzes: QuerySet[Quiz]) -> QuerySet[Attempt]:
    later = Attempt.objects.filter(
        quiz=OuterRef("quiz"),
        user=OuterRef("user"),
        number__gt=OuterRef("number"),
        submitted_at__isnull=False,
    )
    return (
        Attempt.objects.filter(quiz__in=quizzes, submitted_at__isnull=False)
        .filter(~Exists(later))
        .order_by()
    )


def question_quality(*, quizzes: QuerySet[Quiz]) -> list[QuestionQuality]:
    """Item analysis of the live questions of `quizzes`, over every fellow's latest submitted
    attempt at each quiz. Three queries whatever the number of attempts.

    - answered: answers with a verdict; pending: written answers still awaiting review.
    - p (share correct, the item's "difficulty"): correct / answered. A multiple-select answer
      is correct only when exactly right, as for mastery.
    - discrimination: the corrected item-total (point-biserial) correlation, Pearson's r between
      the item score (1 correct, 0 not) and the rest score, the number of the attempt's OTHER
      answers with a verdict that are correct. It runs from −1 to 1: high when the fellows who
      got this question right did well on the rest of the quiz; near 0 or negative when the
      question does not separate stronger from weaker fellows (often a misleading key or
      wording). Leaving the item out of the total keeps it from correlating with itself.
    - per choice: picks / fellows whose attempt offered that choice (choices added later were
      not offered to earlier attempts). Multiple-select shares can add up to more than 100 %.
    """
    questions = list(
        Question.objects.live()
        .filter(quiz__in=quizzes)
        .select_related("quiz__unit")
        .prefetch_related("choices")
        .order_by("quiz__unit__position", "quiz__unit__week", "position", "pk")
    )
    stats = {
        q.pk: QuestionQuality(q, choices=[ChoiceStat(c) for c in q.choices.all()])
        for q in questions
    }
    rows = list(
        Answer.objects.filter(attempt__in=_latest_attempts(quizzes).values("pk"))
        .order_by()
        .values_list(
            "attempt_id", "question_id", "is_correct", "selected_choice_ids", "snapshot__choices"
        )
    )
    attempt_totals: dict[int, int] = defaultdict(int)
    for attempt_id, _, is_correct, _, _ in rows:
        attempt_totals[attempt_id] += bool(is_correct)
    pairs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for attempt_id, question_id, is_correct, selected, offered in rows:
        stat = stats.get(question_id)
        if stat is None:
            continue
        if is_correct is None:
            stat.pending += 1
            continue
        item = int(is_correct)
        stat.answered += 1
        stat.correct += item
        pairs[question_id].append((item, attempt_totals[attempt_id] - item))
        _count_picks(stat, set(selected or []), {c["id"] for c in offered or []})
    for question_id, stat in stats.items():
        stat.discrimination = item_rest_correlation(pairs[question_id])
    return list(stats.values())


def _count_picks(stat: QuestionQuality, selected: set[int], offered: set[int]) -> None:
    for choice_stat in stat.choices:
        if choice_stat.choice.pk in offered:
            choice_stat.offered += 1
            choice_stat.picks += choice_stat.choice.pk in selected
