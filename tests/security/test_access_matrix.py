"""Who may do what, for every URL the resolver knows.

Every route is walked from the resolver, so a new page cannot escape: a route missing from
MATRIX (or, under admin/, from the admin family) fails the test and is named in the message.
Each probe is requested as all seven people, against real objects, including ids from the other
cohort. All failures are collected and reported at once.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from courseapp.models import Attendance, CalendarFeed, Enrollment
from tests.security.world import World, build_world

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "fellow_a",
    "fellow_b",
    "facilitator_a",
    "facilitator_b",
    "staff",
    "staff_no_mfa",
)

# Outcome classes.
OK = "200"
LOGIN = "redirect to sign-in"
ADMIN_LOGIN = "redirect to admin sign-in"
REDIRECT = "redirect elsewhere"
DENIED = "403/404"
NOT_FOUND = "404"
FORBIDDEN = "403"
METHOD = "405"
GONE = "410"
BAD = "400"
HEALTH = "200/503"
UNAUTHORIZED = "401"
MFA = "redirect to two-factor settings"


def matches(expected: str, response) -> bool:
    code = response.status_code
    if code in (301, 302, 303):
        location = response["Location"]
        if location == reverse("mfa_index"):
            return expected == MFA
        if location.startswith(reverse("account_login") + "?next="):
            return expected == LOGIN
        if location.startswith(reverse("admin:login")):
            return expected == ADMIN_LOGIN
        return expected == REDIRECT
    return {
        OK: code == 200,
        DENIED: code in (403, 404),
        NOT_FOUND: code == 404,
        FORBIDDEN: code == 403,
        METHOD: code == 405,
        GONE: code == 410,
        BAD: code == 400,
        HEALTH: code in (200, 503),
        UNAUTHORIZED: code == 401,
    }.get(expected, False)


def who(default: str | None = None, *, signed_in: str | None = None, **cells: str) -> dict:
    """Expected outcome per role: named roles, else `signed_in` for anyone signed in, else
    `default`.

    Staff without an authenticator (staff_no_mfa, enrolled nowhere; REQUIRE_STAFF_MFA is on)
    have no staff powers: unless named, they get what an outsider gets, except that a page
    that answers an outsider 404 sends them to set up two-factor authentication instead."""
    table = {}
    for role in ROLES:
        fallback = signed_in if role != "anonymous" and signed_in else default
        if role == "staff_no_mfa" and fallback in (NOT_FOUND, DENIED):
            fallback = MFA
        table[role] = cells.get(role, fallback)
    missing = [role for role, value in table.items() if value is None]
    assert not missing, f"no expectation for {missing}"
    return table


def everyone(outcome: str) -> dict:
    return who(outcome)


def members(outcome: str, **cells: str) -> dict:
    """Signed-in people get `outcome` (unless named); anonymous is sent to sign in."""
    return who(LOGIN, signed_in=outcome, **cells)


def facilitators_of_a(outcome: str = OK, **cells: str) -> dict:
    """Only cohort A's facilitator and staff; everyone else signed in gets a 404."""
    return members(NOT_FOUND, facilitator_a=outcome, staff=outcome, **cells)


def owner(role: str, outcome: str = OK, **cells: str) -> dict:
    return members(NOT_FOUND, **{role: outcome}, **cells)


@dataclass(frozen=True)
class Probe:
    path: Callable[[World], str]
    expect: dict
    method: str = "get"
    data: Callable[[World], dict] = field(default=lambda w: {})
    note: str = ""


def url(name: str, **kwargs: Callable[[World], object]) -> Callable[[World], str]:
    return lambda w: reverse(name, kwargs={key: fn(w) for key, fn in kwargs.items()})


def literal(path: str) -> Callable[[World], str]:
    return lambda w: path


def get(path, expect, note=""):
    return Probe(path=path, expect=expect, note=note)


def post(path, expect, data=lambda w: {}, note=""):
    return Probe(path=path, expect=expect, method="post", data=data, note=note)


UNIT = {"pk": lambda w: w.unit.pk}
OTHER_UNIT = {"pk": lambda w: w.other_unit.pk}
READING = {"pk": lambda w: w.reading.pk}
HOSTED = {"pk": lambda w: w.hosted.pk}
OTHER_READING = {"pk": lambda w: w.other_unit.readings.get().pk}
COHORT_A = {"pk": lambda w: w.cohort_a.pk}
COHORT_B = {"pk": lambda w: w.cohort_b.pk}


def _first_session(cohort) -> int:
    return cohort.sessions.order_by("starts_at", "pk").first().pk


SESSION_OF_A = {**COHORT_A, "session_pk": lambda w: _first_session(w.cohort_a)}
QUIZ = {"pk": lambda w: w.quiz.pk}


def attempt(kind: str, who_: str, *, question: str = ""):
    kwargs = {"pk": lambda w: getattr(w, kind)[who_].pk}
    if question:
        kwargs["question_pk"] = lambda w: getattr(w, question).pk
    return kwargs


def written_answer(who_: str) -> Callable[[World], int]:
    return lambda w: w.attempts[who_].answers.get(question=w.written).pk


def fellow_of(cohort: str, fellow: str):
    return {
        "pk": lambda w: getattr(w, f"cohort_{cohort}").pk,
        "user_pk": lambda w: w.users[fellow].pk,
    }


def cohort_unit(cohort: str, unit: str = "unit"):
    return {
        "cohort_pk": lambda w: getattr(w, f"cohort_{cohort}").pk,
        "unit_pk": lambda w: getattr(w, unit).pk,
    }


COURSE = {"slug": lambda w: w.course.slug}
OTHER_COURSE = {"slug": lambda w: w.other_course.slug}
ANSWER = lambda w: {f"q{w.question.pk}": str(w.question.choices.first().pk)}  # noqa: E731

# Signed-in people are sent on from pages meant for signing in; anonymous people see them.


def FELLOW_A_FEED(w: World) -> str:  # noqa: N802 (named like the other parameter sets)
    return CalendarFeed.objects.get_or_create(user=w.users["fellow_a"])[0].token


GUEST_PAGE = who(OK, signed_in=REDIRECT)
# The admin: staff only, and staff without an authenticator are sent to set one up.
STAFF_ADMIN = who(ADMIN_LOGIN, staff=OK, staff_no_mfa=MFA)

MATRIX: dict[str, list[Probe]] = {
    "home": [get(url("home"), members(OK))],
    "healthz": [get(url("healthz"), everyone(HEALTH))],
    "robots_txt": [get(url("robots_txt"), everyone(OK))],
    "course_detail": [
        get(url("course_detail", **COURSE), members(OK, staff_no_mfa=MFA)),
        get(url("course_detail", **OTHER_COURSE), members(NOT_FOUND, staff=OK)),
    ],
    "unit_detail": [
        get(url("unit_detail", **UNIT), members(OK, staff_no_mfa=MFA)),
        get(url("unit_detail", **OTHER_UNIT), members(NOT_FOUND, staff=OK)),
    ],
    "reading_detail": [
        get(url("reading_detail", **HOSTED), members(OK, staff_no_mfa=MFA)),
        get(
            url("reading_detail", **READING),
            members(REDIRECT, staff_no_mfa=MFA),
            note="not hosted: to its unit",
        ),
        get(url("reading_detail", **OTHER_READING), members(NOT_FOUND, staff=REDIRECT)),
    ],
    "reading_mark": [
        get(url("reading_mark", **READING), everyone(METHOD)),
        post(
            url("reading_mark", **READING),
            members(REDIRECT, staff_no_mfa=MFA),
            lambda w: {"done": "1"},
        ),
        post(url("reading_mark", **OTHER_READING), members(NOT_FOUND, staff=REDIRECT)),
    ],
    "reading_link_report": [
        get(url("reading_link_report", **READING), everyone(METHOD)),
        post(url("reading_link_report", **READING), members(REDIRECT, staff_no_mfa=MFA)),
        post(url("reading_link_report", **OTHER_READING), members(NOT_FOUND, staff=REDIRECT)),
    ],
    "invitation_accept": [
        get(
            url("invitation_accept", token=lambda w: w.invitations["a"].token),
            members(FORBIDDEN, anonymous=OK),
        ),
        get(url("invitation_accept", token=lambda w: "no-such-token"), everyone(NOT_FOUND)),
    ],
    "cohort_invite": [
        get(url("cohort_invite", **COHORT_A), facilitators_of_a()),
        get(url("cohort_invite", **COHORT_B), members(NOT_FOUND, facilitator_b=OK, staff=OK)),
        post(
            url("cohort_invite", **COHORT_B),
            members(NOT_FOUND, facilitator_b=REDIRECT, staff=REDIRECT),
            lambda w: {"emails": "invitee@example.org", "role": "fellow"},
        ),
    ],
    "notification_preferences": [get(url("notification_preferences"), members(OK))],
    "account_profile": [
        get(url("account_profile"), members(OK)),
        post(url("account_profile"), members(OK)),
    ],
    "account_data": [
        get(url("account_data"), members(OK)),
        post(url("account_data"), everyone(METHOD)),
    ],
    "account_data_export": [get(url("account_data_export"), members(OK))],
    "my_calendar": [
        get(url("my_calendar"), members(OK)),
        post(url("my_calendar"), members(METHOD)),
    ],
    "my_calendar_reset": [
        get(url("my_calendar_reset"), members(METHOD)),
        post(url("my_calendar_reset"), members(REDIRECT)),
    ],
    # The secret address is the only key: no sign-in, the same answer for everyone.
    "calendar_feed": [
        get(url("calendar_feed", token=FELLOW_A_FEED), everyone(OK)),
        get(url("calendar_feed", token=lambda w: "no-such-feed"), everyone(NOT_FOUND)),
        post(url("calendar_feed", token=FELLOW_A_FEED), everyone(METHOD)),
    ],
    # Deleting needs the password typed again: a bare POST shows the form with its error.
    "account_delete": [
        get(url("account_delete"), members(OK)),
        post(url("account_delete"), members(OK)),
    ],
    # Staff without an authenticator prove their address here before adding one; anyone else
    # has nothing to prove and is sent on to the two-factor settings.
    "account_staff_mfa_code": [
        get(url("account_staff_mfa_code"), members(MFA, staff_no_mfa=OK)),
        post(url("account_staff_mfa_code"), members(MFA, staff_no_mfa=OK)),
    ],
    "reminders_unsubscribe": [
        get(
            url("reminders_unsubscribe", token=lambda w: w.unsubscribe),
            everyone(OK),
            note="GET only asks",
        ),
        get(url("reminders_unsubscribe", token=lambda w: w.unsubscribe + "x"), everyone(BAD)),
    ],
    "quiz_detail": [get(url("quiz_detail", **QUIZ), members(OK, staff_no_mfa=MFA))],
    "quiz_start": [get(url("quiz_start", **QUIZ), everyone(METHOD))],
    "attempt_take": [
        get(url("attempt_take", **attempt("open_attempts", "a")), owner("fellow_a")),
        get(url("attempt_take", **attempt("open_attempts", "b")), owner("fellow_b")),
    ],
    "attempt_submit": [
        get(url("attempt_submit", **attempt("submit_attempts", "a")), everyone(METHOD)),
        post(url("attempt_submit", **attempt("submit_attempts", "b")), owner("fellow_b", REDIRECT)),
    ],
    "attempt_result": [
        get(url("attempt_result", **attempt("attempts", "a")), owner("fellow_a")),
        get(url("attempt_result", **attempt("attempts", "b")), owner("fellow_b")),
    ],
    "answer_save": [
        get(
            url("answer_save", **attempt("open_attempts", "a", question="question")),
            everyone(METHOD),
        ),
        post(
            url("answer_save", **attempt("open_attempts", "a", question="question")),
            owner("fellow_a", REDIRECT),
            ANSWER,
        ),
    ],
    "answer_rate": [
        get(url("answer_rate", **attempt("attempts", "b", question="written")), everyone(METHOD)),
        post(
            url("answer_rate", **attempt("attempts", "b", question="written")),
            owner("fellow_b", REDIRECT),
            lambda w: {"rating": "2"},
        ),
    ],
    "unit_feedback": [
        get(
            url("unit_feedback", **UNIT),
            members(NOT_FOUND, fellow_a=OK, fellow_b=OK),
            note="fellows only",
        ),
        get(url("unit_feedback", **OTHER_UNIT), members(NOT_FOUND)),
    ],
    "reading_feedback": [
        get(url("reading_feedback", **READING), members(NOT_FOUND, fellow_a=OK, fellow_b=OK)),
        get(url("reading_feedback", **OTHER_READING), members(NOT_FOUND)),
    ],
    "cohort_unit_feedback": [
        get(url("cohort_unit_feedback", **cohort_unit("a")), facilitators_of_a()),
        get(url("cohort_unit_feedback", **cohort_unit("a", "other_unit")), members(NOT_FOUND)),
    ],
    "cohort_unit_feedback_csv": [
        get(url("cohort_unit_feedback_csv", **cohort_unit("a")), facilitators_of_a()),
        get(
            url("cohort_unit_feedback_csv", **cohort_unit("b")),
            members(NOT_FOUND, facilitator_b=OK, staff=OK),
        ),
    ],
    "course_report": [get(url("course_report", **COURSE), members(NOT_FOUND, staff=OK))],
    "course_report_units_csv": [
        get(url("course_report_units_csv", **COURSE), members(NOT_FOUND, staff=OK))
    ],
    "course_report_readings_csv": [
        get(url("course_report_readings_csv", **COURSE), members(NOT_FOUND, staff=OK))
    ],
    "course_report_mastery": [
        get(url("course_report_mastery", **COURSE), members(NOT_FOUND, staff=OK))
    ],
    "course_report_mastery_csv": [
        get(url("course_report_mastery_csv", **COURSE), members(NOT_FOUND, staff=OK))
    ],
    "course_report_questions": [
        get(url("course_report_questions", **COURSE), members(NOT_FOUND, staff=OK))
    ],
    "course_report_links": [
        get(url("course_report_links", **COURSE), members(NOT_FOUND, staff=OK))
    ],
    "facilitate_home": [
        get(
            url("facilitate_home"), members(NOT_FOUND, facilitator_a=OK, facilitator_b=OK, staff=OK)
        )
    ],
    "cohort_detail": [
        get(url("cohort_detail", **COHORT_A), facilitators_of_a()),
        get(url("cohort_detail", **COHORT_B), members(NOT_FOUND, facilitator_b=OK, staff=OK)),
    ],
    "cohort_export_csv": [get(url("cohort_export_csv", **COHORT_A), facilitators_of_a())],
    "cohort_sessions_ics": [
        get(url("cohort_sessions_ics", **COHORT_B), members(NOT_FOUND, facilitator_b=OK, staff=OK))
    ],
    "cohort_fellow_detail": [
        get(url("cohort_fellow_detail", **fellow_of("a", "fellow_a")), facilitators_of_a()),
        get(
            url("cohort_fellow_detail", **fellow_of("a", "fellow_b")),
            members(NOT_FOUND),
            note="B's fellow through A",
        ),
    ],
    "cohort_written_answers": [
        get(
            url("cohort_written_answers", **COHORT_A, unit_pk=lambda w: w.unit.pk),
            facilitators_of_a(),
        ),
        get(
            url("cohort_written_answers", **COHORT_B, unit_pk=lambda w: w.unit.pk),
            members(NOT_FOUND, facilitator_b=OK, staff=OK),
        ),
        get(
            url("cohort_written_answers", **COHORT_A, unit_pk=lambda w: w.other_unit.pk),
            members(NOT_FOUND),
            note="another course's unit",
        ),
    ],
    "cohort_written_answer_review": [
        get(
            url("cohort_written_answer_review", **COHORT_A, answer_pk=written_answer("a")),
            members(METHOD),
        ),
        post(
            url("cohort_written_answer_review", **COHORT_A, answer_pk=written_answer("a")),
            facilitators_of_a(REDIRECT),
            lambda w: {"verdict": "meets", "comment": "Good"},
        ),
        post(
            url("cohort_written_answer_review", **COHORT_A, answer_pk=written_answer("b")),
            members(NOT_FOUND),
            lambda w: {"verdict": "meets"},
            note="B's answer through A",
        ),
    ],
    "cohort_fellow_nudge": [
        get(url("cohort_fellow_nudge", **fellow_of("a", "fellow_a")), members(METHOD)),
        post(url("cohort_fellow_nudge", **fellow_of("a", "fellow_a")), facilitators_of_a(REDIRECT)),
        post(
            url("cohort_fellow_nudge", **fellow_of("b", "fellow_b")),
            members(NOT_FOUND, facilitator_b=REDIRECT, staff=REDIRECT),
        ),
    ],
    "cohort_attendance": [
        get(url("cohort_attendance", **SESSION_OF_A), facilitators_of_a()),
        get(
            url("cohort_attendance", **COHORT_A, session_pk=lambda w: _first_session(w.cohort_b)),
            members(NOT_FOUND),
            note="B's session through A",
        ),
        post(
            url("cohort_attendance", **SESSION_OF_A),
            facilitators_of_a(REDIRECT),
            lambda w: {f"status-{w.users['fellow_a'].pk}": "present"},
        ),
        post(
            url("cohort_attendance", **COHORT_B, session_pk=lambda w: _first_session(w.cohort_b)),
            members(NOT_FOUND, facilitator_b=REDIRECT, staff=REDIRECT),
            lambda w: {f"status-{w.users['fellow_b'].pk}": "present"},
        ),
    ],
    "admin_import_chapter": [get(url("admin_import_chapter"), STAFF_ADMIN)],
}

ALLAUTH: dict[str, list[Probe]] = {
    "account_login": [get(url("account_login"), GUEST_PAGE)],
    "account_logout": [get(url("account_logout"), who(REDIRECT, signed_in=OK))],
    "account_inactive": [get(url("account_inactive"), everyone(OK))],
    "account_signup": [get(url("account_signup"), GUEST_PAGE)],
    "account_reauthenticate": [get(url("account_reauthenticate"), members(OK))],
    "account_email": [get(url("account_email"), members(OK))],
    "account_email_verification_sent": [get(url("account_email_verification_sent"), everyone(OK))],
    "account_change_password": [get(url("account_change_password"), members(OK))],
    "account_set_password": [get(url("account_set_password"), members(REDIRECT))],
    "account_reset_password": [get(url("account_reset_password"), everyone(OK))],
    "account_confirm_login_code": [
        get(url("account_confirm_login_code"), everyone(REDIRECT), note="no code was asked for")
    ],
    "account_confirm_email": [
        get(url("account_confirm_email", key=lambda w: "no-such-key"), everyone(OK))
    ],
    "account_reset_password_from_key_done": [
        get(url("account_reset_password_from_key_done"), everyone(OK))
    ],
    "account_reset_password_from_key": [
        get(
            url("account_reset_password_from_key", uidb36=lambda w: "1", key=lambda w: "bad-key"),
            everyone(OK),
        )
    ],
    "account_reset_password_done": [get(url("account_reset_password_done"), everyone(OK))],
    "account_request_login_code": [get(url("account_request_login_code"), GUEST_PAGE)],
    "mfa_index": [get(url("mfa_index"), members(OK))],
    "mfa_authenticate": [get(url("mfa_authenticate"), everyone(REDIRECT))],
    "mfa_reauthenticate": [
        get(url("mfa_reauthenticate"), members(REDIRECT, staff=OK), note="staff have an app")
    ],
    "mfa_activate_totp": [
        get(url("mfa_activate_totp"), members(REDIRECT), note="to reauthenticate first")
    ],
    "mfa_deactivate_totp": [
        get(
            url("mfa_deactivate_totp"),
            members(NOT_FOUND, staff=REDIRECT),
            note="no authenticator but staff's: staff to reauthenticate",
        )
    ],
    "mfa_view_recovery_codes": [
        get(url("mfa_view_recovery_codes"), members(NOT_FOUND), note="no authenticator")
    ],
    "mfa_generate_recovery_codes": [get(url("mfa_generate_recovery_codes"), members(REDIRECT))],
    "mfa_download_recovery_codes": [
        get(url("mfa_download_recovery_codes"), members(NOT_FOUND), note="no authenticator")
    ],
    "socialaccount_login_cancelled": [get(url("socialaccount_login_cancelled"), everyone(OK))],
    "socialaccount_login_error": [get(url("socialaccount_login_error"), everyone(UNAUTHORIZED))],
    "socialaccount_signup": [get(url("socialaccount_signup"), everyone(REDIRECT))],
    "socialaccount_connections": [get(url("socialaccount_connections"), members(OK))],
    "accounts/social/login/cancelled/": [
        get(literal("/accounts/social/login/cancelled/"), everyone(REDIRECT))
    ],
    "accounts/social/login/error/": [
        get(literal("/accounts/social/login/error/"), everyone(REDIRECT))
    ],
    "accounts/social/signup/": [get(literal("/accounts/social/signup/"), everyone(REDIRECT))],
    "accounts/social/connections/": [
        get(literal("/accounts/social/connections/"), everyone(REDIRECT))
    ],
    # Providers without credentials in the environment are not configured: a 404 for anyone.
    "google_login": [get(url("google_login"), everyone(NOT_FOUND))],
    "google_callback": [get(url("google_callback"), everyone(NOT_FOUND))],
    "google_login_by_token": [get(url("google_login_by_token"), everyone(NOT_FOUND))],
    "github_login": [get(url("github_login"), everyone(NOT_FOUND))],
    "github_callback": [get(url("github_callback"), everyone(NOT_FOUND))],
}
MATRIX |= ALLAUTH

# Non-staff people get one representative request per kind of admin page, with real ids from
# cohort B; staff request every admin page (see admin_probes) and must get it.
ADMIN_FAMILY_PROBES = [
    get(url("admin:index"), STAFF_ADMIN),
    get(url("admin:courseapp_cohort_changelist"), STAFF_ADMIN),
    get(lambda w: reverse("admin:courseapp_cohort_change", args=[w.cohort_b.pk]), STAFF_ADMIN),
    get(
        lambda w: reverse("admin:quizzes_attempt_change", args=[w.attempts["b"].pk]),
        STAFF_ADMIN,
    ),
    get(
        lambda w: reverse("admin:courseapp_course_syllabus_upload", args=[w.course.pk]),
        STAFF_ADMIN,
    ),
    get(
        lambda w: reverse("admin:accounts_user_change", args=[w.users["fellow_b"].pk]),
        STAFF_ADMIN,
    ),
    post(
        lambda w: reverse("admin:courseapp_cohort_delete", args=[w.cohort_b.pk]),
        STAFF_ADMIN,
    ),
]


def walk(patterns=None, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """(route key, full pattern) for every route: the name when it has one, else the pattern."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            yield (f"{namespace}{entry.name}" if entry.name else pattern), pattern


ADMIN_PREFIX = "admin/"
# The admin site's own pages, as staff.
ADMIN_SITE_PAGES = {
    "admin/": OK,
    "admin/login/": REDIRECT,
    "admin/logout/": METHOD,
    "admin/password_change/": OK,
    "admin/password_change/done/": OK,
    "admin/autocomplete/": FORBIDDEN,
    "admin/jsi18n/": OK,
}
MODEL_PAGE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/(?P<rest>.*)$")


def _first_pk(app: str, model: str):
    return (
        apps.get_model(app, model)
        ._default_manager.order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def admin_fill(pattern: str, staff_request) -> tuple[str, str] | None:
    """A real path for an admin route and what staff should get, or None if it cannot be
    filled (a new kind of admin page: classify it by hand)."""
    if pattern == "admin/(?P<url>.*)$":
        return "/admin/no-such-page/", NOT_FOUND
    if pattern.startswith("admin/^(?P<app_label>"):
        return "/admin/courseapp/", OK
    if pattern == "admin/r/<path:content_type_id>/<path:object_id>/":
        unit = apps.get_model("courseapp", "unit").objects.first()
        return f"/admin/r/{ContentType.objects.get_for_model(unit).pk}/{unit.pk}/", REDIRECT
    if pattern == "admin/accounts/user/<id>/password/":
        return f"/admin/accounts/user/{_first_pk('accounts', 'user')}/password/", OK
    if pattern in ADMIN_SITE_PAGES:
        return f"/{pattern}", ADMIN_SITE_PAGES[pattern]
    match = MODEL_PAGE.match(pattern)
    if not match or match["app"] not in {a.label for a in apps.get_app_configs()}:
        return None
    return _model_page(match["app"], match["model"], match["rest"], staff_request)


def _model_page(app: str, model: str, rest: str, staff_request) -> tuple[str, str] | None:
    model_class = apps.get_model(app, model)
    model_admin = admin.site._registry[model_class]
    obj = model_class._default_manager.order_by("pk").first()
    base = f"/admin/{app}/{model}/"
    if rest in ("", "invite/"):
        return base + rest, OK
    if rest == "sweep/":  # the reminders sweep button: a POST only
        return base + rest, METHOD
    if rest == "add/":
        return base + rest, OK if model_admin.has_add_permission(staff_request) else FORBIDDEN
    if (
        obj is None
        and rest.endswith("/delete/")
        and not model_admin.has_delete_permission(staff_request)
    ):
        return f"{base}0/delete/", FORBIDDEN
    if obj is None:
        # No row to show: the admin says so and goes back to its index.
        return f"{base}0/{rest.split('/', 1)[-1] if '/' in rest else ''}", REDIRECT
    if rest == "^([^/]+)/history/([^/]+)/$":
        record = model_class.history.filter(id=obj.pk).first()
        return f"{base}{obj.pk}/history/{record.history_id}/", OK
    filled = re.sub(r"<(int|path):(object_id|pk)>", str(obj.pk), rest)
    if "<" in filled or "(" in filled:
        return None
    if filled == f"{obj.pk}/":
        # The bare object URL is the admin's old form; it redirects to the change page.
        return base + filled, REDIRECT
    allowed = (
        model_admin.has_delete_permission(staff_request, obj)
        if filled.endswith("/delete/")
        else True
    )
    return base + filled, OK if allowed else FORBIDDEN


def _fill_missing_admin_rows() -> None:
    """Rows for the admin's own models the world does not create, so change pages are real."""
    Group.objects.create(name="Editors")
    every = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    PeriodicTask.objects.create(
        name="matrix", task="courseapp.platform.tasks.worker_heartbeat", interval=every
    )
    # Attendance, recorded by a facilitator of the session's cohort.
    mark = Enrollment.objects.filter(role=Enrollment.Role.FELLOW).order_by("pk").first()
    session = mark.cohort.sessions.order_by("starts_at").first()
    Attendance.objects.create(session=session, user=mark.user, status=Attendance.Status.PRESENT)


def request_as(client: Client, world: World, role: str, probe: Probe, path: str):
    client.logout()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    send = client.post if probe.method == "post" else client.get
    data = probe.data(world)
    return send(path, data) if probe.method == "post" else send(path)


def describe(response) -> str:
    location = response.get("Location", "")
    return f"{response.status_code}{' to ' + location if location else ''}"


def run_probe(client, world, role, probe, path, expected, failures, label):
    try:
        response = request_as(client, world, role, probe, path)
    except Exception as error:  # noqa: BLE001 - a crash is a finding to report with the rest
        failures.append(f"{label} as {role}: raised {error!r}")
        return
    if not matches(expected, response):
        failures.append(f"{label} as {role}: expected {expected}, got {describe(response)}")


def test_every_route_is_in_the_matrix_and_each_person_gets_what_the_matrix_says(settings):
    settings.REQUIRE_STAFF_MFA = True
    world = build_world()
    _fill_missing_admin_rows()
    client = Client()
    staff_request = RequestFactory().get("/admin/")
    staff_request.user = world.users["staff"]
    failures: list[str] = []
    routes = list(walk())
    known = {key for key, _ in routes}
    failures += [
        f"matrix row for a route that no longer exists: {key}" for key in MATRIX if key not in known
    ]
    for key, pattern in routes:
        if key in MATRIX:
            for probe in MATRIX[key]:
                path = probe.path(world)
                for role in ROLES:
                    note = f", {probe.note}" if probe.note else ""
                    label = f"{probe.method.upper()} {path} ({key}{note})"
                    run_probe(client, world, role, probe, path, probe.expect[role], failures, label)
        elif pattern.startswith(ADMIN_PREFIX):
            filled = admin_fill(pattern, staff_request)
            if filled is None:
                failures.append(f"admin route {key} ({pattern}) cannot be filled: add it by hand")
                continue
            path, expected = filled
            probe = get(literal(path), {})
            run_probe(
                client, world, "staff", probe, path, expected, failures, f"GET {path} ({key})"
            )
            run_probe(
                client, world, "staff_no_mfa", probe, path, MFA, failures, f"GET {path} ({key})"
            )
        else:
            failures.append(f"route missing from the access matrix: {key} ({pattern})")
    for probe in ADMIN_FAMILY_PROBES:
        path = probe.path(world)
        for role in ROLES:
            label = f"{probe.method.upper()} {path} (admin family)"
            run_probe(client, world, role, probe, path, probe.expect[role], failures, label)

    assert not failures, f"{len(failures)} access-matrix failures:\n" + "\n".join(failures)
