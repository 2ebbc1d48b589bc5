"""Reads for the facilitator pages: the cohort dashboard, the cohort list and one fellow's page.

Every selector here runs a fixed number of queries whatever the cohort size: grouped aggregates
(`values().annotate()`) and subqueries, assembled in Python. Never a query per fellow or unit.

Anonymity: a fellow's anonymous unit feedback never shows here, not even as "given" in the grid
or as a time in their last activity. Once a facilitator knows who answered, the feedback page's
named answers would give the anonymous one away by elimination.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import User
from courseapp.feedback.selectors import UnitFeedbackSummary, cohort_unit_feedback_summary
from courseapp.meetings.selectors_attendance import attendance_for_fellow
from courseapp.models import (
    Attendance,
    Cohort,
    Enrollment,
    LearningObjective,
    Reading,
    ReadingProgress,
    Session,
    Unit,
    UnitFeedback,
)
from courseapp.platform.security import has_staff_powers
from courseapp.week.selectors import Meeting, current_session, next_meeting
from quizzes.grading import rounded_percent
from quizzes.models import Answer, Attempt, Question
from quizzes.selectors import DEVELOPING, SECURE, Mastery, latest_answers

MAIN_STATUSES = (Enrollment.Status.ACTIVE, Enrollment.Status.COMPLETED)


def facilitated_cohorts(*, user: User) -> QuerySet[Cohort]:
    """Cohorts this person may open on the facilitator pages: all for staff, else the ones they
    facilitate (any status but dropped)."""
    cohorts = Cohort.objects.select_related("course")
    if has_staff_powers(user):
        return cohorts
    if not user.is_authenticated:
        return cohorts.none()
    mine = Enrollment.objects.filter(
        cohort=OuterRef("pk"), user=user, role=Enrollment.Role.FACILITATOR
    ).exclude(status=Enrollment.Status.DROPPED)
    return cohorts.filter(Exists(mine))


def is_facilitator(*, user: User) -> bool:
    return has_staff_powers(user) or facilitated_cohorts(user=user).exists()


# --- The schedule -------------------------------------------------------------------------------


@dataclass(slots=True)
class UnitColumn:
    """One unit of the cohort's course with its session, as the grid's column. The unit and its
    id are plain attributes: the grid reads them for every cell, and the session's related
    descriptor is too slow for that."""

    session: Session
    released: bool
    held: bool
    core_total: int
    has_quiz: bool
    unit: Unit = field(init=False)
    unit_id: int = field(init=False)
    label: str = field(init=False)

    def __post_init__(self) -> None:
        self.unit = self.session.unit
        self.unit_id = self.unit.pk
        self.label = f"Week {self.unit.week}"


def _core_total() -> Coalesce:
    """The live core readings of a session's unit, as an annotation on Session."""
    core = (
        Reading.objects.live()
        .filter(unit=OuterRef("unit"), tier=Reading.Tier.CORE)
        .order_by()  # the model's ordering would only be resolved and dropped, on every page
        .values("unit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(core, output_field=IntegerField()), 0)


def _columns(cohort: Cohort, now: datetime) -> list[UnitColumn]:
    """The cohort's visible sessions with each unit's live core total and whether its quiz has
    live questions. One query."""
    questions = Question.objects.live().filter(quiz__unit=OuterRef("unit")).order_by()
    sessions = (
        Session.objects.on_live_units()
        .filter(cohort=cohort)
        .select_related("unit")
        .annotate(
            core_total=_core_total(),
            has_quiz=Exists(questions),
        )
        .order_by("starts_at", "pk")
    )
    self_paced = cohort.pacing == Cohort.Pacing.SELF_PACED
    return [
        UnitColumn(
            session=s,
            released=self_paced or s.opens_at <= now,
            held=s.starts_at <= now,
            core_total=s.core_total,
            has_quiz=s.has_quiz,
        )
        for s in sessions
    ]


# --- Per-fellow facts, each one grouped query -------------------------------------------------


@dataclass
class Activity:
    """Grouped facts about the fellows, keyed by (user id, unit id): core readings read,
    (submitted, passed, best score) of the unit's quiz, named feedback given; and each user's
    latest activity."""

    core_done: dict[tuple[int, int], int] = field(default_factory=dict)
    quiz: dict[tuple[int, int], tuple[int, int, float | None]] = field(default_factory=dict)
    feedback: set[tuple[int, int]] = field(default_factory=set)
    last: dict[int, datetime] = field(default_factory=dict)

    def last_activity(self, user_id: int) -> datetime | None:
        return self.last.get(user_id)

    def seen(self, user_id: int, when: datetime) -> None:
        """Keep the later of this time and the user's latest so far."""
        if user_id not in self.last or when > self.last[user_id]:
            self.last[user_id] = when


def _fellows(cohort: Cohort) -> QuerySet:
    """The cohort's fellows' user ids, as a subquery: shorter SQL than a list of 1,000 ids."""
    return Enrollment.objects.filter(cohort=cohort, role=Enrollment.Role.FELLOW).values("user_id")


def _quiz_touched() -> Coalesce:
    """When a fellow last worked on an attempt: its submission, or for an open attempt the later
    of its start and its last saved answer (answers are only saved while it is open)."""
    saved = (
        Answer.objects.filter(attempt=OuterRef("pk"), saved_at__isnull=False)
        .order_by("-saved_at")
        .values("saved_at")[:1]
    )
    # GREATEST is NULL as soon as one argument is on SQLite (not on PostgreSQL): an open attempt
    # with no answer saved yet counts from its start on both.
    return Coalesce("submitted_at", Greatest("started_at", Coalesce(Subquery(saved), "started_at")))


def _activity(cohort: Cohort) -> Activity:
    """Three queries: reading marks, quiz attempts and named feedback, per fellow and unit."""
    activity, fellows, course = Activity(), _fellows(cohort), cohort.course_id
    _add_marks(activity, fellows, course)
    _add_attempts(activity, fellows, course)
    _add_named_feedback(activity, fellows, course)
    return activity


# The times are never NULL: MAX over rows that all have one, or a NOT NULL column.


def _add_marks(activity: Activity, fellows: QuerySet, course: int) -> None:
    core = Q(reading__tier=Reading.Tier.CORE, reading__archived_at=None)
    marks = (
        ReadingProgress.objects.filter(user__in=fellows, reading__unit__course_id=course)
        .values("user", "reading__unit")
        .annotate(core=Count("pk", filter=core), last=Max("completed_at"))
        .values_list("user", "reading__unit", "core", "last")
    )
    for user_id, unit_id, done, when in marks:
        activity.core_done[user_id, unit_id] = done
        activity.seen(user_id, when)


def _add_attempts(activity: Activity, fellows: QuerySet, course: int) -> None:
    attempts = (
        Attempt.objects.filter(user__in=fellows, quiz__unit__course_id=course)
        .values("user", "quiz__unit")
        .annotate(
            submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
            passed=Count("pk", filter=Q(passed=True)),
            best=Max("score"),
            last=Max(_quiz_touched()),
        )
        .values_list("user", "quiz__unit", "submitted", "passed", "best", "last")
    )
    for user_id, unit_id, submitted, passed, best, when in attempts:
        activity.quiz[user_id, unit_id] = (submitted, passed, best)
        activity.seen(user_id, when)


def _add_named_feedback(activity: Activity, fellows: QuerySet, course: int) -> None:
    named = UnitFeedback.objects.filter(
        user__in=fellows, unit__course_id=course, anonymous=False
    ).values_list("user", "unit", "updated_at")
    for user_id, unit_id, when in named:
        activity.feedback.add((user_id, unit_id))
        activity.seen(user_id, when)


def _tally_mastery(rows: Iterable[tuple[int, object, bool]]) -> dict[int, dict[int, Mastery]]:
    """(fellow, snapshot objectives, is correct) rows -> each fellow's mastery per objective id.
    An answer counts once for every objective in its snapshot; a snapshot whose objectives are
    missing or not a list counts for none (snapshots are JSON written when an attempt starts,
    so older or hand-edited ones need not have the list)."""
    counts: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for user_id, objectives, is_correct in rows:
        if not isinstance(objectives, list):
            continue
        for objective_id in objectives:
            tally = counts[user_id, int(objective_id)]
            tally[0] += bool(is_correct)
            tally[1] += 1
    mastery: dict[int, dict[int, Mastery]] = defaultdict(dict)
    for (user_id, objective_id), (correct, total) in counts.items():
        mastery[user_id][objective_id] = Mastery(objective_id, correct, total)
    return mastery


def _mastery(cohort: Cohort) -> dict[int, dict[int, Mastery]]:
    """Each fellow's mastery per objective id, from their latest submitted attempts. One query."""
    attempts = Attempt.objects.filter(
        user__in=_fellows(cohort), quiz__unit__course_id=cohort.course_id
    )
    answers = latest_answers(attempts).values_list(
        "attempt__user_id", "snapshot__objectives", "is_correct"
    )
    return _tally_mastery(answers)


# --- The dashboard ------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Fellow:
    """What the cohort page and the CSV read of a fellow's account. Plain objects: the page reads
    these four fields of every fellow, and a User and an Enrollment instance per row would cost
    more than the query that loads them on a big cohort."""

    pk: int
    display_name: str
    email: str
    retired_at: datetime | None

    name = property(User.name.fget)  # the same rule as the account's own


@dataclass(slots=True, eq=False)
class Membership:
    """A fellow's enrollment in the cohort, as the cohort page reads it."""

    user: Fellow
    status: str
    created_at: datetime

    @property
    def user_id(self) -> int:
        return self.user.pk

    def get_status_display(self) -> str:
        return Enrollment.Status(self.status).label


@dataclass(slots=True)
class Cell:
    column: UnitColumn
    core_done: int
    quiz_submitted: int
    quiz_best: float | None
    quiz_passed: bool
    feedback: bool

    @property
    def core_complete(self) -> bool:
        return self.core_done >= self.column.core_total

    @property
    def quiz_best_percent(self) -> int | None:
        return None if self.quiz_best is None else rounded_percent(self.quiz_best)


@dataclass
class FellowRow:
    enrollment: Membership
    cells: list[Cell]
    last_activity: datetime | None
    mastery: dict[int, Mastery]
    at_risk_reasons: list[str] = field(default_factory=list)
    attendance: dict[int, str] = field(default_factory=dict)  # session id -> status

    @property
    def user(self) -> Fellow:
        return self.enrollment.user

    @property
    def is_at_risk(self) -> bool:
        return bool(self.at_risk_reasons)

    # Cached: sorting, the schedule column, the CSV and the at-risk rules each read these, and
    # the cells never change once the row is built.
    @cached_property
    def core_done(self) -> int:
        return sum(min(c.core_done, c.column.core_total) for c in self.cells)

    @cached_property
    def core_total(self) -> int:
        return sum(c.column.core_total for c in self.cells)

    @cached_property
    def expected_total(self) -> int:
        """Core readings the schedule expects read by now: those of units already discussed."""
        return sum(c.column.core_total for c in self.cells if c.column.held)

    @cached_property
    def expected_done(self) -> int:
        return sum(min(c.core_done, c.column.core_total) for c in self.cells if c.column.held)

    @property
    def behind(self) -> int:
        return self.expected_total - self.expected_done

    def cell_for(self, unit_id: int) -> Cell | None:
        return next((c for c in self.cells if c.column.unit_id == unit_id), None)

    @cached_property
    def held_columns(self) -> list[UnitColumn]:
        return [c.column for c in self.cells if c.column.held]

    def mark_at(self, column: UnitColumn) -> str | None:
        """This fellow's attendance at the column's session: a status, or None if unrecorded."""
        return self.attendance.get(column.session.pk)

    @property
    def sessions_recorded(self) -> int:
        return sum(1 for c in self.held_columns if self.mark_at(c))

    @property
    def sessions_attended(self) -> int:
        return sum(1 for c in self.held_columns if self.mark_at(c) == Attendance.Status.PRESENT)

    @property
    def last_mark(self) -> str | None:
        """The attendance at the cohort's most recent session that has started."""
        held = self.held_columns
        return self.mark_at(held[-1]) if held else None


@dataclass
class ObjectiveCell:
    objective: LearningObjective
    week: int
    number: int
    mean: float | None
    fellows_with_data: int
    fellows_below: int

    @property
    def percent(self) -> int | None:
        return None if self.mean is None else rounded_percent(100 * self.mean)

    @property
    def level(self) -> str:
        if self.mean is None:
            return "none"
        if self.mean >= SECURE:
            return "secure"
        return "developing" if self.mean >= DEVELOPING else "not-yet"


@dataclass
class ObjectiveRow:
    column: UnitColumn
    cells: list[ObjectiveCell]


@dataclass
class CohortDashboard:
    cohort: Cohort
    now: datetime
    columns: list[UnitColumn]
    rows: list[FellowRow]
    others: list[FellowRow]
    objectives: list[ObjectiveRow]
    current: Session | None
    next_session: Session | None
    feedback: UnitFeedbackSummary | None
    # The session on now, else the next one, with where it meets (the facilitator joins too).
    meeting: Meeting | None = None

    @property
    def at_risk(self) -> list[FellowRow]:
        return [row for row in self.rows if row.is_at_risk]

    @property
    def current_column(self) -> UnitColumn | None:
        if self.current is None:
            return None
        return next(c for c in self.columns if c.session.pk == self.current.pk)

    @property
    def last_held(self) -> UnitColumn | None:
        """The most recent session that has started: the one attendance is taken for."""
        held = [c for c in self.columns if c.held]
        return held[-1] if held else None

    @property
    def last_attendance(self) -> "AttendanceCount":
        """The last session's marks over the fellows who have not dropped out."""
        column = self.last_held
        fellows = [
            row
            for row in (*self.rows, *self.others)
            if row.enrollment.status != Enrollment.Status.DROPPED
        ]
        return AttendanceCount.of([row.mark_at(column) for row in fellows] if column else [])

    @property
    def expected_total(self) -> int:
        """Core readings of the units already discussed: due by now, the same for every fellow."""
        return sum(c.core_total for c in self.columns if c.held)

    @cached_property
    def core_ready(self) -> int:
        """Fellows who finished this week's core readings (read by the page more than once)."""
        if self.current is None:
            return 0
        return sum(1 for row in self.rows if row.cell_for(self.current.unit_id).core_complete)

    @property
    def objectives_shown(self) -> list[ObjectiveRow]:
        """The heat map's weeks: those open, and any other with data (a session moved later).
        Weeks not open yet can have no answers, so their cells would all say "no data"."""
        return [
            row
            for row in self.objectives
            if row.column.released or any(c.mean is not None for c in row.cells)
        ]

    @property
    def weakest(self) -> list[ObjectiveCell]:
        cells = [c for row in self.objectives for c in row.cells if c.mean is not None]
        return sorted(cells, key=lambda c: c.mean)[:3]


@dataclass(frozen=True)
class AttendanceCount:
    present: int = 0
    absent: int = 0
    excused: int = 0
    not_recorded: int = 0

    @classmethod
    def of(cls, marks: Iterable[str | None]) -> "AttendanceCount":
        counts = defaultdict(int)
        for mark in marks:
            counts[mark or "not_recorded"] += 1
        return cls(**counts)


NO_QUIZ = (0, 0, None)


def _attendance(cohort: Cohort, now: datetime) -> dict[int, dict[int, str]]:
    """Every mark at the cohort's sessions held so far: user id -> session id -> status. One
    query (always run, so the page's count does not depend on the schedule)."""
    marks: dict[int, dict[int, str]] = defaultdict(dict)
    for user_id, session_id, status in Attendance.objects.filter(
        session__cohort=cohort, session__starts_at__lte=now
    ).values_list("user_id", "session_id", "status"):
        marks[user_id][session_id] = status
    return marks


def _fellow_row(enrollment, columns, activity, mastery, empty) -> FellowRow:
    """`empty` holds one shared blank cell per unit id: most cells of a big cohort (weeks not yet
    open, weeks not started) have no data, and need no object of their own."""
    user_id = enrollment.user_id
    done, quiz, feedback = activity.core_done, activity.quiz, activity.feedback
    cells = []
    for column in columns:
        key = (user_id, column.unit_id)
        if key in done or key in quiz or key in feedback:
            submitted, passed, best = quiz.get(key, NO_QUIZ)
            cell = Cell(column, done.get(key, 0), submitted, best, bool(passed), key in feedback)
            cells.append(cell)
        else:
            cells.append(empty[column.unit_id])
    last = activity.last_activity(user_id)
    return FellowRow(enrollment, cells, last, mastery.get(user_id, {}))


def _objective_rows(columns, rows) -> list[ObjectiveRow]:
    """Mastery per live objective across the main fellows: the mean of the fellows with data.
    One query (the objectives)."""
    objectives = defaultdict(list)
    for objective in (
        LearningObjective.objects.live()
        .filter(unit__in=[c.unit for c in columns])
        .order_by("position", "pk")
    ):
        objectives[objective.unit_id].append(objective)
    ratios = defaultdict(list)
    for row in rows:
        for objective_id, mastery in row.mastery.items():
            ratios[objective_id].append(mastery.ratio)
    threshold = settings.AT_RISK_LOW_MASTERY
    result = []
    for column in columns:
        cells = []
        for number, objective in enumerate(objectives[column.unit_id], start=1):
            found = ratios.get(objective.pk, [])
            mean = sum(found) / len(found) if found else None
            below = sum(ratio < threshold for ratio in found)
            week = column.unit.week
            cells.append(ObjectiveCell(objective, week, number, mean, len(found), below))
        if cells:
            result.append(ObjectiveRow(column, cells))
    return result


def _memberships(cohort: Cohort) -> list[Membership]:
    """The cohort's fellows by name. One query."""
    rows = (
        Enrollment.objects.filter(cohort=cohort, role=Enrollment.Role.FELLOW)
        .order_by("user__display_name", "user__email")
        .values_list(
            "user_id",
            "user__display_name",
            "user__email",
            "user__retired_at",
            "status",
            "created_at",
        )
    )
    return [Membership(Fellow(*row[:4]), row[4], row[5]) for row in rows]


def cohort_dashboard(*, cohort: Cohort, now: datetime | None = None) -> CohortDashboard:
    """Everything the cohort page shows. Ten queries whatever the number of fellows or units
    (eight, plus two for this week's feedback summary)."""
    now = now or timezone.now()
    columns = _columns(cohort, now)
    enrollments = _memberships(cohort)
    activity = _activity(cohort)
    mastery = _mastery(cohort)
    marks = _attendance(cohort, now)
    empty = {c.unit_id: Cell(c, 0, 0, None, False, False) for c in columns}
    all_rows = [_fellow_row(e, columns, activity, mastery, empty) for e in enrollments]
    for row in all_rows:
        row.attendance = marks.get(row.user.pk, {})
    rows = [r for r in all_rows if r.enrollment.status in MAIN_STATUSES]
    sessions = [c.session for c in columns]
    for session in sessions:
        session.cohort = cohort  # for its meeting details, without a query each
    current = current_session(cohort=cohort, sessions=sessions, now=now)
    next_session = next((s for s in sessions if s.starts_at > now), None)
    objectives = _objective_rows(columns, rows)
    labels = {
        cell.objective.pk: f"week {row.column.unit.week} objective {cell.number}"
        for row in objectives
        for cell in row.cells
    }
    for row in rows:
        if row.enrollment.status == Enrollment.Status.ACTIVE:
            row.at_risk_reasons = at_risk_reasons(
                row=row, next_session=next_session, now=now, objectives=labels
            )
    return CohortDashboard(
        cohort=cohort,
        now=now,
        columns=columns,
        rows=rows,
        others=[r for r in all_rows if r.enrollment.status not in MAIN_STATUSES],
        objectives=objectives,
        current=current,
        next_session=next_session,
        feedback=_feedback(cohort, current),
        meeting=next_meeting(sessions, now),
    )


def _feedback(cohort: Cohort, current: Session | None) -> UnitFeedbackSummary | None:
    return cohort_unit_feedback_summary(cohort=cohort, unit=current.unit) if current else None


# --- At-risk rules ------------------------------------------------------------------------------


def at_risk_reasons(
    *, row: FellowRow, next_session: Session | None, now: datetime, objectives: dict[int, str]
) -> list[str]:
    """Why this fellow may need a word before the next session; empty when they are on track.
    `objectives` names the live objectives by id ("week 3 objective 2"); others are ignored."""
    reasons = [
        _core_before_session(row, next_session, now),
        _quiz_skipped(row),
        _inactive(row, now),
        _low_mastery(row, objectives),
        _missed_last_session(row),
    ]
    return [reason for reason in reasons if reason]


def _core_before_session(row: FellowRow, session: Session | None, now: datetime) -> str | None:
    window = timedelta(hours=settings.AT_RISK_CORE_HOURS_BEFORE_SESSION)
    if session is None or session.starts_at - now > window:
        return None
    cell = row.cell_for(session.unit_id)
    if cell is None or cell.core_complete:
        return None
    total = cell.column.core_total
    return (
        f"Week {session.unit.week} core readings unfinished ({cell.core_done} of {total} read) "
        f"with the session less than {settings.AT_RISK_CORE_HOURS_BEFORE_SESSION} hours away"
    )


def _quiz_skipped(row: FellowRow) -> str | None:
    weeks = [
        str(c.column.unit.week)
        for c in row.cells
        if c.column.held and c.column.has_quiz and not c.quiz_submitted
    ]
    if not weeks:
        return None
    label = "Week" if len(weeks) == 1 else "Weeks"
    return f"{label} {', '.join(weeks)} quiz not attempted after the session"


def _inactive(row: FellowRow, now: datetime) -> str | None:
    """No activity for the set number of days, counted from the fellow's last activity, or from
    when they joined or the first unit opened (whichever is later) if they have none yet."""
    days = settings.AT_RISK_INACTIVE_DAYS
    released = [c.column.session.opens_at for c in row.cells if c.column.released]
    if not released:
        return None
    since = row.last_activity or max(row.enrollment.created_at, min(released))
    idle = (now - since).days
    if idle < days:
        return None
    if row.last_activity is None:
        return f"No activity yet, {idle} days since they could start"
    return f"No activity for {idle} days"


def _low_mastery(row: FellowRow, objectives: dict[int, str]) -> str | None:
    threshold = settings.AT_RISK_LOW_MASTERY
    low = [
        m for pk, m in row.mastery.items() if pk in objectives and m.total and m.ratio < threshold
    ]
    if not low:
        return None
    worst = min(low, key=lambda m: (m.ratio, m.objective_id))
    more = f" and {len(low) - 1} more" if len(low) > 1 else ""
    return (
        f"Mastery below {round(100 * threshold)}% on {objectives[worst.objective_id]} "
        f"({worst.correct} of {worst.total} right){more}"
    )


def _missed_last_session(row: FellowRow) -> str | None:
    """Recorded absent (not excused, not unrecorded) at the most recent session held."""
    if row.last_mark != Attendance.Status.ABSENT:
        return None
    return f"Missed the last session (week {row.held_columns[-1].unit.week})"


# --- My cohorts ---------------------------------------------------------------------------------


@dataclass
class CohortSummary:
    cohort: Cohort
    zone: str
    next_session: Session | None
    current: Session | None
    fellows: int
    core_ready: int

    @property
    def health(self) -> str:
        if self.current is None or not self.current.core_total:
            return f"{self.fellows} fellow{'s' if self.fellows != 1 else ''}."
        return (
            f"{self.core_ready} of {self.fellows} fellow{'s' if self.fellows != 1 else ''} "
            f"{'has' if self.fellows == 1 else 'have'} finished the week "
            f"{self.current.unit.week} core readings."
        )


def _core_ready_per_cohort(fellows: list[tuple[int, int]], current: dict[int, Session]) -> dict:
    """Active fellows who read every live core reading of their cohort's current unit. One
    query of (fellow, unit) counts."""
    active = Enrollment.objects.filter(
        cohort__in=list(current), role=Enrollment.Role.FELLOW, status=Enrollment.Status.ACTIVE
    )
    rows = (
        ReadingProgress.objects.filter(
            user__in=active.values("user"),
            reading__unit__in=[session.unit_id for session in current.values()],
            reading__tier=Reading.Tier.CORE,
            reading__archived_at=None,
        )
        .values("user", "reading__unit")
        .annotate(n=Count("pk"))
        .values_list("user", "reading__unit", "n")
    )
    counts = {(user, unit): n for user, unit, n in rows}
    ready: dict[int, int] = defaultdict(int)
    for cohort_id, user_id in fellows:
        session = current.get(cohort_id)
        if session and counts.get((user_id, session.unit_id), 0) >= session.core_total:
            ready[cohort_id] += 1
    return ready


def facilitator_home(*, user: User, now: datetime | None = None) -> list[CohortSummary]:
    """The cohorts this person facilitates (all for staff), each with its next session, this
    week's unit and how many active fellows finished its core readings. Four queries."""
    now = now or timezone.now()
    cohorts = list(facilitated_cohorts(user=user).order_by("-start_date", "name"))
    sessions = defaultdict(list)
    for session in (
        Session.objects.on_live_units()
        .filter(cohort__in=cohorts)
        .select_related("unit")
        .annotate(core_total=_core_total())
        .order_by("starts_at", "pk")
    ):
        sessions[session.cohort_id].append(session)
    fellows = list(
        Enrollment.objects.filter(
            cohort__in=cohorts, role=Enrollment.Role.FELLOW, status=Enrollment.Status.ACTIVE
        ).values_list("cohort", "user")
    )
    current = {}
    for cohort in cohorts:
        found = current_session(cohort=cohort, sessions=sessions[cohort.pk], now=now)
        if found is not None:
            current[cohort.pk] = found
    ready = _core_ready_per_cohort(fellows, current) if current else {}
    per_cohort = defaultdict(int)
    for cohort_id, _ in fellows:
        per_cohort[cohort_id] += 1
    return [
        CohortSummary(
            cohort=cohort,
            zone=user.timezone or cohort.timezone,
            next_session=next((s for s in sessions[cohort.pk] if s.starts_at > now), None),
            current=current.get(cohort.pk),
            fellows=per_cohort[cohort.pk],
            core_ready=ready.get(cohort.pk, 0),
        )
        for cohort in cohorts
    ]


# --- One fellow ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    at: datetime
    text: str


@dataclass
class FellowUnit:
    column: UnitColumn
    readings: list[Reading]
    attempts: list[Attempt]
    feedback: UnitFeedback | None
    mark: str | None = None  # attendance at the unit's session

    @property
    def mark_label(self) -> str:
        return mark_label(self.mark)

    @property
    def core_done(self) -> int:
        return sum(1 for r in self.readings if r.tier == Reading.Tier.CORE and r.done_at)


@dataclass
class FellowDetail:
    cohort: Cohort
    enrollment: Enrollment
    units: list[FellowUnit]
    timeline: list[Event]

    @property
    def user(self) -> User:
        return self.enrollment.user

    @property
    def later(self) -> list[FellowUnit]:
        return [unit for unit in self.units if not unit.column.released]

    @property
    def held(self) -> list[FellowUnit]:
        return [unit for unit in self.units if unit.column.held]

    @property
    def sessions_attended(self) -> int:
        return sum(1 for unit in self.held if unit.mark == Attendance.Status.PRESENT)

    @property
    def sessions_recorded(self) -> int:
        return sum(1 for unit in self.held if unit.mark)


def fellow_enrollment(*, cohort: Cohort, user_pk: int) -> Enrollment | None:
    return (
        Enrollment.objects.filter(cohort=cohort, user_id=user_pk, role=Enrollment.Role.FELLOW)
        .select_related("user")
        .first()
    )


def fellow_detail(*, cohort: Cohort, enrollment: Enrollment) -> FellowDetail:
    """One fellow's progress per unit and reading, submitted quiz attempts with their answers,
    named feedback, attendance and a timeline. Six queries; anonymous feedback is never read."""
    user = enrollment.user
    columns = _columns(cohort, timezone.now())
    units = [c.unit for c in columns]
    done_at = ReadingProgress.objects.filter(user=user, reading=OuterRef("pk"))
    readings = defaultdict(list)
    for reading in (
        Reading.objects.live()
        .filter(unit__in=units)
        .annotate(done_at=Subquery(done_at.values("completed_at")[:1]))
        .order_by("tier", "position", "pk")
    ):
        readings[reading.unit_id].append(reading)
    attempts = defaultdict(list)
    for attempt in (
        Attempt.objects.filter(user=user, quiz__unit__in=units, submitted_at__isnull=False)
        .select_related("quiz")
        .prefetch_related(Prefetch("answers", Answer.objects.select_related("reviewed_by")))
        .order_by("number")
    ):
        attempts[attempt.quiz.unit_id].append(attempt)
    feedback = {
        f.unit_id: f
        for f in UnitFeedback.objects.filter(user=user, unit__in=units, anonymous=False)
    }
    marks = attendance_for_fellow(user=user, cohort=cohort)
    fellow_units = [
        FellowUnit(
            c,
            readings[c.unit.pk],
            attempts[c.unit.pk],
            feedback.get(c.unit.pk),
            marks.get(c.session.pk) if c.held else None,
        )
        for c in columns
    ]
    return FellowDetail(cohort, enrollment, fellow_units, _timeline(fellow_units))


def _timeline(units: list[FellowUnit]) -> list[Event]:
    events = []
    for unit in units:
        week = unit.column.unit.week
        events += [
            Event(r.done_at, f"Read “{r.title}” (week {week})") for r in unit.readings if r.done_at
        ]
        for attempt in unit.attempts:
            result = "passed" if attempt.passed else "not passed"
            score = "unscored" if attempt.score is None else f"{rounded_percent(attempt.score)}%"
            text = f"Submitted week {week} quiz, attempt {attempt.number}: {score}, {result}"
            events.append(Event(attempt.submitted_at, text))
        if unit.feedback:
            events.append(Event(unit.feedback.updated_at, f"Gave feedback on week {week}"))
    return sorted(events, key=lambda e: e.at, reverse=True)


def cohort_sessions(*, cohort: Cohort) -> list[Session]:
    """The cohort's sessions on live, published units, in time order. One query."""
    return list(
        Session.objects.on_live_units()
        .filter(cohort=cohort)
        .select_related("unit")
        .order_by("starts_at", "pk")
    )


# --- Attendance ---------------------------------------------------------------------------------


def on_the_register(*, cohort_id: int) -> QuerySet[Enrollment]:
    """Whose attendance a session's register takes: the cohort's fellows who have not dropped
    out (deferred ones too)."""
    return Enrollment.objects.filter(cohort_id=cohort_id, role=Enrollment.Role.FELLOW).exclude(
        status=Enrollment.Status.DROPPED
    )


def mark_label(mark: str | None) -> str:
    return Attendance.Status(mark).label if mark else "Not recorded"


@dataclass
class SheetRow:
    user: Fellow
    enrollment_status: str
    mark: str | None

    @property
    def mark_label(self) -> str:
        return mark_label(self.mark)

    def get_status_display(self) -> str:
        return Enrollment.Status(self.enrollment_status).label


@dataclass
class AttendanceSheet:
    """One session's register: the cohort's fellows who have not dropped out, each with their
    mark, and the sessions held so far to move between."""

    cohort: Cohort
    session: Session
    sessions: list[Session]
    rows: list[SheetRow]
    started: bool

    @property
    def count(self) -> AttendanceCount:
        return AttendanceCount.of(row.mark for row in self.rows)

    @property
    def unrecorded(self) -> list[SheetRow]:
        return [row for row in self.rows if not row.mark]

    def row(self, user_id: int) -> SheetRow | None:
        return next((row for row in self.rows if row.user.pk == user_id), None)


def attendance_sheet(
    *, cohort: Cohort, session_pk: int, now: datetime | None = None
) -> AttendanceSheet | None:
    """The register of one of the cohort's sessions (on a live, published unit), or None if it
    has no such session. Three queries."""
    now = now or timezone.now()
    sessions = cohort_sessions(cohort=cohort)
    for session in sessions:
        session.cohort = cohort
    session = next((s for s in sessions if s.pk == session_pk), None)
    if session is None:
        return None
    marks = dict(Attendance.objects.filter(session=session).values_list("user_id", "status"))
    fellows = (
        on_the_register(cohort_id=cohort.pk)
        .order_by("user__display_name", "user__email")
        .values_list("user_id", "user__display_name", "user__email", "user__retired_at", "status")
    )
    rows = [SheetRow(Fellow(*row[:4]), row[4], marks.get(row[0])) for row in fellows]
    return AttendanceSheet(
        cohort=cohort,
        session=session,
        sessions=[s for s in sessions if s.starts_at <= now],
        rows=rows,
        started=session.starts_at <= now,
    )
