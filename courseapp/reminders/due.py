"""What is due: reminders to record now, found in a fixed number of queries per batch.

A sweep first loads its plan (five queries, whatever the number of fellows): the sessions whose
before-session, quiz or digest reminders fall due now, the cohorts that are running (for
"where you left off") and the core readings of the units involved. It then walks the eligible
enrolments of those cohorts in keyset-paginated batches; each batch costs one query for the
enrolments and at most four grouped queries for what its fellows have read, attempted and
done lately. Queries grow with batches, not with people.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db.models import Exists, F, Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import NotificationPreferences
from courseapp.models import Cohort, Enrollment, Reading, ReadingProgress, Reminder, Session
from courseapp.week import selectors
from quizzes.models import Attempt

from .window import before_session_due, in_window, wants, zone_of

Kind = Reminder.Kind
# How much earlier than its lead a before-session reminder can fall due, when the whole lead is
# at night and it goes out in the last daytime before the session instead (window.py).
NIGHT_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class Due:
    """One reason to email one person, not yet recorded."""

    recipient_id: int
    kind: str
    cohort_id: int
    session_id: int | None
    key: str
    payload: dict


def session_key(*, recipient_id: int, kind: str, session: Session) -> str:
    """Holds the session's start, so a moved session is a new reminder and nothing else is."""
    starts = session.starts_at.astimezone(UTC).isoformat()
    return f"{recipient_id}:{kind}:{session.cohort_id}:{session.pk}:{starts}"


def eligible_enrollments() -> QuerySet[Enrollment]:
    """Enrolments whose person may get reminders: active in the cohort (not dropped, deferred
    or completed), an active account, and a verified email address."""
    verified = EmailAddress.objects.filter(
        user_id=OuterRef("user_id"), email__iexact=OuterRef("user__email"), verified=True
    )
    return Enrollment.objects.filter(
        Exists(verified), status=Enrollment.Status.ACTIVE, user__is_active=True
    )


def refusal(*, enrollment: Enrollment, kind: str) -> str:
    """Why this person may not get this kind of email, or "" when they may."""
    user = enrollment.user
    if enrollment.status != Enrollment.Status.ACTIVE:
        return f"{user.name} is {enrollment.get_status_display().lower()} in this cohort."
    if kind == Kind.NUDGE and enrollment.role != Enrollment.Role.FELLOW:
        return "Only fellows can be nudged."
    if not user.is_active:
        return f"{user.name}'s account is deactivated."
    if not eligible_enrollments().filter(pk=enrollment.pk).exists():
        return f"{user.name} has not verified their email address."
    if not wants(user, kind):
        return f"{user.name} has turned these emails off."
    return ""


# --- The plan ---------------------------------------------------------------------------------


@dataclass
class SweepPlan:
    now: datetime
    cohorts: dict[int, Cohort] = field(default_factory=dict)
    before: dict[int, list[Session]] = field(default_factory=lambda: defaultdict(list))
    digest: dict[int, list[Session]] = field(default_factory=lambda: defaultdict(list))
    quiz: dict[int, list[Session]] = field(default_factory=lambda: defaultdict(list))
    # Running cohorts -> this week's session, for "where you left off", and when the cohort's
    # first unit opened (nobody is idle before there was anything to do).
    current: dict[int, Session] = field(default_factory=dict)
    started: dict[int, datetime] = field(default_factory=dict)
    # Unit -> its live core readings, as the email lists them.
    core: dict[int, list[dict]] = field(default_factory=dict)
    # Session -> what every email about it lists, built once per sweep rather than per person.
    payloads: dict[int, dict] = field(default_factory=dict)

    @property
    def cohort_ids(self) -> set[int]:
        return {*self.before, *self.digest, *self.quiz, *self.current}

    def payload(self, session: Session) -> dict:
        """_session_payload(session), shared: callers copy it into a new dict, never change it."""
        if session.pk not in self.payloads:
            self.payloads[session.pk] = _session_payload(session)
        return self.payloads[session.pk]


def _windows(session: Session, now: datetime) -> dict[str, bool]:
    cohort, starts = session.cohort, session.starts_at
    ends = starts + timedelta(minutes=cohort.session_minutes)
    digest_lead = timedelta(hours=settings.REMINDER_DIGEST_LEAD_HOURS)
    before_lead = timedelta(hours=cohort.reminder_lead_hours)
    return {
        # A candidate only: whether it is due depends on the recipient's window (_before_session).
        "before": starts - before_lead - NIGHT_SLACK <= now < starts,
        "digest": starts - digest_lead <= now < starts,
        "quiz": bool(session.quiz_id)
        and ends <= now < ends + timedelta(days=settings.REMINDER_QUIZ_DAYS),
    }


def _visible_sessions() -> QuerySet[Session]:
    return Session.objects.on_live_units().select_related("cohort__course", "unit")


def _running(now: datetime) -> tuple[list[Session], dict[int, datetime]]:
    """This week's session of each running cohort (one unit opened, one session to come), and
    when each cohort's first unit opened."""
    mine = _visible_sessions().filter(cohort=OuterRef("pk"))
    latest = mine.filter(opens_at__lte=now).order_by("-opens_at").values("pk")[:1]
    upcoming = mine.filter(starts_at__gte=now).order_by("starts_at").values("pk")[:1]
    first = mine.order_by("opens_at").values("opens_at")[:1]
    cohorts = Cohort.objects.filter(
        Exists(mine.filter(opens_at__lte=now)), Exists(mine.filter(starts_at__gte=now))
    ).annotate(latest=Subquery(latest), upcoming=Subquery(upcoming), first=Subquery(first))
    ids, started = [], {}
    for cohort in cohorts:
        ids.append(cohort.upcoming if cohort.pacing == Cohort.Pacing.SELF_PACED else cohort.latest)
        started[cohort.pk] = cohort.first
    return list(_visible_sessions().filter(pk__in=ids)), started


def sweep_plan(*, now: datetime) -> SweepPlan:
    plan = SweepPlan(now=now)
    lead = Cohort.objects.aggregate(lead=Max("reminder_lead_hours"))["lead"] or 0
    digest = settings.REMINDER_DIGEST_LEAD_HOURS
    horizon = now + max(timedelta(hours=lead) + NIGHT_SLACK, timedelta(hours=digest))
    # A day of slack for the session's own length before its quiz reminder starts.
    since = now - timedelta(days=settings.REMINDER_QUIZ_DAYS + 1)
    sessions = _visible_sessions().filter(starts_at__gt=since, starts_at__lte=horizon)
    for session in sessions.annotate(
        quiz_id=F("unit__quiz__id"), quiz_title=F("unit__quiz__title")
    ):
        for name, is_due in _windows(session, now).items():
            if is_due:
                getattr(plan, name)[session.cohort_id].append(session)
                plan.cohorts[session.cohort_id] = session.cohort
    running, plan.started = _running(now)
    for session in running:
        plan.current[session.cohort_id] = session
        plan.cohorts[session.cohort_id] = session.cohort
    units = {s.unit_id for sessions in plan.before.values() for s in sessions}
    units |= {s.unit_id for s in plan.current.values()}
    plan.core = _core_readings(units)
    return plan


def _core_readings(unit_ids: set[int]) -> dict[int, list[dict]]:
    core: dict[int, list[dict]] = {unit_id: [] for unit_id in unit_ids}
    readings = (
        Reading.objects.live()
        .filter(unit_id__in=unit_ids, tier=Reading.Tier.CORE)
        .order_by("unit_id", "position", "pk")
        .values("id", "unit_id", "title", "minutes")
    )
    for reading in readings:
        core[reading.pop("unit_id")].append(reading)
    return core


# --- Batches ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Member:
    """One eligible enrolment, as the due rules read it. Plain rows, not model instances:
    building an Enrollment, a User and their preferences per enrolment cost more than the
    query that loads them."""

    pk: int
    user_id: int
    cohort_id: int
    role: str
    created_at: datetime
    timezone: str
    last_login: datetime | None
    turned_off: frozenset[str]

    def wants(self, kind: str) -> bool:
        return kind not in self.turned_off


KINDS = NotificationPreferences.KINDS
MEMBER_FIELDS = (
    *("pk", "user_id", "cohort_id", "role", "created_at", "user__timezone", "user__last_login"),
    *(f"user__notification_preferences__{kind}" for kind in KINDS),
)
NOTHING_OFF: frozenset[str] = frozenset()


def _member(row: tuple) -> Member:
    # No preferences row (None everywhere) means every kind is on.
    wanted = row[7:]
    off = frozenset(k for k, on in zip(KINDS, wanted, strict=True) if on is False)
    return Member(*row[:7], off if off else NOTHING_OFF)


def enrollment_batches(
    *, cohort_ids: set[int], batch_size: int | None = None
) -> Iterator[list[Member]]:
    """Eligible enrolments of these cohorts, by primary key, a batch at a time (keyset
    pagination: each batch is an index range scan, however deep into the table)."""
    if not cohort_ids:
        return
    size = batch_size or settings.REMINDER_BATCH_SIZE
    rows = (
        eligible_enrollments()
        .filter(cohort_id__in=cohort_ids)
        .order_by("pk")
        .values_list(*MEMBER_FIELDS)
    )
    last = 0
    while batch := [_member(row) for row in rows.filter(pk__gt=last)[:size]]:
        yield batch
        if len(batch) < size:
            return
        last = batch[-1].pk


@dataclass
class BatchFacts:
    """What a batch's fellows have done, loaded in a few grouped queries."""

    read: set[tuple[int, int]]
    attempted: set[tuple[int, int]]
    last_active: dict[int, datetime]


def _batch_facts(plan: SweepPlan, fellows: list[Member]) -> BatchFacts:
    users = {e.user_id for e in fellows}
    units = {s.unit_id for e in fellows for s in plan.before.get(e.cohort_id, ())}
    units |= {plan.current[e.cohort_id].unit_id for e in fellows if e.cohort_id in plan.current}
    readings = [r["id"] for unit in units for r in plan.core.get(unit, ())]
    quizzes = {s.quiz_id for e in fellows for s in plan.quiz.get(e.cohort_id, ())}
    idle = {e.user_id for e in fellows if e.cohort_id in plan.current}
    facts = BatchFacts(read=set(), attempted=set(), last_active={})
    if users and readings:
        facts.read = set(
            ReadingProgress.objects.filter(user_id__in=users, reading_id__in=readings)
            .order_by()
            .values_list("user_id", "reading_id")
        )
    if users and quizzes:
        # No ordering anywhere here: Attempt's default one (by quiz, through unit and course)
        # joined four tables, scanned every user and put its columns into the DISTINCT.
        submitted = Attempt.objects.filter(
            user_id__in=users, quiz_id__in=quizzes, submitted_at__isnull=False
        ).order_by()
        facts.attempted = set(submitted.values_list("user_id", "quiz_id").distinct())
    if idle:
        for model, moment in ((ReadingProgress, "completed_at"), (Attempt, "started_at")):
            rows = (
                model.objects.filter(user_id__in=idle)
                .order_by()
                .values("user_id")
                .annotate(last=Max(moment))
            )
            for row in rows.values_list("user_id", "last"):
                facts.last_active[row[0]] = max(row[1], facts.last_active.get(row[0], row[1]))
    return facts


def due_in_batch(*, plan: SweepPlan, batch: list[Member]) -> list[Due]:
    """Every reminder due now for this batch of enrolments, for people in their daytime."""
    awake = [
        m
        for m in batch
        if in_window(
            now=plan.now, zone=zone_of(timezone=m.timezone, cohort=plan.cohorts[m.cohort_id])
        )
    ]
    fellows = [e for e in awake if e.role == Enrollment.Role.FELLOW]
    facts = _batch_facts(plan, fellows)
    found: list[Due] = []
    for enrollment in awake:
        if enrollment.role == Enrollment.Role.FACILITATOR:
            found += _digests(plan, enrollment)
        else:
            found += _before_session(plan, enrollment, facts)
            found += _quizzes(plan, enrollment, facts)
            found += _inactive(plan, enrollment, facts)
    return found


def _session_payload(session: Session) -> dict:
    return {
        "session_id": session.pk,
        "starts_at": session.starts_at.isoformat(),
        "unit_id": session.unit_id,
        "unit_title": session.unit.title,
        "week": session.unit.week,
        "cohort_name": session.cohort.name,
        "course_title": session.cohort.course.title,
        "join_url": session.join_url,
        "place": session.place,
    }


def _due(enrollment: Member, kind: str, session: Session, payload: dict) -> Due:
    key = session_key(recipient_id=enrollment.user_id, kind=kind, session=session)
    return Due(enrollment.user_id, kind, enrollment.cohort_id, session.pk, key, payload)


def _unread(plan: SweepPlan, unit_id: int, user_id: int, facts: BatchFacts) -> list[dict]:
    return [r for r in plan.core.get(unit_id, ()) if (user_id, r["id"]) not in facts.read]


def _before_session(plan: SweepPlan, enrollment: Member, facts: BatchFacts) -> list[Due]:
    if not enrollment.wants(Kind.BEFORE_SESSION):
        return []
    found = []
    zone = zone_of(timezone=enrollment.timezone, cohort=plan.cohorts[enrollment.cohort_id])
    for session in plan.before.get(enrollment.cohort_id, ()):
        lead = timedelta(hours=session.cohort.reminder_lead_hours)
        if not before_session_due(starts=session.starts_at, lead=lead, now=plan.now, zone=zone):
            continue
        unread = _unread(plan, session.unit_id, enrollment.user_id, facts)
        if unread:
            payload = {**plan.payload(session), "readings": unread}
            found.append(_due(enrollment, Kind.BEFORE_SESSION, session, payload))
    return found


def _quizzes(plan: SweepPlan, enrollment: Member, facts: BatchFacts) -> list[Due]:
    if not enrollment.wants(Kind.QUIZ_AFTER_SESSION):
        return []
    return [
        _due(
            enrollment,
            Kind.QUIZ_AFTER_SESSION,
            session,
            {
                **plan.payload(session),
                "quiz_id": session.quiz_id,
                "quiz_title": session.quiz_title,
            },
        )
        for session in plan.quiz.get(enrollment.cohort_id, ())
        if (enrollment.user_id, session.quiz_id) not in facts.attempted
    ]


def _inactive(plan: SweepPlan, enrollment: Member, facts: BatchFacts) -> list[Due]:
    session = plan.current.get(enrollment.cohort_id)
    if session is None or not enrollment.wants(Kind.INACTIVE):
        return []
    user_id = enrollment.user_id
    moments = [
        enrollment.last_login,
        facts.last_active.get(user_id),
        enrollment.created_at,
        plan.started.get(enrollment.cohort_id),
    ]
    last = max(m for m in moments if m is not None)
    if last > plan.now - timedelta(days=settings.REMINDER_INACTIVE_DAYS):
        return []
    # The last activity is in the key: one reminder per spell of inactivity, a new one after
    # the person comes back and goes quiet again.
    marker = last.astimezone(UTC).isoformat()
    key = f"{user_id}:{Kind.INACTIVE}:{enrollment.cohort_id}::{marker}"
    payload = {
        **plan.payload(session),
        "readings": _unread(plan, session.unit_id, user_id, facts),
        "last_active": last.isoformat(),
    }
    return [Due(user_id, Kind.INACTIVE, enrollment.cohort_id, None, key, payload)]


def _digests(plan: SweepPlan, enrollment: Member) -> list[Due]:
    if not enrollment.wants(Kind.FACILITATOR_DIGEST):
        return []
    return [
        _due(enrollment, Kind.FACILITATOR_DIGEST, session, {**plan.payload(session)})
        for session in plan.digest.get(enrollment.cohort_id, ())
    ]


# --- One person: nudges -----------------------------------------------------------------------


def left_off(*, enrollment: Enrollment, now: datetime) -> dict:
    """Where a fellow left off in their cohort: this week's unit and its unread core readings."""
    cohort = enrollment.cohort
    sessions = list(_visible_sessions().filter(cohort=cohort).order_by("starts_at"))
    session = selectors.current_session(cohort=cohort, sessions=sessions, now=now)
    base = {"cohort_name": cohort.name, "course_title": cohort.course.title}
    if session is None:
        return base
    readings = _core_readings({session.unit_id})[session.unit_id]
    read = set(
        ReadingProgress.objects.filter(
            user_id=enrollment.user_id, reading_id__in=[r["id"] for r in readings]
        ).values_list("reading_id", flat=True)
    )
    unread = [r for r in readings if r["id"] not in read]
    return {**_session_payload(session), **base, "readings": unread}


def digest(*, reminder: Reminder) -> dict:
    """The facilitator digest's content, from the facilitator dashboard, at send time."""
    from courseapp.facilitate.selectors import cohort_dashboard

    dashboard = cohort_dashboard(cohort=reminder.cohort, now=timezone.now())
    return digest_from_dashboard(dashboard)


def digest_from_dashboard(dashboard) -> dict:
    feedback = dashboard.feedback
    return {
        "fellows": len(dashboard.rows),
        "core_ready": dashboard.core_ready,
        "at_risk": [
            {"name": row.user.name, "reasons": row.at_risk_reasons} for row in dashboard.at_risk
        ],
        "weakest": [
            {
                "label": f"Week {cell.week} objective {cell.number}",
                "text": cell.objective.text,
                "percent": cell.percent,
                "below": cell.fellows_below,
            }
            for cell in dashboard.weakest
        ],
        "feedback_count": feedback.answers if feedback else 0,
        "cohort_id": dashboard.cohort.pk,
    }
