from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.forms.models import model_to_dict
from django.utils import timezone

from accounts.models import User
from courseapp.models import (
    Cohort,
    Course,
    Enrollment,
    Reading,
    ReadingFeedback,
    ReadingProgress,
    Session,
    Unit,
    UnitFeedback,
)
from courseapp.platform.security import has_staff_powers
from courseapp.week.selectors import units_open_to

from .forms import UNIT_FEEDBACK_FIELDS, UnitFeedbackForm

# Anonymous answers stay hidden until this many fellows of the cohort answered the unit, so a
# facilitator cannot tell who wrote one by elimination.
ANONYMITY_MIN_ANSWERS = 3
RATINGS = (5, 4, 3, 2, 1)


@dataclass(frozen=True)
class FeedbackPlace:
    """Where a fellow answers from: their cohort, and until when they may change their answer."""

    cohort: Cohort
    deadline: datetime | None

    @property
    def is_open(self) -> bool:
        return self.deadline is None or timezone.now() <= self.deadline


def feedback_place(*, user: User, unit: Unit, unit_open: bool = False) -> FeedbackPlace | None:
    """The fellow's cohort for this unit, or None if they may not give feedback on it.

    Only fellows (not dropped) of a cohort the unit is open to may answer. The deadline is the
    cohort's session on the unit plus its feedback window; self-paced cohorts have none. One query.
    `unit_open`: the caller loaded the unit through `units_open_to` for this person already (the
    unit page), so the query need not check it again.
    """
    if not user.is_authenticated:
        return None
    session = Session.objects.filter(cohort=OuterRef("cohort"), unit=unit).order_by()
    enrollment = Enrollment.objects.filter(
        user=user, role=Enrollment.Role.FELLOW, cohort__course=unit.course_id
    ).exclude(status=Enrollment.Status.DROPPED)
    if not unit_open:
        enrollment = enrollment.filter(Exists(units_open_to(user=user).filter(pk=unit.pk)))
    enrollment = (
        enrollment.filter(
            Q(cohort__pacing=Cohort.Pacing.SELF_PACED)
            | Exists(session.filter(opens_at__lte=timezone.now()))
        )
        .annotate(session_starts=Subquery(session.values("starts_at")[:1]))
        .select_related("cohort")
        .order_by("cohort__start_date", "pk")
        .first()
    )
    if enrollment is None:
        return None
    cohort = enrollment.cohort
    if cohort.pacing == Cohort.Pacing.SELF_PACED or enrollment.session_starts is None:
        return FeedbackPlace(cohort=cohort, deadline=None)
    deadline = enrollment.session_starts + timedelta(days=cohort.feedback_window_days)
    return FeedbackPlace(cohort=cohort, deadline=deadline)


def core_readings_done(*, user: User, unit: Unit) -> bool:
    """Whether the person has marked every live core reading of the unit as read. One query."""
    done = Exists(ReadingProgress.objects.filter(user=user, reading=OuterRef("pk")))
    counts = (
        unit.readings.live()
        .filter(tier=Reading.Tier.CORE)
        .aggregate(total=Count("pk"), done=Count("pk", filter=done))
    )
    return counts["total"] > 0 and counts["done"] == counts["total"]


def unit_feedback_form_for(feedback: UnitFeedback | None) -> UnitFeedbackForm:
    initial = model_to_dict(feedback, fields=UNIT_FEEDBACK_FIELDS) if feedback else None
    return UnitFeedbackForm(initial=initial)


def unit_feedback_context(
    *, user: User, unit: Unit, core_done: bool | None = None, unit_open: bool = False
) -> dict:
    """Everything templates/courseapp/feedback/_unit_feedback.html needs. Three queries, two
    when the caller already knows whether the core readings are done (the unit page does).

    `feedback_allowed` is False for anyone but a fellow the unit is open to: the partial then
    renders nothing, and the reading feedback partial hides its form too.
    """
    place = feedback_place(user=user, unit=unit, unit_open=unit_open)
    if place is None:
        return {
            "unit": unit,
            "feedback_allowed": False,
            "unit_feedback": None,
            "feedback_form": None,
            "feedback_open": False,
            "feedback_deadline": None,
            "core_done": False,
        }
    feedback = UnitFeedback.objects.filter(user=user, unit=unit).first()
    return {
        "unit": unit,
        "feedback_allowed": True,
        "unit_feedback": feedback,
        "feedback_form": unit_feedback_form_for(feedback),
        "feedback_open": place.is_open,
        "feedback_deadline": place.deadline,
        "core_done": core_readings_done(user=user, unit=unit) if core_done is None else core_done,
    }


def reading_feedback_for_user(
    *, user: User, readings: Iterable[Reading]
) -> dict[int, ReadingFeedback]:
    """The person's feedback on these readings, by reading id. One query."""
    if not user.is_authenticated:
        return {}
    ids = [reading.pk for reading in readings]
    return {f.reading_id: f for f in ReadingFeedback.objects.filter(user=user, reading__in=ids)}


def attach_reading_feedback(*, user: User, readings: Iterable[Reading]) -> None:
    """Set `user_feedback` (ReadingFeedback or None) on each reading, for templates that include
    _reading_feedback.html with reading_feedback=reading.user_feedback. One query."""
    readings = list(readings)
    found = reading_feedback_for_user(user=user, readings=readings)
    for reading in readings:
        reading.user_feedback = found.get(reading.pk)


# --- Facilitators ------------------------------------------------------------------------------


def cohort_facilitated_by(*, user: User, cohort_pk: int) -> Cohort | None:
    """The cohort if this person is staff or one of its (not dropped) facilitators. One query."""
    cohorts = Cohort.objects.select_related("course")
    if not has_staff_powers(user):
        cohorts = cohorts.filter(
            Exists(
                Enrollment.objects.filter(
                    cohort=OuterRef("pk"), user=user, role=Enrollment.Role.FACILITATOR
                ).exclude(status=Enrollment.Status.DROPPED)
            )
        )
    return cohorts.filter(pk=cohort_pk).first()


@dataclass(frozen=True)
class FeedbackComment:
    """One answer as a facilitator may see it. Anonymous answers carry no name and no time."""

    author: str | None
    rating: int
    what_worked: str
    what_to_change: str
    updated_at: datetime | None

    @property
    def is_anonymous(self) -> bool:
        return self.author is None


@dataclass
class UnitFeedbackSummary:
    cohort: Cohort
    unit: Unit
    answers: int
    fellows: int
    distribution: list[tuple[int, int]]
    comments: list[FeedbackComment]
    anonymous_held: int

    @property
    def counted(self) -> int:
        return sum(count for _, count in self.distribution)

    @property
    def average(self) -> float | None:
        total = sum(rating * count for rating, count in self.distribution)
        return round(total / self.counted, 1) if self.counted else None

    @property
    def busiest(self) -> int:
        return max((count for _, count in self.distribution), default=0)

    @property
    def bars(self) -> list[tuple[int, int, int]]:
        """(rating, count, percent of the busiest rating) for drawing bars."""
        top = self.busiest or 1
        return [(rating, count, round(100 * count / top)) for rating, count in self.distribution]


def cohort_unit_feedback_summary(*, cohort: Cohort, unit: Unit) -> UnitFeedbackSummary:
    """The cohort's answers on a unit as its facilitators may see them. Two queries.

    Until ANONYMITY_MIN_ANSWERS fellows of the cohort answered, anonymous answers are left out
    entirely (ratings included: with named ratings shown, the rest would give them away).
    Anonymous comments are ordered by content, never by time, so order reveals nothing.
    """
    rows = list(
        UnitFeedback.objects.filter(cohort=cohort, unit=unit)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )
    fellows = (
        Enrollment.objects.filter(cohort=cohort, role=Enrollment.Role.FELLOW)
        .exclude(status=Enrollment.Status.DROPPED)
        .count()
    )
    show_anonymous = len(rows) >= ANONYMITY_MIN_ANSWERS
    visible = [row for row in rows if show_anonymous or not row.anonymous]
    counts = Counter(row.rating for row in visible)
    return UnitFeedbackSummary(
        cohort=cohort,
        unit=unit,
        answers=len(rows),
        fellows=fellows,
        distribution=[(rating, counts[rating]) for rating in RATINGS],
        comments=_comments(visible),
        anonymous_held=len(rows) - len(visible),
    )


def _comments(rows: list[UnitFeedback]) -> list[FeedbackComment]:
    named = [
        FeedbackComment(r.user.name, r.rating, r.what_worked, r.what_to_change, r.updated_at)
        for r in rows
        if not r.anonymous
    ]
    anonymous = sorted(
        (
            FeedbackComment(None, r.rating, r.what_worked, r.what_to_change, None)
            for r in rows
            if r.anonymous
        ),
        key=lambda c: (c.what_worked, c.what_to_change, c.rating),
    )
    return named + anonymous


# --- The syllabus report -------------------------------------------------------------------------


@dataclass
class UnitReportRow:
    unit: Unit
    fellows: int = 0
    answers: int = 0
    average: float | None = None
    core_total: int = 0
    core_complete: int = 0

    @property
    def response_rate(self) -> float | None:
        return min(1.0, self.answers / self.fellows) if self.fellows else None

    @property
    def core_rate(self) -> float | None:
        if not self.fellows or not self.core_total:
            return None
        return min(1.0, self.core_complete / self.fellows)


@dataclass
class ReadingReportRow:
    reading: Reading
    unit: Unit
    fellows: int = 0
    completed: int = 0
    useful: int = 0
    votes: int = 0
    comments: list[str] = field(default_factory=list)

    @property
    def completion_rate(self) -> float | None:
        return min(1.0, self.completed / self.fellows) if self.fellows else None

    @property
    def useful_share(self) -> float | None:
        return self.useful / self.votes if self.votes else None


@dataclass
class SyllabusReport:
    course: Course
    fellows: int
    units: list[UnitReportRow]
    readings: list[ReadingReportRow]


def _course_fellows(course: Course) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(cohort__course=course, role=Enrollment.Role.FELLOW).exclude(
        status=Enrollment.Status.DROPPED
    )


def _fellows_per_unit(course: Course, units: list[Unit]) -> tuple[int, dict[int, int]]:
    """Fellows each unit is open to: all of a self-paced cohort's, else those of cohorts whose
    session on the unit has opened. Two queries."""
    cohorts = list(
        course.cohorts.annotate(
            fellows=Count(
                "enrollments",
                filter=Q(enrollments__role=Enrollment.Role.FELLOW)
                & ~Q(enrollments__status=Enrollment.Status.DROPPED),
            )
        ).values_list("pk", "pacing", "fellows")
    )
    opened = set(
        Session.objects.filter(cohort__course=course, opens_at__lte=timezone.now()).values_list(
            "cohort_id", "unit_id"
        )
    )
    per_unit = {
        unit.pk: sum(
            count
            for pk, pacing, count in cohorts
            if pacing == Cohort.Pacing.SELF_PACED or (pk, unit.pk) in opened
        )
        for unit in units
    }
    return sum(count for _, _, count in cohorts), per_unit


def _core_complete(course: Course, core_totals: dict[int, int]) -> Counter:
    """Fellows who read every core reading, per unit. One query of (unit, fellow) counts:
    comparing each count with the unit's core total is simpler here than nested SQL aggregates."""
    rows = (
        ReadingProgress.objects.filter(
            reading__unit__course=course,
            reading__tier=Reading.Tier.CORE,
            reading__archived_at=None,
            user__in=_course_fellows(course).values("user"),
        )
        .values("reading__unit", "user")
        .annotate(n=Count("pk"))
        .values_list("reading__unit", "n")
    )
    return Counter(unit_id for unit_id, n in rows if n == core_totals.get(unit_id))


def _unit_rows(course: Course, units: list[Unit], readings: list[Reading], fellows: dict):
    feedback = {
        row["unit"]: row
        for row in UnitFeedback.objects.filter(unit__in=units)
        .values("unit")
        .annotate(answers=Count("pk"), average=Avg("rating"))
    }
    core_totals = Counter(r.unit_id for r in readings if r.tier == Reading.Tier.CORE)
    complete = _core_complete(course, core_totals)
    rows = []
    for unit in units:
        answers = feedback.get(unit.pk, {})
        average = answers.get("average")
        rows.append(
            UnitReportRow(
                unit=unit,
                fellows=fellows[unit.pk],
                answers=answers.get("answers", 0),
                average=round(average, 2) if average is not None else None,
                core_total=core_totals[unit.pk],
                core_complete=complete[unit.pk],
            )
        )
    return rows


def _reading_rows(course: Course, units: list[Unit], readings: list[Reading], fellows: dict):
    by_unit = {unit.pk: unit for unit in units}
    completed = dict(
        ReadingProgress.objects.filter(
            reading__in=readings, user__in=_course_fellows(course).values("user")
        )
        .values("reading")
        .annotate(n=Count("user", distinct=True))
        .values_list("reading", "n")
    )
    votes = {
        row["reading"]: row
        for row in ReadingFeedback.objects.filter(reading__in=readings)
        .values("reading")
        .annotate(useful=Count("pk", filter=Q(useful=True)), votes=Count("pk"))
    }
    comments = defaultdict(list)
    for reading_id, comment in (
        ReadingFeedback.objects.filter(reading__in=readings)
        .exclude(comment="")
        .order_by("reading", "comment")
        .values_list("reading", "comment")
    ):
        comments[reading_id].append(comment)
    return [
        ReadingReportRow(
            reading=reading,
            unit=by_unit[reading.unit_id],
            fellows=fellows[reading.unit_id],
            completed=completed.get(reading.pk, 0),
            useful=votes.get(reading.pk, {}).get("useful", 0),
            votes=votes.get(reading.pk, {}).get("votes", 0),
            comments=comments[reading.pk],
        )
        for reading in readings
    ]


def course_syllabus_report(*, course: Course) -> SyllabusReport:
    """Per unit: average rating, response rate and core completion; per reading: completion,
    useful share with votes, and comments. Nine queries whatever the number of cohorts,
    fellows or answers. Reading comments carry no names (reading feedback is not anonymous,
    but the report does not need them)."""
    units = list(course.units.live().order_by("position", "week", "pk"))
    readings = list(
        Reading.objects.live()
        .filter(unit__in=units)
        .order_by("unit__position", "unit__week", "tier", "position", "pk")
    )
    total, fellows = _fellows_per_unit(course, units)
    return SyllabusReport(
        course=course,
        fellows=total,
        units=_unit_rows(course, units, readings, fellows),
        readings=_reading_rows(course, units, readings, fellows),
    )
