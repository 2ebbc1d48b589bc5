"""A realistic dataset at benchmark scale, generated fast.

One course of units, objectives, readings and quizzes (the ORM: a few hundred rows), cohorts on a
weekly schedule at different points of the course, then the people and what they did: users,
verified addresses, enrolments, reading marks, quiz attempts with answers, unit and reading
feedback. The people tables take explicit primary keys and go in with COPY on PostgreSQL (about
ten times bulk_create's speed at 100,000 enrolments); other databases get bulk_create.

The spread is seeded, so two runs with the same options make the same data: a fellow's
"diligence" (most between 0.3 and 0.9, one in ten barely active) drives how much they read, how
often they take quizzes and how well they do, and whether they give feedback.

`generate(Spec(...))` writes it into the current database; `python -m bench.data` (data.py) is the
command line the benchmark driver runs.
"""

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import NotificationPreferences, User
from courseapp.models import (
    Cohort,
    Course,
    Enrollment,
    LearningObjective,
    Reading,
    ReadingFeedback,
    ReadingProgress,
    Session,
    Unit,
    UnitFeedback,
)
from quizzes.models import Answer, Attempt, Choice, Question, Quiz

PASSWORD = "bench-password"
EMAIL_DOMAIN = "bench.example.org"
COURSE_SLUG = "bench-course"
ZONES = ("Europe/London", "America/New_York", "UTC", "Asia/Kolkata", "Australia/Sydney")
SESSION_TIME = time(17, 0)
# Core readings are read most, further reading least.
TIER_APPETITE = {Reading.Tier.CORE: 1.0, Reading.Tier.RECOMMENDED: 0.45, Reading.Tier.FURTHER: 0.2}
QUESTION_KINDS = ("single", "single", "multiple", "true_false", "single", "multiple", "written")
MAX_ENROLMENTS = 200_000


@dataclass(frozen=True)
class FellowView:
    """What one fellow looks at mid-course: this week's unit, its first core reading, and the
    course's first quiz with an attempt open. Shared by the benchmark and the query budgets."""

    fellow: User
    unit: Unit
    reading: Reading
    quiz: Quiz
    attempt: Attempt


def fellow_view(cohort: Cohort) -> FellowView:
    """A fellow of `cohort` who had not attempted the first quiz, now with an attempt open."""
    from courseapp.week.selectors import current_session
    from quizzes.services import attempt_start

    quiz = Quiz.objects.filter(unit__course=cohort.course).order_by("unit__position").first()
    fellow = (
        User.objects.filter(enrollments__cohort=cohort, enrollments__status="active")
        .filter(enrollments__role=Enrollment.Role.FELLOW)
        .exclude(quiz_attempts__quiz=quiz)
        .order_by("pk")
        .first()
    )
    attempt = attempt_start(quiz=quiz, user=fellow)
    sessions = list(Session.objects.filter(cohort=cohort).select_related("unit"))
    unit = current_session(cohort=cohort, sessions=sessions, now=timezone.now()).unit
    reading = unit.readings.live().filter(tier=Reading.Tier.CORE).order_by("position").first()
    return FellowView(fellow, unit, reading, quiz, attempt)


def facilitator_cohort_name(size: int) -> str:
    return f"Bench {size} fellows"


@dataclass(frozen=True)
class Spec:
    cohorts: int = 40
    fellows_per_cohort: int = 50
    units: int = 12
    readings_per_unit: int = 15
    objectives_per_unit: int = 4
    quizzes: int = 3
    questions: int = 8
    facilitator_cohorts: tuple[int, ...] = (50, 200, 1000)
    timezones: tuple[str, ...] = ZONES
    seed: int = 1

    def __post_init__(self) -> None:
        for name in ("cohorts", "fellows_per_cohort", "units", "readings_per_unit", "questions"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name.replace('_', ' ')} must be at least 1")
        if self.quizzes < 0 or self.objectives_per_unit < 0:
            raise ValueError("quizzes and objectives cannot be negative")
        if any(size < 1 for size in self.facilitator_cohorts):
            raise ValueError("facilitator cohort sizes must be at least 1")
        if not self.timezones:
            raise ValueError("at least one time zone is needed")
        if self.enrolments > MAX_ENROLMENTS:
            raise ValueError(
                f"at most {MAX_ENROLMENTS:,} enrolments (asked for {self.enrolments:,})"
            )

    @property
    def enrolments(self) -> int:
        return self.cohorts * self.fellows_per_cohort + sum(self.facilitator_cohorts)


@dataclass
class Counts:
    users: int = 0
    enrolments: int = 0
    marks: int = 0
    attempts: int = 0
    answers: int = 0
    unit_feedback: int = 0
    reading_feedback: int = 0


class JsonText(str):
    """JSON already serialised once (a quiz snapshot is the same for every answer to it)."""


# --- Writing rows -------------------------------------------------------------------------------


def _insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> None:
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    objects = [model(**{c: _loaded(v) for c, v in zip(columns, row, strict=True)}) for row in rows]
    model.objects.bulk_create(objects, batch_size=500)


def _loaded(value):
    return json.loads(value) if isinstance(value, JsonText) else value


class Ids:
    """Primary keys handed out here, so child rows can point at parents before they are written."""

    def __init__(self, model: type[models.Model]):
        self.next = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1

    def take(self) -> int:
        self.next += 1
        return self.next - 1


# --- The course ---------------------------------------------------------------------------------


@dataclass
class QuestionData:
    pk: int
    kind: str
    snapshot: JsonText
    correct: list[int]
    wrong: list[int]


@dataclass
class UnitData:
    unit: Unit
    readings: list[tuple[int, int]]  # (pk, tier)
    questions: list[QuestionData] = field(default_factory=list)
    quiz: Quiz | None = None


OVERVIEW = (
    "This week looks at {topic}: what the term means, where the idea came from, and why people "
    "disagree about how much it matters.\n\nRead the core readings before the session; the "
    "recommended ones deepen the argument, and the further reading is for the curious.\n\n"
    "Bring one question you could not answer from the readings."
)


def _course(spec: Spec) -> tuple[Course, list[UnitData]]:
    course = Course.objects.create(slug=COURSE_SLUG, title="Benchmark Fellowship")
    units = []
    for week in range(1, spec.units + 1):
        topic = f"topic {week}"
        unit = Unit.objects.create(
            course=course,
            week=week,
            position=week,
            title=f"Week {week}: {topic.title()}",
            subtitle=f"Why {topic} matters",
            overview=OVERVIEW.format(topic=topic),
            objectives_intro="By the end of this week, fellows should be able to:",
        )
        units.append(UnitData(unit, _readings(spec, unit)))
    return course, units


def _readings(spec: Spec, unit: Unit) -> list[tuple[int, int]]:
    tiers = list(Reading.Tier.values)
    rows = [
        Reading(
            unit=unit,
            tier=tiers[min(n * len(tiers) // spec.readings_per_unit, len(tiers) - 1)],
            title=f"Reading {n + 1} of week {unit.week}: an argument in {n + 3} parts",
            authors=f"Author {n % 7}, Co-Author {n % 5}",
            year=str(2015 + n % 10),
            url=f"https://example.org/readings/{unit.week}/{n + 1}",
            kind=Reading.Kind.PAPER if n % 3 == 0 else Reading.Kind.ARTICLE,
            minutes=10 + 5 * (n % 6),
            position=n,
        )
        for n in range(spec.readings_per_unit)
    ]
    return [(r.pk, r.tier) for r in Reading.objects.bulk_create(rows)]


def _objectives(spec: Spec, unit: Unit) -> list[LearningObjective]:
    return LearningObjective.objects.bulk_create(
        LearningObjective(
            unit=unit, position=n, text=f"Explain idea {n + 1} of week {unit.week} in own words"
        )
        for n in range(spec.objectives_per_unit)
    )


def _quizzes(spec: Spec, units: list[UnitData]) -> None:
    """Quizzes spread over the course (weeks 1, 5 and 9 of 12 by default)."""
    count = min(spec.quizzes, len(units))
    for index in sorted({n * len(units) // max(count, 1) for n in range(count)}):
        data = units[index]
        objectives = _objectives(spec, data.unit)
        data.quiz = Quiz.objects.create(unit=data.unit, title=f"Week {data.unit.week} check-in")
        data.questions = [
            _question(data.quiz, n, objectives[n % len(objectives)] if objectives else None)
            for n in range(spec.questions)
        ]
    for data in units:
        if data.quiz is None:
            _objectives(spec, data.unit)


def _question(quiz: Quiz, n: int, objective: LearningObjective | None) -> QuestionData:
    kind = QUESTION_KINDS[n % len(QUESTION_KINDS)]
    question = Question.objects.create(
        quiz=quiz,
        kind=kind,
        position=n,
        prompt=f"Question {n + 1}: which statement about idea {n + 1} holds?",
        explanation="Because the reading argues it from first principles.",
        model_answer="Names the idea and gives one example." if kind == "written" else "",
    )
    if objective:
        question.objectives.add(objective)
    texts = {"true_false": ["True", "False"], "written": []}.get(
        kind, [f"Statement {c + 1}" for c in range(4)]
    )
    right = {0, 1} if kind == "multiple" else {0}
    choices = Choice.objects.bulk_create(
        Choice(question=question, text=t, is_correct=c in right, position=c, feedback="")
        for c, t in enumerate(texts)
    )
    snapshot = {
        "kind": kind,
        "prompt": question.prompt,
        "explanation": question.explanation,
        "model_answer": question.model_answer,
        "objectives": [objective.pk] if objective else [],
        "choices": [
            {"id": c.pk, "text": c.text, "is_correct": c.is_correct, "feedback": ""}
            for c in choices
        ],
    }
    return QuestionData(
        pk=question.pk,
        kind=kind,
        snapshot=JsonText(json.dumps(snapshot)),
        correct=[c.pk for c in choices if c.is_correct],
        wrong=[c.pk for c in choices if not c.is_correct],
    )


# --- Cohorts and their schedule -----------------------------------------------------------------


@dataclass
class CohortPlan:
    name: str
    fellows: int
    weeks_in: int
    zone: str
    pacing: str = Cohort.Pacing.WEEKLY
    cohort: Cohort | None = None
    sessions: list[Session] = field(default_factory=list)


def _plans(spec: Spec, rng: random.Random) -> list[CohortPlan]:
    """Regular cohorts at every point of the course, then the facilitator-page cohorts midway.
    Every cohort meets on the same weekday, two days from now, so a sweep finds them all due."""
    span = min(spec.units, 10)
    plans = [
        CohortPlan(
            name=f"Cohort {n + 1:03}",
            fellows=spec.fellows_per_cohort,
            weeks_in=n % span,
            zone=spec.timezones[n % len(spec.timezones)],
            pacing=Cohort.Pacing.SELF_PACED if n % 10 == 9 else Cohort.Pacing.WEEKLY,
        )
        for n in range(spec.cohorts)
    ]
    plans += [
        CohortPlan(facilitator_cohort_name(size), size, min(5, spec.units - 1), spec.timezones[0])
        for size in spec.facilitator_cohorts
    ]
    return plans


def _schedule(course: Course, units: list[UnitData], plans: list[CohortPlan]) -> None:
    today = timezone.now().date()
    cohorts = Cohort.objects.bulk_create(
        Cohort(
            course=course,
            name=p.name,
            timezone=p.zone,
            start_date=today + timedelta(days=2 - 7 * p.weeks_in),
            session_time=SESSION_TIME,
            pacing=p.pacing,
        )
        for p in plans
    )
    sessions = []
    for plan, cohort in zip(plans, cohorts, strict=True):
        plan.cohort = cohort
        plan.sessions = [_session(cohort, data.unit, week) for week, data in enumerate(units)]
        sessions += plan.sessions
    Session.objects.bulk_create(sessions)


def _session(cohort: Cohort, unit: Unit, week: int) -> Session:
    day: date = cohort.start_date + timedelta(weeks=week)
    starts = datetime.combine(day, cohort.session_time, tzinfo=ZoneInfo(cohort.timezone))
    opens = starts.astimezone(UTC) - cohort.release_lead
    return Session(cohort=cohort, unit=unit, starts_at=starts, opens_at=opens)


# --- People and what they did -------------------------------------------------------------------

USER_COLUMNS = (
    "id", "password", "last_login", "is_superuser", "is_staff", "is_active", "date_joined",
    "email", "display_name", "timezone", "page_version",
)  # fmt: skip
ANSWER_COLUMNS = (
    "attempt_id", "question_id", "position", "snapshot", "selected_choice_ids", "written_text",
    "self_rating", "is_correct", "score", "saved_at",
)  # fmt: skip
ATTEMPT_COLUMNS = ("id", "quiz_id", "user_id", "number", "started_at", "submitted_at", "score")
UNIT_FEEDBACK_COLUMNS = (
    "user_id", "unit_id", "cohort_id", "rating", "what_worked", "what_to_change", "anonymous",
    "created_at", "updated_at",
)  # fmt: skip


@dataclass
class Rows:
    """One cohort's rows per table, written together."""

    users: list = field(default_factory=list)
    addresses: list = field(default_factory=list)
    enrolments: list = field(default_factory=list)
    preferences: list = field(default_factory=list)
    marks: list = field(default_factory=list)
    attempts: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    unit_feedback: list = field(default_factory=list)
    reading_feedback: list = field(default_factory=list)

    def write(self, counts: Counts) -> None:
        _insert(User, USER_COLUMNS, self.users)
        _insert(EmailAddress, ("user_id", "email", "verified", "primary"), self.addresses)
        _insert(
            Enrollment,
            ("cohort_id", "user_id", "role", "status", "created_at", "updated_at"),
            self.enrolments,
        )
        _insert(NotificationPreferences, NOTIFICATION_COLUMNS, self.preferences)
        _insert(ReadingProgress, ("user_id", "reading_id", "completed_at"), self.marks)
        _insert(Attempt, (*ATTEMPT_COLUMNS, "passed"), self.attempts)
        _insert(Answer, ANSWER_COLUMNS, self.answers)
        _insert(UnitFeedback, UNIT_FEEDBACK_COLUMNS, self.unit_feedback)
        _insert(
            ReadingFeedback,
            ("user_id", "reading_id", "useful", "comment", "created_at", "updated_at"),
            self.reading_feedback,
        )
        counts.users += len(self.users)
        counts.enrolments += len(self.enrolments)
        counts.marks += len(self.marks)
        counts.attempts += len(self.attempts)
        counts.answers += len(self.answers)
        counts.unit_feedback += len(self.unit_feedback)
        counts.reading_feedback += len(self.reading_feedback)


NOTIFICATION_COLUMNS = (
    "user_id", "before_session", "quiz_after_session", "inactive", "facilitator_digest", "nudge",
    "updated_at",
)  # fmt: skip


@dataclass
class World:
    """What every fellow's activity is generated against."""

    spec: Spec
    rng: random.Random
    now: datetime
    password: str
    units: list[UnitData]
    user_ids: Ids
    attempt_ids: Ids


def _person(world: World, rows: Rows, email: str, name: str) -> int:
    rng, now = world.rng, world.now
    pk = world.user_ids.take()
    joined = now - timedelta(days=rng.randint(30, 120))
    last_login = now - timedelta(hours=rng.randint(1, 24 * 20)) if rng.random() < 0.8 else None
    zone = rng.choice(world.spec.timezones) if rng.random() < 0.3 else ""
    rows.users.append(
        (pk, world.password, last_login, False, False, True, joined, email, name, zone, 0)
    )
    rows.addresses.append((pk, email, True, True))
    if rng.random() < 0.05:
        rows.preferences.append((pk, True, True, False, True, True, now))
    return pk


def _cohort_people(world: World, plan: CohortPlan, rows: Rows) -> list[int]:
    """The cohort's facilitators and fellows; returns the fellows' user ids."""
    cohort, now, rng = plan.cohort, world.now, world.rng
    joined = datetime.combine(cohort.start_date, time(9), tzinfo=UTC) - timedelta(days=10)
    facilitators = 2 if plan.fellows >= 200 else 1
    for n in range(facilitators):
        pk = _person(world, rows, f"facilitator{cohort.pk}-{n}@{EMAIL_DOMAIN}", f"Host {n}")
        rows.enrolments.append((cohort.pk, pk, "facilitator", "active", joined, now))
    fellows = []
    for n in range(plan.fellows):
        pk = _person(world, rows, f"fellow{cohort.pk}-{n}@{EMAIL_DOMAIN}", f"Fellow {n:04} {pk}")
        roll = rng.random()
        status = "deferred" if roll < 0.03 else "dropped" if roll < 0.05 else "active"
        rows.enrolments.append((cohort.pk, pk, "fellow", status, joined, now))
        fellows.append(pk)
    return fellows


def _diligence(rng: random.Random) -> float:
    return 0.05 if rng.random() < 0.1 else rng.betavariate(2.5, 1.5)


def _moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    end = max(end, start + timedelta(minutes=1))
    return start + (end - start) * rng.random()


def _fellow_activity(world: World, plan: CohortPlan, user: int, rows: Rows) -> None:
    rng, now = world.rng, world.now
    skill = _diligence(rng)
    for data, session in zip(world.units, plan.sessions, strict=True):
        weekly_open = session.opens_at <= now
        if not weekly_open and not (plan.pacing == Cohort.Pacing.SELF_PACED and rng.random() < 0.1):
            continue
        held = session.starts_at <= now
        recency = 1.0 if held else 0.6
        until = min(now, session.starts_at + timedelta(days=4))
        for reading, tier in data.readings:
            if rng.random() < skill * TIER_APPETITE[tier] * recency:
                rows.marks.append((user, reading, _moment(rng, session.opens_at, until)))
                if rng.random() < 0.08:
                    when = _moment(rng, session.opens_at, until)
                    rows.reading_feedback.append(
                        (user, reading, rng.random() < 0.8, "", when, when)
                    )
        if data.quiz and rng.random() < (0.25 + 0.7 * skill if held else 0.35 * skill):
            _attempts(world, data, user, skill, session.opens_at, rows)
        if held and rng.random() < 0.1 + 0.4 * skill:
            _unit_feedback(world, data, plan, user, _moment(rng, session.starts_at, now), rows)


def _unit_feedback(world, data: UnitData, plan: CohortPlan, user: int, when, rows: Rows) -> None:
    rating = min(5, max(1, round(world.rng.gauss(3.8, 0.9))))
    worked = "The core readings and the discussion prompt." if rating >= 4 else ""
    change = "Fewer readings, or shorter ones." if rating <= 3 else ""
    anonymous = world.rng.random() < 0.25
    rows.unit_feedback.append(
        (user, data.unit.pk, plan.cohort.pk, rating, worked, change, anonymous, when, when)
    )


def _attempts(world, data: UnitData, user: int, skill: float, opened, rows: Rows) -> None:
    """One or two submitted attempts, now and then an open one still in progress."""
    rng = world.rng
    for number in (1, 2):
        started = _moment(rng, opened, world.now - timedelta(minutes=30))
        is_open = rng.random() < 0.05
        answers = [
            _answer(rng, q, n, skill, started, is_open) for n, q in enumerate(data.questions)
        ]
        scored = [a for a in answers if a[7] is not None]
        score = 100 * sum(a[7] for a in scored) / len(scored) if scored else None
        pk = world.attempt_ids.take()
        submitted = None if is_open else started + timedelta(minutes=rng.randint(5, 40))
        passed = None if is_open or score is None else score >= data.quiz.pass_mark
        rows.attempts.append(
            (pk, data.quiz.pk, user, number, started, submitted, None if is_open else score, passed)
        )
        rows.answers += [(pk, *answer) for answer in answers]
        if is_open or passed or rng.random() < 0.5:
            return


def _answer(rng, question: QuestionData, position: int, skill: float, started, is_open) -> tuple:
    saved = started + timedelta(minutes=position + 1)
    if is_open and position >= 3:
        return (
            question.pk,
            position,
            question.snapshot,
            JsonText("[]"),
            "",
            None,
            None,
            None,
            None,
        )
    if question.kind == "written":
        text = "An answer in my own words, with an example."
        return (
            question.pk,
            position,
            question.snapshot,
            JsonText("[]"),
            text,
            None,
            None,
            None,
            saved,
        )
    right = rng.random() < 0.35 + 0.6 * skill
    picked = question.correct if right else [rng.choice(question.wrong)]
    correct = None if is_open else right
    score = None if is_open else float(right)
    ids = JsonText(json.dumps(picked))
    return (question.pk, position, question.snapshot, ids, "", None, correct, score, saved)


# --- All together -------------------------------------------------------------------------------


def _reset_sequences() -> None:
    tables = [User, EmailAddress, Enrollment, NotificationPreferences, ReadingProgress]
    tables += [Attempt, Answer, UnitFeedback, ReadingFeedback]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), tables):
            cursor.execute(sql)


@transaction.atomic
def generate(spec: Spec, *, progress=None) -> Counts:
    """Write the whole dataset in one transaction; `progress(text)` hears about each cohort."""
    if Course.objects.filter(slug=COURSE_SLUG).exists():
        raise ValueError(
            f"This database already holds the bench course ({COURSE_SLUG}); use a fresh one."
        )
    rng = random.Random(spec.seed)
    course, units = _course(spec)
    _quizzes(spec, units)
    plans = _plans(spec, rng)
    _schedule(course, units, plans)
    world = World(
        spec=spec,
        rng=rng,
        now=timezone.now(),
        password=make_password(PASSWORD),
        units=units,
        user_ids=Ids(User),
        attempt_ids=Ids(Attempt),
    )
    counts = Counts()
    for plan in plans:
        rows = Rows()
        for user in _cohort_people(world, plan, rows):
            _fellow_activity(world, plan, user, rows)
        rows.write(counts)
        if progress:
            progress(f"{plan.name}: {plan.fellows} fellows")
    _reset_sequences()
    return counts
