"""Conditional GET of the fellows' pages (courseapp.platform.pagecache) never revalidates a stale
page or someone else's.

Each test views a page until its browser has kept it (a repeat view answers 304 Not Modified),
changes something the way a person or an admin would (views, the Django admin, services, time
passing), then checks that the next view is rendered again, shows the change, and is kept in
turn. Transactional tests: the content token is replaced when the change commits, as in
production.
"""

import datetime as dt
import itertools
import re
from contextlib import contextmanager
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courseapp.models import Cohort, Enrollment, Invitation, Reading, ReadingProgress, Session, Unit
from courseapp.syllabus.parser import parse_syllabus
from courseapp.syllabus.services import syllabus_apply
from courseapp.week import pagecache_hooks
from quizzes.models import Attempt
from tests.courseapp.syllabus_samples import TWO_WEEKS
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort
from tests.factories import (
    PASSWORD,
    CohortFactory,
    CourseFactory,
    EnrollmentFactory,
    LearningObjectiveFactory,
)
from tests.faults.conftest import redis_down
from tests.quizzes.factories import QuizFactory, question_with_choices

pytestmark = pytest.mark.django_db(transaction=True)
HTMX = {"HTTP_HX_REQUEST": "true"}
# What a revalidation runs: the user row (whose page_version is in the ETag); the session, the
# content token and the schedule's next change (worked out when the page was rendered) come from
# the cache.
REVALIDATION_QUERIES = 1

# --- A browser, and page views that count queries -----------------------------------------------


class Browser(Client):
    """Django's test client, plus what a browser does that matters to conditional GET.

    It keeps each page that came with an ETag and sends the ETag back (If-None-Match); on 304 it
    shows the page it kept. And it forgets cookies the server expired: the test client keeps
    sending them empty, and an empty `messages` cookie keeps every later page from getting an
    ETag, so a test could pass without a page ever being revalidated.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kept: dict[str, tuple[str, bytes]] = {}

    def get(self, path, *args, **extra):
        htmx = "HTTP_HX_REQUEST" in extra
        if path in self.kept and not htmx:
            extra.setdefault("HTTP_IF_NONE_MATCH", self.kept[path][0])
        response = super().get(path, *args, **extra)
        if response.status_code == 200 and not htmx:
            if response.has_header("ETag"):
                self.kept[path] = (response["ETag"], response.content)
            else:
                self.kept.pop(path, None)
        return response

    def request(self, **request):
        response = super().request(**request)
        for name in [name for name, morsel in self.cookies.items() if morsel["max-age"] == 0]:
            del self.cookies[name]
        return response


def signed_in(user, **client_options) -> Browser:
    """A browser signed in as this person, holding a CSRF cookie, as one that came through the
    sign-in page does."""
    browser = Browser(**client_options)
    browser.get(reverse("account_login"))
    browser.force_login(user)
    return browser


TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")([^"]+)')


def normalised(html: str) -> str:
    """The page without its CSRF tokens, which are masked afresh on every render."""
    return TOKEN.sub(r"\1(token)", html)


def form_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def header_token(html: str) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


def view(client: Client, url: str, **extra) -> tuple[str, int]:
    """GET a page that must be rendered (200): its HTML and how many queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.content.decode(), len(queries)


def shown(client: Browser, url: str) -> str:
    """The page the browser shows: rendered (200), or the page it kept when revalidated (304)."""
    response = client.get(url)
    assert response.status_code in (200, 304), f"{url} answered {response.status_code}"
    return (
        client.kept[url][1].decode() if response.status_code == 304 else response.content.decode()
    )


def cached(client: Browser, url: str) -> str:
    """The page, which must be revalidated (304, no body): the page the browser kept."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 304, f"{url} answered {response.status_code}, not 304"
    assert response.content == b""
    assert len(queries) <= REVALIDATION_QUERIES, f"{url} ran {len(queries)} queries for a 304"
    assert response["Cache-Control"] == "private, no-cache"
    return client.kept[url][1].decode()


def primed(client: Browser, url: str) -> str:
    """View the page twice: rendered, then revalidated."""
    html, queries = view(client, url)
    assert queries > REVALIDATION_QUERIES, f"{url} ran {queries} queries on a first view"
    assert cached(client, url) == html
    return html


def next_view(client: Browser, url: str) -> str:
    """The first view after a change: rendered again, not the page kept before the change, and
    kept in turn (the repeat is revalidated)."""
    html, _ = view(client, url)
    assert cached(client, url) == html
    return html


# --- What a browser submits from an admin change form -------------------------------------------


class _FormFields(HTMLParser):
    """The fields a browser submits from the form with this id, with their current values."""

    SKIPPED_INPUTS = {"submit", "button", "file", "image", "reset"}

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.data: dict[str, list[str]] = {}
        self.select: dict | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        name = attrs.get("name")
        if not self.inside:
            return
        if tag == "input" and name:
            self._input(name, attrs)
        elif tag == "select" and name:
            self.select = {"name": name, "options": [], "chosen": [], "many": "multiple" in attrs}
        elif tag == "option" and self.select is not None:
            self.select["options"].append(attrs.get("value", ""))
            if "selected" in attrs:
                self.select["chosen"].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = [""]

    def _input(self, name: str, attrs: dict) -> None:
        kind = attrs.get("type", "text")
        if kind in self.SKIPPED_INPUTS or (
            kind in ("checkbox", "radio") and "checked" not in attrs
        ):
            return
        value = attrs.get("value") or ("on" if kind == "checkbox" else "")
        self.data.setdefault(name, []).append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen, options = self.select["chosen"], self.select["options"]
            # A single select with nothing marked submits its first option, as browsers do.
            if not chosen and not self.select["many"] and options:
                chosen = options[:1]
            if chosen:
                self.data[self.select["name"]] = chosen
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # As in browsers, the newline right after <textarea> is not part of the value.
            self.data[self.textarea][0] = self.data[self.textarea][0].removeprefix("\n")
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.data[self.textarea][0] += data


def admin_form(client: Client, url: str, form_id: str) -> dict[str, list[str]]:
    """What pressing Save on this admin change page would post, before any edit."""
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    parser = _FormFields(form_id)
    parser.feed(response.content.decode())
    assert parser.data, f"no form {form_id} on {url}"
    return parser.data | {"_save": ["Save"]}


def admin_save(client: Client, url: str, data: dict) -> None:
    response = client.post(url, data)
    errors = response.context.get("errors") if response.context else None
    assert response.status_code == 302, f"the admin refused the change: {errors}"


def inline_row(data: dict, prefix: str, field: str, value) -> str:
    """The prefix (e.g. "sessions-2") of the inline row whose `field` holds `value`."""
    for name, values in data.items():
        if re.fullmatch(rf"{prefix}-\d+-{field}", name) and values == [str(value)]:
            return name.rsplit("-", 1)[0]
    raise AssertionError(f"no {prefix} row with {field}={value}")


# --- The course, a cohort, two fellows ----------------------------------------------------------


@pytest.fixture
def world(db):
    """A weekly cohort whose first session is in 3 days: week 1 is open, week 2 opens at that
    session. Week 1 has 4 core readings, two objectives and a two-question quiz."""
    course, units = course_with_units(units=3, title="Alignment course")
    cohort = weekly_cohort(course, name="Thursday cohort")
    unit = units[0]
    objectives = [LearningObjectiveFactory(unit=unit, position=i) for i in range(2)]
    quiz = QuizFactory(unit=unit)
    questions = [question_with_choices(quiz, correct=(0,), objectives=[o]) for o in objectives]
    return SimpleNamespace(
        course=course,
        cohort=cohort,
        units=units,
        unit=unit,
        core=list(unit.readings.filter(tier=Reading.Tier.CORE).order_by("position")),
        objectives=objectives,
        quiz=quiz,
        questions=questions,
        ada=fellow_in(cohort, display_name="Ada Fellow"),
        bo=fellow_in(cohort, display_name="Bo Fellow"),
        home_url=reverse("home"),
        unit_url=reverse("unit_detail", args=[unit.pk]),
    )


def _pages(world) -> tuple[str, str]:
    return world.home_url, world.unit_url


def _mark_url(reading) -> str:
    return reverse("reading_mark", args=[reading.pk])


def _is_read(html: str, reading) -> bool:
    row = re.search(rf'<li class="([^"]*)" id="reading-{reading.pk}"', html)
    assert row, f"reading {reading.pk} is not on the page"
    return "is-done" in row.group(1).split()


def _user_name(html: str) -> str:
    return re.search(r'<span class="user-name">([^<]*)</span>', html).group(1)


def _objective(html: str, objective) -> str:
    return html.split(f'id="objective-{objective.pk}"')[1].split("</li>")[0]


# --- 1. Served from the cache, with a working CSRF token ----------------------------------------


def test_a_repeat_view_answers_304_and_the_kept_pages_csrf_tokens_work(world):
    laptop = signed_in(world.ada, enforce_csrf_checks=True)
    first, queries = view(laptop, world.unit_url)
    assert queries > REVALIDATION_QUERIES
    again = cached(laptop, world.unit_url)
    assert again == first
    reading = world.core[0]

    assert laptop.post(_mark_url(reading), {"done": "1"}).status_code == 403
    marked = laptop.post(
        _mark_url(reading), {"done": "1", "csrfmiddlewaretoken": form_token(again)}
    )
    assert marked.status_code == 302
    assert ReadingProgress.objects.filter(user=world.ada, reading=reading).exists()
    unmarked = laptop.post(
        _mark_url(reading), {"done": "0"}, HTTP_X_CSRFTOKEN=header_token(again), **HTMX
    )
    assert unmarked.status_code == 200
    assert not ReadingProgress.objects.filter(user=world.ada, reading=reading).exists()


def test_each_browser_keeps_its_own_page_and_its_csrf_token_works_only_there(world):
    laptop = signed_in(world.ada, enforce_csrf_checks=True)
    phone = signed_in(world.ada, enforce_csrf_checks=True)
    laptop_page = primed(laptop, world.unit_url)

    # Each browser keeps its own page; the laptop's ETag does not revalidate the phone's.
    phone_page = primed(phone, world.unit_url)
    reading = world.core[0]

    assert phone_page != laptop_page
    borrowed = phone.get(world.unit_url, HTTP_IF_NONE_MATCH=laptop.kept[world.unit_url][0])
    assert borrowed.status_code == 200
    stolen = {"done": "1", "csrfmiddlewaretoken": form_token(laptop_page)}
    assert phone.post(_mark_url(reading), stolen).status_code == 403
    own = {"done": "1", "csrfmiddlewaretoken": form_token(phone_page)}
    assert phone.post(_mark_url(reading), own).status_code == 302
    assert ReadingProgress.objects.filter(user=world.ada, reading=reading).exists()


# --- 2-4. What the fellow does ------------------------------------------------------------------


def test_marking_readings_read_and_unread_shows_on_the_next_unit_page_and_home(world):
    ada = signed_in(world.ada)
    for url in _pages(world):
        primed(ada, url)
    first, second = world.core[:2]

    assert ada.post(_mark_url(first), {"done": "1"}, **HTMX).status_code == 200
    page = next_view(ada, world.unit_url)
    assert _is_read(page, first) and not _is_read(page, second)
    assert "<strong>1 of 4</strong> core readings read" in page
    assert "3 of 4 core readings left" in next_view(ada, world.home_url)

    back_to = f"{world.unit_url}#reading-{second.pk}"
    marked = ada.post(_mark_url(second), {"done": "1", "next": back_to})
    assert marked.status_code == 302 and marked["Location"] == back_to
    page = next_view(ada, world.unit_url)
    assert _is_read(page, first) and _is_read(page, second)
    assert "2 of 4 core readings left" in next_view(ada, world.home_url)

    assert ada.post(_mark_url(first), {"done": "0", "next": back_to}).status_code == 302
    page = next_view(ada, world.unit_url)
    assert not _is_read(page, first) and _is_read(page, second)
    assert "<strong>1 of 4</strong> core readings read" in page
    assert "3 of 4 core readings left" in next_view(ada, world.home_url)


def test_unit_and_reading_feedback_sent_through_their_forms_show_on_the_next_unit_page(world):
    ada = signed_in(world.ada)
    reading = world.core[0]
    ada.post(_mark_url(reading), {"done": "1"})
    page = primed(ada, world.unit_url)
    assert "Send feedback" in page and "You said:" not in page

    unit_feedback = {"rating": "4", "what_worked": "The worked examples", "what_to_change": ""}
    sent = ada.post(reverse("unit_feedback", args=[world.unit.pk]), unit_feedback, **HTMX)
    assert sent.status_code == 200
    page = next_view(ada, world.unit_url)
    assert "The worked examples" in page and "Update feedback" in page

    vote = {"useful": "0", "comment": "Too long for one week"}
    sent = ada.post(reverse("reading_feedback", args=[reading.pk]), vote, **HTMX)
    assert sent.status_code == 200
    page = next_view(ada, world.unit_url)
    assert "You said: not useful." in page and 'value="Too long for one week"' in page


def test_starting_answering_and_submitting_the_quiz_change_the_quiz_panel_and_mastery(world):
    ada = signed_in(world.ada)
    page = primed(ada, world.unit_url)
    assert "Start the quiz" in page and "No quiz result yet" in page

    assert ada.post(reverse("quiz_start", args=[world.quiz.pk])).status_code == 302
    attempt = Attempt.objects.get(user=world.ada)
    page = next_view(ada, world.unit_url)
    assert "Resume the quiz" in page and "attempts used 1 of 3" in page

    first, second = world.questions
    right = first.choices.get(is_correct=True).pk
    wrong = second.choices.filter(is_correct=False).first().pk
    answer_url = reverse("answer_save", args=[attempt.pk, first.pk])
    assert ada.post(answer_url, {f"q{first.pk}": right}, **HTMX).status_code == 200
    # The answer is the fellow's own data: the page is built again (and says the same).
    assert "Resume the quiz" in next_view(ada, world.unit_url)

    picks = {f"q{first.pk}": right, f"q{second.pk}": wrong}
    assert ada.post(reverse("attempt_submit", args=[attempt.pk]), picks).status_code == 302
    page = next_view(ada, world.unit_url)
    assert "Latest score <strong>50%</strong>" in page and "Not passed yet" in page
    assert "Try again" in page and "Resume the quiz" not in page
    assert "1/1" in _objective(page, world.objectives[0])
    assert "0/1" in _objective(page, world.objectives[1])


# --- 5-6. What admins change, and time passing --------------------------------------------------


def test_an_admin_renaming_the_unit_in_the_django_admin_shows_for_every_fellow(world, staff):
    fellows = [signed_in(world.ada), signed_in(world.bo)]
    for browser in fellows:
        for url in _pages(world):
            primed(browser, url)
    admin = signed_in(staff)
    url = reverse("admin:courseapp_unit_change", args=[world.unit.pk])

    data = admin_form(admin, url, "unit_form")
    assert data["title"] == ["Week 1 topic"]
    data["title"] = ["Deceptive alignment"]
    admin_save(admin, url, data)

    for browser in fellows:
        assert "<h1>Deceptive alignment</h1>" in next_view(browser, world.unit_url)
        assert "Week 1: Deceptive alignment" in next_view(browser, world.home_url)


def test_the_syllabus_importer_retitling_a_reading_shows_for_every_fellow():
    course = CourseFactory()
    syllabus_apply(course=course, document=parse_syllabus(TWO_WEEKS))
    cohort = CohortFactory(course=course, pacing=Cohort.Pacing.SELF_PACED)
    browsers = [signed_in(fellow_in(cohort)) for _ in range(2)]
    url = reverse("unit_detail", args=[Unit.objects.get(course=course, week=1).pk])
    for browser in browsers:
        assert "A first reading: with a colon" in primed(browser, url)

    retitled = TWO_WEEKS.replace("A first reading: with a colon", "A first reading, revised")
    plan = syllabus_apply(course=course, document=parse_syllabus(retitled))
    assert plan

    for browser in browsers:
        page = next_view(browser, url)
        assert "A first reading, revised" in page and "with a colon" not in page


def test_moving_the_units_session_later_in_the_admin_locks_the_unit_on_the_next_view(world, staff):
    ada = signed_in(world.ada)
    for url in _pages(world):
        primed(ada, url)
    admin = signed_in(staff)
    url = reverse("admin:courseapp_cohort_change", args=[world.cohort.pk])

    data = admin_form(admin, url, "cohort_form")
    row = inline_row(data, "sessions", "unit", world.unit.pk)
    data[f"{row}-starts_at_0"] = [(timezone.localdate() + dt.timedelta(days=30)).isoformat()]
    admin_save(admin, url, data)

    locked = ada.get(world.unit_url)
    assert locked.status_code == 403
    assert "Week 1 topic" in locked.content.decode()
    home = next_view(ada, world.home_url)
    assert "This week" not in home and world.unit_url not in home

    # Moved back by a save of the session alone (as the demo seed and scripts do).
    session = Session.objects.get(cohort=world.cohort, unit=world.unit)
    session.starts_at = timezone.now() + dt.timedelta(days=3)
    session.save()
    assert "Week 1: Week 1 topic" in next_view(ada, world.home_url)
    assert "<h1>Week 1 topic</h1>" in next_view(ada, world.unit_url)


def test_a_unit_opening_shows_on_home_when_its_time_comes_without_any_write(world, time_machine):
    week_2 = world.units[1]
    opens = Session.objects.get(cohort=world.cohort, unit=week_2).opens_at
    week_2_url = reverse("unit_detail", args=[week_2.pk])
    time_machine.move_to(opens - dt.timedelta(minutes=5))
    ada = signed_in(world.ada)
    assert "Week 1: Week 1 topic" in primed(ada, world.home_url)
    assert ada.get(week_2_url).status_code == 403

    time_machine.move_to(opens - dt.timedelta(minutes=1))
    assert "Week 1: Week 1 topic" in cached(ada, world.home_url)

    time_machine.move_to(opens + dt.timedelta(minutes=1))
    assert "Week 2: Week 2 topic" in next_view(ada, world.home_url)
    assert "<h1>Week 2 topic</h1>" in next_view(ada, week_2_url)


@pytest.fixture
def closing_unit(db):
    """A unit whose only session was ten days ago, so nothing on the schedule changes before its
    feedback deadline (in four days); its URL, the deadline and a fellow of the cohort."""
    course, [unit] = course_with_units(units=1)
    cohort = weekly_cohort(course, starts_in_days=-10, feedback_window_days=14)
    session = Session.objects.get(cohort=cohort, unit=unit)
    deadline = session.starts_at + dt.timedelta(days=14)
    return reverse("unit_detail", args=[unit.pk]), deadline, fellow_in(cohort)


def test_the_feedback_window_closing_shows_on_the_unit_page_when_its_time_comes(
    closing_unit, time_machine
):
    url, deadline, fellow = closing_unit
    time_machine.move_to(deadline - dt.timedelta(minutes=5))
    browser = signed_in(fellow)
    assert "Send feedback" in primed(browser, url)

    time_machine.move_to(deadline - dt.timedelta(minutes=1))
    assert "Send feedback" in cached(browser, url)

    time_machine.move_to(deadline + dt.timedelta(minutes=1))
    page = next_view(browser, url)
    assert "The feedback window for this unit closed" in page and "Send feedback" not in page


@contextmanager
def _clock_passes(time_machine, *, to: dt.datetime, during_query: int):
    """The clock reaches `to` while the view runs its nth query (counting from 0): a moment
    passing while a page is being built."""
    seen = itertools.count()

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if next(seen) == during_query:
            time_machine.move_to(to, tick=False)
        return result

    with connection.execute_wrapper(wrapper):
        yield


def _never_kept_past(time_machine, browser, url: str, moment: dt.datetime) -> list[str]:
    """For each query of the page's build, the clock passes `moment` during that query; then
    the page is viewed again, after the moment. Returns what the browser shows then, rendered
    or revalidated (each of a fresh URL, so of a page the browser kept only from that build)."""
    before, after = moment - dt.timedelta(minutes=1), moment + dt.timedelta(minutes=1)
    time_machine.move_to(before, tick=False)
    _, queries = view(browser, f"{url}?count")
    pages = []
    for n in range(queries):
        time_machine.move_to(before, tick=False)
        with _clock_passes(time_machine, to=after, during_query=n):
            view(browser, f"{url}?build={n}")
        time_machine.move_to(after, tick=False)  # if the build ran fewer queries this time
        pages.append(shown(browser, f"{url}?build={n}"))
    return pages


def test_a_unit_opening_while_home_is_being_built_never_keeps_the_page_past_it(world, time_machine):
    opens = Session.objects.get(cohort=world.cohort, unit=world.units[1]).opens_at
    ada = signed_in(world.ada)

    pages = _never_kept_past(time_machine, ada, world.home_url, opens)

    for n, page in enumerate(pages):
        assert "Week 2: Week 2 topic" in page, f"kept past the opening (passed in query {n})"


def test_the_feedback_deadline_passing_while_the_page_is_built_never_keeps_it_open(
    closing_unit, time_machine
):
    url, deadline, fellow = closing_unit

    pages = _never_kept_past(time_machine, signed_in(fellow), url, deadline)

    for n, page in enumerate(pages):
        assert "Send feedback" not in page, f"kept open past the deadline (passed in query {n})"


# --- 7-9. The person, their enrolment, the people beside them -----------------------------------


def test_changing_the_display_name_shows_in_the_header_of_cached_pages(world):
    ada = signed_in(world.ada)
    for url in _pages(world):
        assert _user_name(primed(ada, url)) == "Ada Fellow"

    saved = ada.post(
        reverse("account_profile"), {"display_name": "Ada Lovelace", "timezone": ""}, follow=True
    )
    assert "Your profile was saved." in saved.content.decode()

    for url in _pages(world):
        assert _user_name(next_view(ada, url)) == "Ada Lovelace"


def test_a_password_change_signs_out_the_other_session_though_its_pages_were_cached(world):
    laptop, phone = signed_in(world.ada), signed_in(world.ada)
    for url in _pages(world):
        primed(phone, url)
    new = "a-brand-new-passphrase-7"

    changed = laptop.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert changed.status_code == 302

    for url in _pages(world):
        response = phone.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert laptop.get(world.home_url).status_code == 200


def test_dropping_the_enrolment_in_the_admin_removes_the_cohort_and_closes_the_unit(world, staff):
    ada = signed_in(world.ada)
    assert "Thursday cohort" in primed(ada, world.home_url)
    primed(ada, world.unit_url)
    enrollment = Enrollment.objects.get(user=world.ada)
    admin = signed_in(staff)
    url = reverse("admin:courseapp_enrollment_change", args=[enrollment.pk])

    data = admin_form(admin, url, "enrollment_form")
    assert data["status"] == ["active"]
    data["status"] = ["dropped"]
    admin_save(admin, url, data)

    home = next_view(ada, world.home_url)
    assert "Thursday cohort" not in home and "You are not enrolled in a cohort yet" in home
    assert ada.get(world.unit_url).status_code == 404


def test_two_fellows_of_one_cohort_never_get_each_others_cached_pages(world):
    ada, bo = signed_in(world.ada), signed_in(world.bo)
    ada.post(_mark_url(world.core[0]), {"done": "1"})
    for url in _pages(world):
        primed(ada, url)

    for url in _pages(world):
        borrowed = bo.get(url, HTTP_IF_NONE_MATCH=ada.kept[url][0])
        assert borrowed.status_code == 200, "Ada's page was revalidated for Bo"
        page = borrowed.content.decode()
        assert _user_name(page) == "Bo Fellow" and "Ada Fellow" not in page

    bo_unit, ada_unit = cached(bo, world.unit_url), cached(ada, world.unit_url)
    assert not _is_read(bo_unit, world.core[0]) and _is_read(ada_unit, world.core[0])
    assert "4 of 4 core readings left" in cached(bo, world.home_url)
    assert "3 of 4 core readings left" in cached(ada, world.home_url)
    assert _user_name(cached(ada, world.home_url)) == "Ada Fellow"


# --- 10. Flash messages -------------------------------------------------------------------------


def test_a_flash_message_before_a_redirect_to_the_cached_unit_page_is_shown_once(world):
    ada = signed_in(world.ada)
    primed(ada, world.unit_url)
    feedback = {"rating": "5", "what_worked": "Short readings", "what_to_change": ""}

    sent = ada.post(reverse("unit_feedback", args=[world.unit.pk]), feedback)
    assert sent.status_code == 302 and sent["Location"] == world.unit_url

    page, _ = view(ada, world.unit_url)
    assert "Thanks, your feedback was saved." in page and "Short readings" in page
    page = next_view(ada, world.unit_url)
    assert "Thanks, your feedback was saved." not in page and "Short readings" in page


def test_a_flash_message_shows_on_a_cached_home_page_even_when_nothing_else_changed(world):
    ada = signed_in(world.ada)
    home = primed(ada, world.home_url)
    # An invitation to the cohort she is already in: accepting it changes none of her data.
    invitation = Invitation.objects.create(
        cohort=world.cohort,
        email=world.ada.email,
        token="already-enrolled-invitation",
        expires_at=timezone.now() + dt.timedelta(days=7),
    )

    joined = ada.post(reverse("invitation_accept", args=[invitation.token]))
    assert joined.status_code == 302 and joined["Location"] == world.home_url

    page, _ = view(ada, world.home_url)
    assert "Welcome! You have joined Thursday cohort." in page
    assert normalised(next_view(ada, world.home_url)) == normalised(home)


# --- 11-12. When pages are always rendered ------------------------------------------------------


def test_an_htmx_get_is_always_rendered_and_carries_no_etag(world):
    ada = signed_in(world.ada)
    for url in _pages(world):
        kept = primed(ada, url)
        for _ in range(2):
            response = ada.get(url, HTTP_IF_NONE_MATCH=ada.kept[url][0], **HTMX)
            assert response.status_code == 200 and not response.has_header("ETag")
            assert "HX-Request" in response["Vary"]
        assert cached(ada, url) == kept  # the htmx views left the kept page as it was


@pytest.mark.serial
def test_with_redis_down_pages_come_from_the_database_and_a_mark_lands(world):
    ada = signed_in(world.ada)
    for url in _pages(world):
        primed(ada, url)
    reading = world.core[0]

    with redis_down():
        home, _ = view(ada, world.home_url)
        assert "4 of 4 core readings left" in home and _user_name(home) == "Ada Fellow"
        assert not _is_read(view(ada, world.unit_url)[0], reading)
        assert ada.post(_mark_url(reading), {"done": "1"}).status_code == 302
        page, _ = view(ada, world.unit_url)
        assert _is_read(page, reading) and "<strong>1 of 4</strong>" in page
        assert "3 of 4 core readings left" in view(ada, world.home_url)[0]

    assert ReadingProgress.objects.filter(user=world.ada, reading=reading).exists()
    assert _is_read(next_view(ada, world.unit_url), reading)


# --- 13. Every model has a decision -------------------------------------------------------------


def test_every_model_of_the_course_apps_is_personal_shared_or_unseen_exactly_once():
    def label(model) -> str:
        return model if isinstance(model, str) else model._meta.label_lower

    listed = [
        label(model)
        for group in (pagecache_hooks.PERSONAL, pagecache_hooks.SHARED, pagecache_hooks.UNSEEN)
        for model in group
    ]
    models = {
        model._meta.label_lower
        for app in ("courseapp", "quizzes", "accounts")
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical")
    }

    assert sorted(listed) == sorted(set(listed)), "a model is listed twice"
    assert set(listed) == models


def test_a_page_kept_for_one_session_never_carries_its_facilitate_link_into_another(world):
    # The header's Facilitate link follows a flag each session keeps (facilitate/nav.py).
    laptop = signed_in(world.ada)
    EnrollmentFactory(
        cohort=weekly_cohort(world.course, name="Friday cohort"),
        user=world.ada,
        role=Enrollment.Role.FACILITATOR,
    )
    phone = signed_in(world.ada)
    link = f'href="{reverse("facilitate_home")}"'

    assert link in primed(phone, world.home_url)
    assert link not in next_view(laptop, world.home_url)
    assert link in cached(phone, world.home_url)
