"""Every page as every demo person, on the data `make run` loads (`manage.py seed_demo`).

The crawl walks the whole resolver (our routes, allauth, the admin), fills each route's
parameters with real ids, slugs and tokens from the demo data, and GETs it as the admin, both
facilitators, a fellow of each cohort and an anonymous visitor; outside the admin, also with
`HX-Request: true`. No answer may be a server error. A route the crawl cannot fill fails the
test, so a new page is crawled from the day it is added. Then the main forms are submitted by
the people who use them, and hostile `next` values must never lead off the site.

Marked `embedded`: `make test` runs it on PostgreSQL and again on SQLite without Redis, as
`make run` serves the demo. That is where a facilitator's cohort page first broke.
"""

import io
import itertools
import logging
import re
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import Resolver404, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from django.utils.regex_helper import normalize
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from accounts.models import AuditEvent, NotificationPreferences, User
from accounts.services import audit_record
from courseapp import demo
from courseapp.cohorts import services as course_services
from courseapp.demo.accounts import ADMIN, FACILITATORS, FELLOWS
from courseapp.feedback import services as feedback_services
from courseapp.models import (
    Attendance,
    CalendarFeed,
    Cohort,
    Course,
    Enrollment,
    Invitation,
    Reading,
    ReadingFeedback,
    ReadingProgress,
    Reminder,
    Session,
    Unit,
    UnitFeedback,
)
from courseapp.reminders.tokens import unsubscribe_token
from quizzes import services as quiz_services
from quizzes.models import Answer, Attempt, Question, Quiz

pytestmark = [pytest.mark.embedded, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parent.parent
HTMX = {"HX-Request": "true"}
ROLES = ("admin", "facilitator A", "facilitator B", "fellow A", "fellow B", "anonymous")


# --- The demo data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSite:
    """Ids, slugs and tokens of the demo data, and of the activity added to it below."""

    users: dict[str, User | None]
    course: Course
    unit: Unit
    readings: list[Reading]  # live, in the unit's order
    cohorts: dict[str, Cohort]
    quiz: Quiz
    questions: list[Question]
    # Per fellow role: a submitted attempt and an open one.
    attempts: dict[str, tuple[Attempt, Attempt]]
    invitation_tokens: list[str]
    unsubscribe_token: str
    calendar_tokens: list[str]  # a fellow's private feed, and one that was reset
    email_confirmation_key: str
    password_reset: tuple[str, str]


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker) -> Iterator[DemoSite]:
    """The demo data, loaded once for the module by the command `make run` uses, inside a
    transaction rolled back when the module is done. Each test runs in a savepoint within it
    (pytest-django's `db`), so every test starts from the same data and none is left behind."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        site = _demo_site()
        yield site
        transaction.set_rollback(True)


def _demo_site() -> DemoSite:
    users = {
        "admin": User.objects.get(email=ADMIN),
        "facilitator A": User.objects.get(email=FACILITATORS["A"]),
        "facilitator B": User.objects.get(email=FACILITATORS["B"]),
        "fellow A": User.objects.get(email=FELLOWS["A"][0]),
        "fellow B": User.objects.get(email=FELLOWS["B"][0]),
        "anonymous": None,
    }
    cohorts = {letter: Cohort.objects.get(name=f"Cohort {letter}") for letter in "AB"}
    course = cohorts["A"].course
    unit = course.units.live().get()
    quiz = Quiz.objects.get(unit=unit)
    questions = list(quiz.questions.live().order_by("position"))
    _activity(users, cohorts, unit)
    _admin_rows(users)
    reset_user = User.objects.get(email=FELLOWS["A"][2])
    return DemoSite(
        users=users,
        course=course,
        unit=unit,
        readings=list(unit.readings.live().order_by("tier", "position")),
        cohorts=cohorts,
        quiz=quiz,
        questions=questions,
        attempts={role: _attempts(quiz, users[role]) for role in ("fellow A", "fellow B")},
        invitation_tokens=_invitations(users, cohorts),
        unsubscribe_token=unsubscribe_token(
            user_id=users["fellow A"].pk, kinds=list(NotificationPreferences.KINDS)
        ),
        calendar_tokens=[
            CalendarFeed.objects.create(user=users["fellow A"]).token,
            "no-such-feed",
        ],
        email_confirmation_key=EmailConfirmationHMAC(
            EmailAddress.objects.create(user=users["fellow A"], email="a1.other@example.org")
        ).key,
        password_reset=(
            user_pk_to_url_str(reset_user),
            default_token_generator.make_token(reset_user),
        ),
    )


def picks_for(attempt: Attempt) -> dict[int, quiz_services.Pick]:
    """A right answer to every question of the attempt."""
    picks = {}
    for answer in attempt.answers.all():
        right = [c["id"] for c in answer.snapshot["choices"] if c["is_correct"]]
        picks[answer.question_id] = quiz_services.Pick(choice_ids=right, text="Mesa-optimizers")
    return picks


def _attempts(quiz: Quiz, fellow: User) -> tuple[Attempt, Attempt]:
    first = quiz_services.attempt_start(quiz=quiz, user=fellow)
    submitted = quiz_services.attempt_submit(attempt=first, picks=picks_for(first))
    return submitted, quiz_services.attempt_start(quiz=quiz, user=fellow)


def _activity(users: dict, cohorts: dict[str, Cohort], unit: Unit) -> None:
    """Feedback from all three fellows of cohort A (enough to show anonymous answers to its
    facilitator), one of them anonymous, and a nudge."""
    reading = unit.readings.live().order_by("tier", "position").first()
    for n, email in enumerate(FELLOWS["A"]):
        fellow = User.objects.get(email=email)
        data = {"rating": 3 + n % 3, "what_worked": "The video", "anonymous": n == 1}
        feedback_services.unit_feedback_save(user=fellow, unit=unit, data=data)
        feedback_services.reading_feedback_save(
            user=fellow, reading=reading, useful=n != 2, comment="Clear"
        )
    Reminder.objects.create(
        recipient=users["fellow A"],
        sender=users["facilitator A"],
        kind=Reminder.Kind.NUDGE,
        cohort=cohorts["A"],
        key="crawl-nudge",
    )


def _invitations(users: dict, cohorts: dict[str, Cohort]) -> list[str]:
    """Tokens of a pending invitation for a new person, one for an existing fellow, an expired
    one and a used one."""

    def invite(email: str, cohort: Cohort) -> Invitation:
        return course_services.invitation_create(
            cohort=cohort, email=email, role=Enrollment.Role.FELLOW, invited_by=users["admin"]
        ).invitation

    pending = invite("new.fellow@example.org", cohorts["A"])
    existing = invite(FELLOWS["A"][1], cohorts["B"])
    expired = invite("late.fellow@example.org", cohorts["B"])
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    used = invite("quick.fellow@example.org", cohorts["A"])
    Invitation.objects.filter(pk=used.pk).update(accepted_at=timezone.now())
    return [i.token for i in (pending, existing, expired, used)]


def _admin_rows(users: dict) -> None:
    """A row for every admin-registered model the demo has none of, so that each ModelAdmin's
    change, history and delete pages show a real object."""
    Group.objects.create(name="Editors")
    hourly = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    CrontabSchedule.objects.create(minute="*/15")
    SolarSchedule.objects.create(event="sunrise", latitude=51.5, longitude=-0.1)
    ClockedSchedule.objects.create(clocked_time=timezone.now() + timedelta(days=1))
    PeriodicTask.objects.create(
        name="crawl heartbeat", task="courseapp.platform.tasks.worker_heartbeat", interval=hourly
    )
    fellow = users["fellow A"]
    TOTP.activate(fellow, generate_totp_secret())
    RecoveryCodes.activate(fellow)
    # A provider configured in the database (no credentials are in the environment): its login
    # page and callback render without contacting GitHub.
    app = SocialApp.objects.create(provider="github", name="GitHub", client_id="crawl", secret="x")
    account = SocialAccount.objects.create(user=fellow, provider="github", uid="1001")
    SocialToken.objects.create(app=app, account=account, token="not-a-real-token")
    audit_record(actor=fellow, action=AuditEvent.Action.EXPORT, subject=fellow)
    # The demo's sessions are still to come, so nobody has taken attendance yet.
    session = Session.objects.filter(cohort__enrollments__user=fellow).order_by("pk").first()
    Attendance.objects.create(session=session, user=fellow, status=Attendance.Status.EXCUSED)


# --- Routes and how to fill them ----------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the route's name (with its namespace) or, unnamed, its pattern
    pattern: str  # the full pattern, as ResolverMatch.route spells it
    template: str  # the path with a %(name)s placeholder per parameter
    view: str  # the view's dotted path

    @property
    def may_answer_htmx(self) -> bool:
        """Our views outside the admin; allauth's and the admin's never read HX-Request."""
        ours = self.view.split(".")[0] in {"accounts", "courseapp", "quizzes"}
        return ours and not self.pattern.startswith("admin/")

    @property
    def parameters(self) -> list[str]:
        return re.findall(r"%\((\w+)\)s", self.template)


ROUTE_PARAMETER = re.compile(r"<(?:[^>:]+:)?([^>]+)>")


def _template(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return ROUTE_PARAMETER.sub(r"%(\1)s", str(pattern).replace("%", "%%"))
    # Regex patterns (allauth's, the admin's): Django's own reversal helper; unnamed groups
    # become _0, _1, ...
    return normalize(str(pattern))[0][0]


def _join(prefix: str, pattern: str) -> str:
    # As URLResolver joins routes: an included regex's leading ^ goes.
    return prefix + pattern.removeprefix("^") if prefix else pattern


def walk(
    patterns=None, prefix: str = "", template: str = "", namespace: str = ""
) -> Iterator[Route]:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        pattern = _join(prefix, str(entry.pattern))
        filled = template + _template(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, pattern, filled, inner)
        else:
            key = f"{namespace}{entry.name}" if entry.name else pattern
            yield Route(key, pattern, filled, entry.lookup_str)


def by_parameter(site: DemoSite) -> dict[str, list]:
    """Values for parameter names that mean one thing wherever they appear."""
    return {
        "slug": [site.course.slug],
        "cohort_pk": [c.pk for c in site.cohorts.values()],
        "unit_pk": [site.unit.pk],
        "user_pk": [site.users["fellow A"].pk, site.users["fellow B"].pk],
        # A choice question and the written one (the answer and self-rating routes).
        "question_pk": [site.questions[0].pk, site.questions[-1].pk],
        "app_label": sorted({model._meta.app_label for model in admin.site._registry}),
        "url": ["no-such-page/"],
    }


def _attempt_pks(site: DemoSite) -> list[int]:
    return [attempt.pk for pair in site.attempts.values() for attempt in pair]


def _reading_pks(site: DemoSite) -> list[int]:
    """The first reading of each tier and every hosted chapter (they have a page of their own)."""
    first = {}
    for reading in site.readings:
        first.setdefault(reading.tier, reading)
    return sorted({r.pk for r in first.values()} | {r.pk for r in site.readings if r.is_hosted})


def _cohort_pks(site: DemoSite) -> list[int]:
    return [c.pk for c in site.cohorts.values()]


def _view_on_site(site: DemoSite) -> list[dict]:
    """Every admin-registered model that has a page on the site, with a real row of it."""
    found = []
    for model in admin.site._registry:
        row = model._default_manager.order_by("pk").first()
        if row is not None and hasattr(row, "get_absolute_url"):
            content_type = ContentType.objects.get_for_model(model)
            found.append({"content_type_id": content_type.pk, "object_id": row.pk})
    return found


# Per route: its parameters' values (every combination is requested), or a list of complete
# parameter sets. `pk` and `token` mean a different thing on each route, so they are named here.
BY_ROUTE: dict[str, Callable[[DemoSite], dict[str, list] | list[dict]]] = {
    "unit_detail": lambda s: {"pk": [s.unit.pk]},
    "reading_detail": lambda s: {"pk": _reading_pks(s)},
    "reading_mark": lambda s: {"pk": [s.readings[0].pk]},
    "reading_link_report": lambda s: {"pk": [s.readings[0].pk]},
    "reading_feedback": lambda s: {"pk": _reading_pks(s)},
    "unit_feedback": lambda s: {"pk": [s.unit.pk]},
    "invitation_accept": lambda s: {"token": s.invitation_tokens},
    "reminders_unsubscribe": lambda s: {"token": [s.unsubscribe_token]},
    "cohort_invite": lambda s: {"pk": _cohort_pks(s)},
    "cohort_detail": lambda s: {"pk": _cohort_pks(s)},
    "cohort_export_csv": lambda s: {"pk": _cohort_pks(s)},
    "cohort_sessions_ics": lambda s: {"pk": _cohort_pks(s)},
    "calendar_feed": lambda s: {"token": s.calendar_tokens},
    "cohort_attendance": lambda s: {
        "pk": _cohort_pks(s),
        "session_pk": list(
            Session.objects.filter(cohort_id__in=_cohort_pks(s)).values_list("pk", flat=True)
        ),
    },
    "cohort_fellow_detail": lambda s: {"pk": _cohort_pks(s)},
    "cohort_fellow_nudge": lambda s: {"pk": _cohort_pks(s)},
    "cohort_written_answers": lambda s: {"pk": _cohort_pks(s)},
    "cohort_written_answer_review": lambda s: {
        "pk": _cohort_pks(s),
        "answer_pk": [
            a.pk for a in Answer.objects.filter(snapshot__kind="written").order_by("pk")[:2]
        ],
    },
    "quiz_detail": lambda s: {"pk": [s.quiz.pk]},
    "quiz_start": lambda s: {"pk": [s.quiz.pk]},
    "attempt_take": lambda s: {"pk": _attempt_pks(s)},
    "attempt_submit": lambda s: {"pk": _attempt_pks(s)},
    "attempt_result": lambda s: {"pk": _attempt_pks(s)},
    "answer_save": lambda s: {"pk": _attempt_pks(s)},
    "answer_rate": lambda s: {"pk": _attempt_pks(s)},
    "account_confirm_email": lambda s: {"key": [s.email_confirmation_key]},
    # The emailed key first; allauth then keeps it in the session and redirects to the same
    # route with the key "set-password", which shows the form.
    "account_reset_password_from_key": lambda s: {
        "uidb36": [s.password_reset[0]],
        "key": [s.password_reset[1], "set-password"],
    },
    "admin:view_on_site": _view_on_site,
}

# Query strings worth crawling besides the bare path: the cohort grid's sorts and filters.
QUERIES: dict[str, Callable[[DemoSite], list[str]]] = {
    "cohort_detail": lambda s: [
        "",
        "?sort=name&weeks=all",
        f"?sort=progress&unit={s.unit.pk}",
        "?show=at-risk",
    ],
    "cohort_export_csv": lambda s: ["", f"?sort=name&unit={s.unit.pk}&show=at-risk"],
}

# Routes deliberately not crawled, with the reason; keep it short. Empty today: the usual
# suspects are safe to GET and so are crawled. allauth's logout only asks to confirm, the
# admin's logout answers 405 to a GET, and a provider's callback without a code renders the
# error page without contacting the provider.
SKIPPED: dict[str, str] = {}

ADMIN_MODEL_ROUTE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")
# How the admin names the object in its routes: <path:object_id>, the user password form's
# <id>, the quiz preview's <int:pk>, and simple_history's unnamed first group.
ADMIN_OBJECT_PARAMETERS = ("object_id", "id", "pk", "_0")


def _admin_model(route: Route):
    match = ADMIN_MODEL_ROUTE.match(route.pattern)
    if match is None:
        return None
    try:
        model = apps.get_model(match["app"], match["model"])
    except (LookupError, ValueError):
        return None
    return model if model in admin.site._registry else None


def _admin_values(model) -> dict[str, list] | str:
    row = model._default_manager.order_by("pk").first()
    if row is None:
        return f"no {model._meta.label} row to show"
    values = {name: [row.pk] for name in ADMIN_OBJECT_PARAMETERS}
    history = getattr(model, "history", None)
    if history is not None:
        # simple_history's page for one past version: the second unnamed group.
        values["_1"] = [history.filter(id=row.pk).latest("history_id").history_id]
    return values


def plan(site: DemoSite) -> tuple[list[tuple[Route, str]], list[str]]:
    """(route, path) for every path to crawl, and the routes the crawl cannot fill."""
    routes = list(walk())
    known = {route.key for route in routes}
    problems = [
        f"{key}: listed in the crawl but no longer a route"
        for key in itertools.chain(BY_ROUTE, QUERIES, SKIPPED)
        if key not in known
    ]
    paths = []
    for route in routes:
        if route.key in SKIPPED:
            continue
        filled = fill(route, site)
        if isinstance(filled, str):
            problems.append(f"{route.key} ({route.pattern}): {filled}")
            continue
        paths += [(route, path + query) for path in filled for query in _queries(route, site)]
    return paths, problems


def _queries(route: Route, site: DemoSite) -> list[str]:
    if route.key in QUERIES:
        return QUERIES[route.key](site)
    if route.key.startswith("admin:") and route.key.endswith("_changelist"):
        return ["", "?q=fellow"]  # each changelist's search_fields, where it has some
    return [""]


def fill(route: Route, site: DemoSite) -> list[str] | str:
    """The route's paths with real values, or why it cannot be filled."""
    given = BY_ROUTE.get(route.key, lambda s: {})(site)
    kwargs_list = given if isinstance(given, list) else _combinations(route, site, given)
    if isinstance(kwargs_list, str):
        return kwargs_list
    paths = [
        "/" + route.template % {k: str(v) for k, v in kwargs.items()} for kwargs in kwargs_list
    ]
    # Filled right only if the path comes back to this very route.
    wrong = [path for path in paths if resolve(path).route != route.pattern]
    if wrong:
        return f"filled as {wrong[0]}, which another route answers"
    return paths or "no real values to fill it with"


def _combinations(route: Route, site: DemoSite, given: dict[str, list]) -> list[dict] | str:
    values = by_parameter(site) | given
    model = _admin_model(route)
    if model is not None:
        admin_values = _admin_values(model)
        if isinstance(admin_values, str):
            return admin_values
        values = admin_values | values
    names = route.parameters
    if missing := [name for name in names if name not in values]:
        return f"the crawl does not know how to fill {', '.join(missing)}: add it to BY_ROUTE"
    return [
        dict(zip(names, combination, strict=True))
        for combination in itertools.product(*(values[name] for name in names))
    ]


# --- Requests -----------------------------------------------------------------------------------


def browser(user: User | None) -> Client:
    """A client signed in with the demo password, as `make run` prints it (None: anonymous)."""
    client = Client()
    # A view that fails answers 500 (as in production) instead of raising into the test; the
    # exception is kept on response.exc_info.
    client.raise_request_exception = False
    if user is not None:
        assert client.login(email=user.email, password=demo.PASSWORD), user.email
    return client


def signed_in(site: DemoSite, role: str) -> Client:
    return browser(site.users[role])


def server_error(response: HttpResponse) -> str | None:
    """What went wrong, if the answer is a server error (or a download that breaks midway)."""
    if getattr(response, "streaming", False):
        try:
            b"".join(response.streaming_content)
        except Exception as error:  # the finding, reported with the rest
            return f"download broke off: {_exception((type(error), error, error.__traceback__))}"
    if response.status_code < 500 and response.exc_info is None:
        return None
    cause = _exception(response.exc_info) if response.exc_info else "no exception"
    return f"{response.status_code}: {cause}"


def _exception(exc_info) -> str:
    kind, error, tb = exc_info
    frames = traceback.extract_tb(tb)
    ours = [f for f in frames if f.filename.startswith(str(ROOT)) and "/.venv/" not in f.filename]
    where = [f"{Path(f.filename).relative_to(ROOT)}:{f.lineno} in {f.name}" for f in ours[-2:]]
    message = str(error).splitlines()[0] if str(error) else ""
    return f"{kind.__name__}: {message} (at {' <- '.join(reversed(where)) or frames[-1].name})"


def _stay_signed_in(client: Client, site: DemoSite, role: str, response: HttpResponse) -> None:
    # A password reset link for someone else signs the current person out (allauth does so on
    # purpose); sign them in again so the rest of the crawl is still theirs.
    if site.users[role] is not None and not response.wsgi_request.user.is_authenticated:
        client.force_login(site.users[role])


def crawl(site: DemoSite, paths: list[tuple[Route, str]]) -> tuple[dict, dict[str, int], int]:
    """GET every path as every role. Returns the server errors found (requests grouped by what
    went wrong), the count of 200s per role and the number of requests."""
    failures: dict[str, list[str]] = {}
    ok, requests = dict.fromkeys(ROLES, 0), 0
    for role in ROLES:
        client = signed_in(site, role)
        for route, path in paths:
            for headers in ({}, HTMX) if route.may_answer_htmx else ({},):
                response = client.get(path, headers=headers)
                requests += 1
                ok[role] += response.status_code == 200
                if problem := server_error(response):
                    request = f"{role}: GET {path}{' (htmx)' if headers else ''}"
                    failures.setdefault(problem, []).append(request)
                _stay_signed_in(client, site, role, response)
    return failures, ok, requests


def test_every_route_answers_every_demo_person_without_a_server_error(demo_site, caplog):
    # The 4xx warnings of thousands of requests would bury the report; errors are kept.
    caplog.set_level(logging.ERROR, logger="django.request")
    paths, unfillable = plan(demo_site)
    failures, ok, requests = crawl(demo_site, paths)

    report = [f"cannot crawl {problem}" for problem in unfillable]
    for problem, where in failures.items():
        report += [f"{problem}, {len(where)} request(s):", *(f"    {r}" for r in where)]
    assert not report, f"{len(paths)} paths, {requests} requests:\n" + "\n".join(report)
    # Guards against a crawl that proves nothing: each person saw pages, and signing in showed
    # more of them than anonymous visitors see.
    assert min(ok.values()) >= 10, ok
    assert all(ok[role] > ok["anonymous"] for role in ROLES if role != "anonymous"), ok


# --- The main forms, as the people who use them ------------------------------------------------


def answered(response: HttpResponse, *statuses: int) -> HttpResponse:
    request = response.wsgi_request
    label = f"{request.method} {request.get_full_path()}"
    assert (problem := server_error(response)) is None, f"{label} -> {problem}"
    assert response.status_code in statuses, f"{label} -> {response.status_code}"
    return response


def unread_core_reading(site: DemoSite, fellow: User) -> Reading:
    read = ReadingProgress.objects.filter(user=fellow).values("reading")
    return site.unit.readings.live().filter(tier=Reading.Tier.CORE).exclude(pk__in=read).first()


@pytest.mark.parametrize("role", ["fellow A", "fellow B"])
def test_a_fellow_marks_a_reading_read_and_unread_with_and_without_htmx(demo_site, role):
    client, fellow = signed_in(demo_site, role), demo_site.users[role]
    reading = unread_core_reading(demo_site, fellow)
    url, unit_url = reverse("reading_mark", args=[reading.pk]), demo_site.unit.get_absolute_url()
    marks = ReadingProgress.objects.filter(user=fellow, reading=reading)

    for done, headers, status in (
        ("1", HTMX, 200),
        ("0", {}, 302),
        ("1", {}, 302),
        ("0", HTMX, 200),
    ):
        response = answered(
            client.post(url, {"done": done, "next": unit_url}, headers=headers), status
        )
        assert marks.exists() == (done == "1"), (done, headers)
        if status == 302:
            assert response["Location"] == unit_url


@pytest.mark.parametrize("role", ["fellow A", "fellow B"])
def test_a_fellow_votes_on_a_reading_and_rates_the_unit(demo_site, role):
    client, fellow, unit = signed_in(demo_site, role), demo_site.users[role], demo_site.unit
    reading = demo_site.readings[-1]
    vote = reverse("reading_feedback", args=[reading.pk])
    rate, back = reverse("unit_feedback", args=[unit.pk]), unit.get_absolute_url()
    rating = {"rating": "4", "what_worked": "The debate", "what_to_change": "", "anonymous": "on"}

    answered(client.post(vote, {"useful": "1", "comment": "Clear", "next": back}), 302)
    assert ReadingFeedback.objects.get(user=fellow, reading=reading).comment == "Clear"
    answered(client.post(vote, {"useful": "0"}, headers=HTMX), 200)
    assert ReadingFeedback.objects.get(user=fellow, reading=reading).useful is False
    answered(client.post(rate, rating), 302)
    assert UnitFeedback.objects.filter(user=fellow, unit=unit, rating=4, anonymous=True).exists()
    answered(client.post(rate, rating | {"rating": "5"}, headers=HTMX), 200)
    assert UnitFeedback.objects.get(user=fellow, unit=unit).rating == 5


@pytest.mark.parametrize("role", ["fellow A", "fellow B"])
def test_a_fellow_answers_the_quiz_one_question_at_a_time_then_submits(demo_site, role):
    client, fellow = signed_in(demo_site, role), demo_site.users[role]
    attempt = Attempt.objects.get(user=fellow, quiz=demo_site.quiz, submitted_at=None)
    submit, form = reverse("attempt_submit", args=[attempt.pk]), {}

    answered(client.get(reverse("attempt_take", args=[attempt.pk])), 200)
    for n, (question_id, pick) in enumerate(picks_for(attempt).items()):
        data = {f"q{question_id}": pick.choice_ids, f"q{question_id}-text": pick.text}
        save = reverse("answer_save", args=[attempt.pk, question_id])
        answered(client.post(save, data, headers=HTMX if n % 2 else {}), 200 if n % 2 else 302)
        form |= data
    assert not attempt.answers.filter(saved_at=None).exists()
    answered(client.post(submit, form | {"action": "save"}), 302)
    answered(client.post(submit, form), 302)

    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.score == 100
    answered(client.get(reverse("attempt_result", args=[attempt.pk])), 200)


@pytest.mark.parametrize("role", ["fellow A", "fellow B"])
def test_a_fellow_rates_a_written_answer_and_starts_the_last_attempt(demo_site, role):
    client, fellow, quiz = signed_in(demo_site, role), demo_site.users[role], demo_site.quiz
    submitted, opened = demo_site.attempts[role]
    written = submitted.answers.get(snapshot__kind=Question.Kind.WRITTEN)
    rate = reverse("answer_rate", args=[submitted.pk, written.question_id])

    answered(client.post(rate, {"rating": "2"}), 302)
    assert Answer.objects.get(pk=written.pk).self_rating == 2
    answered(client.post(reverse("attempt_submit", args=[opened.pk]), {}), 302)
    response = answered(client.post(reverse("quiz_start", args=[quiz.pk])), 302)

    last = Attempt.objects.get(user=fellow, quiz=quiz, submitted_at=None)
    assert last.number == 3 and response["Location"] == reverse("attempt_take", args=[last.pk])


def test_people_choose_their_emails_and_one_click_unsubscribes(demo_site):
    url, users = reverse("notification_preferences"), demo_site.users
    every_kind_but_nudges = dict.fromkeys(NotificationPreferences.KINDS[:-1], "on")
    unsubscribe = reverse("reminders_unsubscribe", args=[demo_site.unsubscribe_token])

    answered(signed_in(demo_site, "fellow B").post(url, every_kind_but_nudges), 302)
    answered(
        signed_in(demo_site, "facilitator A").post(url, {"facilitator_digest": "on"}, headers=HTMX),
        200,
    )
    answered(signed_in(demo_site, "anonymous").post(unsubscribe), 200)

    def wanted(role: str) -> list[str]:
        prefs = NotificationPreferences.objects.get(user=users[role])
        return [kind for kind in NotificationPreferences.KINDS if getattr(prefs, kind)]

    assert wanted("fellow B") == list(NotificationPreferences.KINDS[:-1])
    assert wanted("facilitator A") == ["facilitator_digest"]
    assert wanted("fellow A") == []


def test_facilitators_nudge_their_fellows_and_invite_people(demo_site):
    cohort_a, cohort_b = demo_site.cohorts["A"], demo_site.cohorts["B"]
    facilitator = signed_in(demo_site, "facilitator A")
    a2, a3 = (User.objects.get(email=email) for email in FELLOWS["A"][1:])
    nudge = "cohort_fellow_nudge"
    invite_a, invite_b = (reverse("cohort_invite", args=[c.pk]) for c in (cohort_a, cohort_b))

    answered(facilitator.post(reverse(nudge, args=[cohort_a.pk, a2.pk])), 302)
    answered(facilitator.post(reverse(nudge, args=[cohort_a.pk, a3.pk]), headers=HTMX), 200)
    answered(facilitator.post(invite_a, {"emails": "ines@example.org, jo@example.org"}), 302)
    admin = signed_in(demo_site, "admin")
    answered(admin.post(invite_b, {"emails": "kim@example.org", "role": "facilitator"}), 302)

    assert Reminder.objects.filter(kind=Reminder.Kind.NUDGE, recipient__in=[a2, a3]).count() == 2
    invited = Invitation.objects.filter(
        email__in=["ines@example.org", "jo@example.org", "kim@example.org"]
    )
    assert sorted(invited.values_list("email", "cohort__name", "role")) == [
        ("ines@example.org", "Cohort A", "fellow"),
        ("jo@example.org", "Cohort A", "fellow"),
        ("kim@example.org", "Cohort B", "facilitator"),
    ]


def test_invited_people_join_with_a_new_account_or_their_own(demo_site):
    new, existing = (
        reverse("invitation_accept", args=[t]) for t in demo_site.invitation_tokens[:2]
    )
    password = "a long passphrase for the crawl"
    a2 = User.objects.get(email=FELLOWS["A"][1])

    account = {"display_name": "Nia", "password1": password, "password2": password}
    answered(signed_in(demo_site, "anonymous").post(new, account), 302)
    answered(browser(a2).post(existing), 302)

    joined = Enrollment.objects.values_list("user__email", "cohort__name", "role")
    assert ("new.fellow@example.org", "Cohort A", "fellow") in joined
    assert (a2.email, "Cohort B", "fellow") in joined


def test_the_admin_previews_the_demo_syllabus_and_a_chapter(demo_site):
    client, course, demo_files = (
        signed_in(demo_site, "admin"),
        demo_site.course,
        ROOT / "courseapp/demo",
    )
    syllabus = SimpleUploadedFile(
        "week-03.txt", (demo_files / "week-03-inner-alignment.txt").read_bytes()
    )
    chapter = SimpleUploadedFile("chapter.md", (demo_files / "chapter-sample.md").read_bytes())
    readings = Reading.objects.count()

    upload = reverse("admin:courseapp_course_syllabus_upload", args=[course.pk])
    preview = answered(client.post(upload, {"file": syllabus}), 200)
    chapter_form = {"unit": demo_site.unit.pk, "tier": Reading.Tier.FURTHER, "file": chapter}
    chapter_preview = answered(client.post(reverse("admin_import_chapter"), chapter_form), 200)

    assert preview.context["plan"] is not None and chapter_preview.context["token"]
    assert Reading.objects.count() == readings  # a preview changes nothing


# --- Hostile `next` values ----------------------------------------------------------------------

HOSTILE_NEXT = [
    "foo",
    "@SUM(1)",
    "account_logout",
    "\x00",
    "//evil.example",
    "https://evil.example/",
    "/\\evil.example",
    "javascript:alert(1)",
]


def local_path(location: str) -> bool:
    """A path on this site that a route answers: never another host, scheme or a header trick."""
    parts = urlsplit(location)
    if parts.scheme or parts.netloc or not location.isprintable() or "\\" in location:
        return False
    if not location.startswith("/") or location.startswith("//"):
        return False
    try:
        resolve(parts.path)
    except Resolver404:
        return False
    return True


@pytest.mark.parametrize("role", ["fellow A", "fellow B"])
def test_hostile_next_values_never_lead_off_the_site(demo_site, role):
    client, reading = signed_in(demo_site, role), demo_site.readings[0]
    # None of them is a path on this site, so each form goes back to its own page for the
    # reading: the unit page. A bare word must not be read as a URL name either.
    fallback = demo_site.unit.get_absolute_url()
    forms = {
        reverse("reading_mark", args=[reading.pk]): {"done": "1"},
        reverse("reading_feedback", args=[reading.pk]): {"useful": "1"},
    }
    failures = []
    for (url, data), target in itertools.product(forms.items(), HOSTILE_NEXT):
        response = client.post(url, data | {"next": target})
        location = response.get("Location", "")
        if (problem := server_error(response)) or response.status_code != 302:
            failures.append(f"POST {url} next={target!r} -> {problem or response.status_code}")
        elif not local_path(location):
            failures.append(f"POST {url} next={target!r} -> off the site, to {location!r}")
        elif location != fallback:
            failures.append(f"POST {url} next={target!r} -> followed, to {location!r}")
    assert not failures, "\n".join(failures)


def test_a_local_next_is_followed(demo_site):
    client, reading = signed_in(demo_site, "fellow A"), demo_site.readings[0]
    target = reverse("course_detail", args=[demo_site.course.slug])

    response = answered(
        client.post(reverse("reading_mark", args=[reading.pk]), {"done": "1", "next": target}), 302
    )

    assert response["Location"] == target


def test_a_route_the_crawl_cannot_fill_is_named(demo_site):
    view = "courseapp.week.views.thing"
    route = Route("thing_detail", "things/<int:pk>/", "things/%(pk)s/", view)

    assert fill(route, demo_site) == ("the crawl does not know how to fill pk: add it to BY_ROUTE")
