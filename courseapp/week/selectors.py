from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
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
)
from courseapp.platform.security import has_staff_powers


def enrollments_for_user(*, user: User) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(user=user)
        .select_related("cohort", "cohort__course")
        .order_by("cohort__start_date", "cohort__name")
    )


def units_open_to(*, user: User) -> QuerySet[Unit]:
    """Units this person may open right now.

    Staff: every live unit. Others: published, live units of a course they are enrolled in
    (any status but dropped), that are open for one of their cohorts: a facilitator sees every
    unit of the course; a self-paced cohort opens everything; a weekly cohort opens a unit
    when its session's opens_at has passed.
    """
    units = Unit.objects.live()
    if has_staff_powers(user):
        return units
    if not user.is_authenticated:
        return units.none()
    # Uncorrelated IN subqueries without the models' orderings rather than three correlated
    # EXISTS: the rule is compiled into most of the fellow's queries, and this form is quicker
    # to build and compile (BENCHMARKS.md).
    enrolled = (
        Enrollment.objects.filter(user=user).exclude(status=Enrollment.Status.DROPPED).order_by()
    )
    whole_course = enrolled.filter(
        Q(role=Enrollment.Role.FACILITATOR) | Q(cohort__pacing=Cohort.Pacing.SELF_PACED)
    )
    released = Session.objects.filter(
        opens_at__lte=timezone.now(), cohort__in=enrolled.values("cohort")
    ).order_by()
    return units.filter(published=True).filter(
        Q(course_id__in=whole_course.values("cohort__course_id"))
        | Q(pk__in=released.values("unit_id"))
    )


def reading_open_to(*, user: User, reading_id: int) -> bool:
    """Whether this person may open this reading right now (as `readings_open_to`). One query."""
    return readings_open_to(user=user).filter(pk=reading_id).exists()


def readings_open_to(*, user: User) -> QuerySet[Reading]:
    """Live readings of the units this person may open right now."""
    return Reading.objects.live().filter(unit__in=units_open_to(user=user))


def join_window() -> timedelta:
    """How long before a session starts its Join button turns prominent."""
    return timedelta(minutes=settings.JOIN_WINDOW_MINUTES)


def schedule_next_change(*, user: User, after: datetime | None = None) -> datetime | None:
    """The next moment (after `after`, default now) one of this person's cohorts opens a unit,
    opens a session's Join window, starts or ends a session or closes a session's feedback
    window: until then, what the schedule lets them see stays as it is. One query; a cohort has
    one session a unit."""
    now = after or timezone.now()
    cohorts = Enrollment.objects.filter(user=user).exclude(status=Enrollment.Status.DROPPED)
    sessions = Session.objects.filter(cohort__in=cohorts.values("cohort")).values_list(
        "opens_at",
        "starts_at",
        "cohort__feedback_window_days",
        "cohort__pacing",
        "cohort__session_minutes",
    )
    moments = []
    for opens_at, starts_at, window_days, pacing, minutes in sessions:
        ends_at = starts_at + timedelta(minutes=minutes)
        moments += [opens_at, starts_at - join_window(), starts_at, ends_at]
        if pacing != Cohort.Pacing.SELF_PACED:
            moments.append(starts_at + timedelta(days=window_days))
    return min((m for m in moments if m > now), default=None)


def display_zone(*, user: User, cohort: Cohort | None = None) -> str:
    """The timezone a person sees times in: their profile's, else the cohort's."""
    return user.timezone or (cohort.timezone if cohort else settings.TIME_ZONE)


def reading_done(user: User) -> Exists:
    return Exists(ReadingProgress.objects.filter(user=user, reading=OuterRef("pk")))


def unit_readings_for_fellow(*, user: User, unit: Unit | Subquery) -> list[Reading]:
    """The unit's live readings in page order, each annotated with `done` for this person
    (and `has_body` instead of a hosted chapter's whole HTML, which the list does not show)."""
    readings = Reading.objects.live().filter(unit=unit).defer("body", "meta")
    has_body = ExpressionWrapper(~Q(body=""), output_field=BooleanField())
    return list(
        readings.annotate(done=reading_done(user), has_body=has_body).order_by(
            "tier", "position", "pk"
        )
    )


def reading_with_unit_progress(*, user: User, reading_id: int) -> tuple[Reading, "UnitProgress"]:
    """This live reading as on the unit page (`done`, `has_body`, `user_feedback`), and this
    person's progress through its unit: what the mark-read POST answers with. Two queries; the
    caller has checked that the reading is open to this person. Raises Reading.DoesNotExist for
    a reading that is not live."""
    unit = Reading.objects.live().filter(pk=reading_id).values("unit_id")
    readings = unit_readings_for_fellow(user=user, unit=Subquery(unit))
    reading = next((r for r in readings if r.pk == reading_id), None)
    if reading is None:
        raise Reading.DoesNotExist(f"No live reading {reading_id}.")
    reading.user_feedback = ReadingFeedback.objects.filter(user=user, reading=reading).first()
    return reading, UnitProgress.of(readings)


@dataclass
class TierProgress:
    tier: int
    label: str
    readings: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.readings)

    @property
    def done(self) -> int:
        return sum(1 for r in self.readings if r.done)

    @property
    def left(self) -> int:
        return self.total - self.done

    @property
    def minutes_left(self) -> int:
        return sum(r.minutes for r in self.readings if not r.done)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class UnitProgress:
    """Per-tier progress of one person through one unit's readings (computed in Python from
    rows already loaded, so the summary costs no query of its own)."""

    tiers: list[TierProgress]

    @classmethod
    def of(cls, readings: list) -> "UnitProgress":
        tiers = {t: TierProgress(t, label) for t, label in Reading.Tier.choices}
        for reading in readings:
            tiers[reading.tier].readings.append(reading)
        return cls(list(tiers.values()))

    @property
    def total(self) -> int:
        return sum(tier.total for tier in self.tiers)

    @property
    def core(self) -> TierProgress:
        return self.tiers[0]

    def tier(self, tier: int) -> TierProgress:
        return self.tiers[tier - 1]


def _progress_rows(*, user: User, units) -> dict[int, UnitProgress]:
    """One query: the live readings of these units with `done`, grouped per unit."""
    rows = (
        Reading.objects.live()
        .filter(unit__in=units)
        .annotate(done=reading_done(user))
        .only("pk", "unit_id", "tier", "minutes")
        .order_by("unit_id", "tier", "position", "pk")
    )
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.unit_id, []).append(row)
    return {unit_id: UnitProgress.of(readings) for unit_id, readings in grouped.items()}


def _visible_sessions(cohorts: list[Cohort]) -> dict[int, list[Session]]:
    """The sessions of these cohorts' published, live units in time order, per cohort id. One
    query: each session is given its cohort from `cohorts` (its meeting details and end need it)."""
    by_id = {cohort.pk: cohort for cohort in cohorts}
    by_cohort: dict[int, list[Session]] = {pk: [] for pk in by_id}
    sessions = (
        Session.objects.on_live_units()
        .filter(cohort__in=list(by_id))
        .select_related("unit")
        .order_by("starts_at")
    )
    for session in sessions:
        session.cohort = by_id[session.cohort_id]
        by_cohort[session.cohort_id].append(session)
    return by_cohort


@dataclass(frozen=True)
class Meeting:
    """A session as its fellows meet it, seen at one moment: where (a call to join, a place),
    whether it is on, and whether its Join button is prominent (from `join_window()` before it
    starts until it ends)."""

    session: Session
    in_progress: bool
    join_open: bool
    ended: bool

    @classmethod
    def at(cls, session: Session, now: datetime) -> "Meeting":
        starts, ends = session.starts_at, session.ends_at
        return cls(
            session,
            in_progress=starts <= now < ends,
            join_open=starts - join_window() <= now < ends,
            ended=ends <= now,
        )

    @property
    def join_url(self) -> str:
        return self.session.join_url

    @property
    def place(self) -> str:
        return self.session.place

    @property
    def has_own_details(self) -> bool:
        """Whether this session meets somewhere other than the cohort's usual link or place."""
        return bool(self.session.meeting_url or self.session.meeting_place)


def next_meeting(sessions: list[Session], now: datetime) -> Meeting | None:
    """The session on now, else the next one to start (sessions in time order)."""
    session = next((s for s in sessions if s.ends_at > now), None)
    return Meeting.at(session, now) if session else None


def current_session(*, cohort: Cohort, sessions: list[Session], now: datetime) -> Session | None:
    """This week's session: for weekly release the latest unit to open; for a self-paced
    cohort the next session (or the last one once the course is over)."""
    if cohort.pacing == Cohort.Pacing.SELF_PACED:
        upcoming = [s for s in sessions if s.starts_at >= now]
        return upcoming[0] if upcoming else (sessions[-1] if sessions else None)
    opened = [s for s in sessions if s.opens_at <= now]
    return max(opened, key=lambda s: s.opens_at) if opened else None


@dataclass
class CohortCard:
    enrollment: Enrollment
    zone: str
    # The session on now, else the next one: when and where, and its Join link.
    meeting: Meeting | None
    current: Session | None
    first_opens: Session | None
    progress: UnitProgress | None

    @property
    def cohort(self) -> Cohort:
        return self.enrollment.cohort

    @property
    def is_facilitator(self) -> bool:
        return self.enrollment.role == Enrollment.Role.FACILITATOR


def home_cards(*, user: User) -> list[CohortCard]:
    """Each cohort this person is in (not dropped), with the session on now or next (and where
    it meets) and this week's unit and what is left in it. Three queries whatever the number of
    cohorts or units."""
    enrollments = list(enrollments_for_user(user=user).exclude(status=Enrollment.Status.DROPPED))
    by_cohort = _visible_sessions([e.cohort for e in enrollments])
    now = timezone.now()
    cards = []
    for enrollment in enrollments:
        sessions = by_cohort[enrollment.cohort_id]
        cards.append(
            CohortCard(
                enrollment=enrollment,
                zone=display_zone(user=user, cohort=enrollment.cohort),
                meeting=next_meeting(sessions, now),
                current=current_session(cohort=enrollment.cohort, sessions=sessions, now=now),
                first_opens=sessions[0] if sessions else None,
                progress=None,
            )
        )
    units = {c.current.unit_id for c in cards if c.current and not c.is_facilitator}
    progress = _progress_rows(user=user, units=units) if units else {}
    for card in cards:
        if card.current and not card.is_facilitator:
            card.progress = progress.get(card.current.unit_id, UnitProgress.of([]))
    return cards


def enrollment_in_course(*, user: User, course: Course) -> Enrollment | None:
    """This person's enrolment in the course (not dropped), preferring a fellow's place."""
    return (
        Enrollment.objects.filter(user=user, cohort__course=course)
        .exclude(status=Enrollment.Status.DROPPED)
        .select_related("cohort")
        .order_by("-role", "cohort__start_date")
        .first()
    )


@dataclass
class UnitRow:
    unit: Unit
    session: Session | None
    is_open: bool
    progress: UnitProgress
    # Quiz mastery: how many of the unit's objectives are at each level; filled in by the view.
    mastery: dict[str, int] | None = None
    meeting: Meeting | None = None
    # Whether this row's session is the one on now or next (the one with the Join button).
    is_next: bool = False
    # The fellow's recorded attendance at this row's session, if any; filled in by the view.
    attendance: str = ""


@dataclass
class CourseOverview:
    course: Course
    enrollment: Enrollment | None
    zone: str
    rows: list[UnitRow]

    @property
    def meeting_url(self) -> str:
        """The cohort's usual meeting link."""
        return self.enrollment.cohort.join_url if self.enrollment else ""

    @property
    def meeting_place(self) -> str:
        """The cohort's usual meeting place."""
        return self.enrollment.cohort.meeting_place if self.enrollment else ""

    @property
    def core_total(self) -> int:
        return sum(row.progress.core.total for row in self.rows)

    @property
    def core_done(self) -> int:
        return sum(row.progress.core.done for row in self.rows)

    @property
    def core_percent(self) -> int:
        return round(100 * self.core_done / self.core_total) if self.core_total else 0


def course_overview(*, user: User, course: Course) -> CourseOverview | None:
    """Every unit of the course with its release, whether it is open and this person's progress.
    None when the person is neither enrolled nor staff. Four queries."""
    enrollment = enrollment_in_course(user=user, course=course)
    if enrollment is None and not has_staff_powers(user):
        return None
    is_open = Exists(units_open_to(user=user).filter(pk=OuterRef("pk")))
    units = list(
        course.units.live()
        .filter(published=True)
        .annotate(is_open=is_open)
        .order_by("position", "week", "pk")
    )
    cohort = enrollment.cohort if enrollment else None
    timeline = _visible_sessions([cohort])[cohort.pk] if cohort else []
    sessions = {s.unit_id: s for s in timeline}
    progress = _progress_rows(user=user, units=units)
    rows = [
        UnitRow(u, sessions.get(u.pk), u.is_open, progress.get(u.pk, UnitProgress.of([])))
        for u in units
    ]
    _attach_meetings(rows, timeline)
    return CourseOverview(course, enrollment, display_zone(user=user, cohort=cohort), rows)


def _attach_meetings(rows: list[UnitRow], timeline: list[Session]) -> None:
    """Each row's session as a Meeting, and which row's session is on now or next."""
    now = timezone.now()
    upcoming = next_meeting(timeline, now)
    for row in rows:
        if row.session is not None:
            row.meeting = Meeting.at(row.session, now)
            row.is_next = upcoming is not None and upcoming.session.pk == row.session.pk


def unit_release_for(*, user: User, unit: Unit) -> Session | None:
    """The session that releases this unit to the person's cohort in its course, if any."""
    enrollment = enrollment_in_course(user=user, course=unit.course)
    if enrollment is None:
        return None
    return (
        Session.objects.filter(cohort=enrollment.cohort, unit=unit).select_related("cohort").first()
    )


def facilitates(*, user: User, cohort: Cohort) -> bool:
    """Staff, or an active facilitator of this cohort."""
    return (
        has_staff_powers(user)
        or Enrollment.objects.filter(
            cohort=cohort,
            user=user,
            role=Enrollment.Role.FACILITATOR,
            status=Enrollment.Status.ACTIVE,
        ).exists()
    )
