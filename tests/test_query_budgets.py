"""Query budgets of the pages `make bench` loads, on the benchmark's own dataset (bench/ at a
small size: 12 units x 15 readings, 3 quizzes x 8 questions, cohorts of 10 and 60 fellows with
marks, attempts and feedback). A page's count must not grow with the cohort."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from bench.dataset import Spec, facilitator_cohort_name, fellow_view, generate
from courseapp.models import Cohort, Enrollment
from courseapp.week.selectors import units_open_to

pytestmark = pytest.mark.django_db
SMALL, LARGE = 10, 60
BUDGETS = {
    # First views; a repeat view revalidated by its ETag runs 1 (see below).
    "home": 6,
    "unit_detail": 11,
    # The user; the access rule; get_or_create's select, savepoint, insert and release; the page
    # version bump; the unit's readings and the feedback for the answer; the view's savepoint.
    "reading_mark": 11,
    "quiz_detail": 5,
    "attempt_take": 5,
    "cohort_detail": 12,
    "cohort_export_csv": 12,
}


@pytest.fixture
def dataset(db):
    generate(Spec(cohorts=2, fellows_per_cohort=10, facilitator_cohorts=(SMALL, LARGE)))


def _cohort(size: int) -> Cohort:
    return Cohort.objects.get(name=facilitator_cohort_name(size))


def _fellow_pages(cohort: Cohort) -> tuple[User, dict]:
    view = fellow_view(cohort)
    unit, reading, quiz, attempt = view.unit, view.reading, view.quiz, view.attempt
    return view.fellow, {
        "home": reverse("home"),
        "unit_detail": reverse("unit_detail", args=[unit.pk]),
        "reading_mark": reverse("reading_mark", args=[reading.pk]),
        "quiz_detail": reverse("quiz_detail", args=[quiz.pk]),
        "attempt_take": reverse("attempt_take", args=[attempt.pk]),
    }


def _count(client, name: str, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        if name == "reading_mark":
            response = client.post(url, {"done": "1"}, headers={"HX-Request": "true"})
        else:
            response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, (name, response.status_code)
    return len(queries)


@pytest.mark.parametrize("name", ["home", "unit_detail", "reading_mark", "quiz_detail"])
def test_a_fellow_page_stays_within_its_budget_whatever_the_cohort_size(client, dataset, name):
    counts = {}
    for size in (SMALL, LARGE):
        fellow, urls = _fellow_pages(_cohort(size))
        client.force_login(fellow)
        counts[size] = _count(client, name, urls[name])

    assert counts[SMALL] == counts[LARGE]
    assert counts[LARGE] <= BUDGETS[name]


@pytest.mark.parametrize("name", ["home", "unit_detail"])
def test_a_repeat_view_of_a_fellow_page_is_revalidated_in_one_query(client, dataset, name):
    fellow, urls = _fellow_pages(_cohort(LARGE))
    client.get(reverse("account_login"))  # the CSRF cookie, as a browser coming to sign in has
    client.force_login(fellow)
    etag = client.get(urls[name])["ETag"]

    with CaptureQueriesContext(connection) as queries:
        response = client.get(urls[name], headers={"If-None-Match": etag})

    # The user (whose page_version is in the ETag); the session, the content token and the
    # schedule's next change (worked out on the first view) come from the cache.
    assert response.status_code == 304
    assert len(queries) == 1


def test_the_quiz_attempt_page_stays_within_its_budget(client, dataset):
    fellow, urls = _fellow_pages(_cohort(LARGE))
    client.force_login(fellow)

    assert _count(client, "attempt_take", urls["attempt_take"]) <= BUDGETS["attempt_take"]


@pytest.mark.parametrize("name", ["cohort_detail", "cohort_export_csv"])
def test_a_facilitator_page_runs_the_same_queries_for_10_and_60_fellows(client, dataset, name):
    counts = {}
    for size in (SMALL, LARGE):
        cohort = _cohort(size)
        host = cohort.enrollments.filter(role=Enrollment.Role.FACILITATOR).first().user
        client.force_login(host)
        counts[size] = _count(client, name, reverse(name, args=[cohort.pk]))

    assert counts[SMALL] == counts[LARGE]
    assert counts[LARGE] <= BUDGETS[name]


def test_the_trivial_view_runs_no_query(client, dataset):
    assert _count(client, "robots_txt", reverse("robots_txt")) == 0


def _grow(fellow: User, cohort: Cohort, view) -> str:
    """More of everything one fellow's pages show: six more open units of five readings with
    objectives and a quiz each, ten more readings in this week's unit, marks on all of them,
    and two submitted attempts of the viewed quiz before a new one is opened. Returns the new
    attempt's URL."""
    from quizzes.models import Quiz
    from quizzes.services import attempt_start, attempt_submit
    from tests.factories import (
        LearningObjectiveFactory,
        ReadingFactory,
        ReadingProgressFactory,
        SessionFactory,
        UnitFactory,
    )
    from tests.quizzes.factories import QuizFactory, question_with_choices

    last_week = cohort.course.units.order_by("-week").first().week
    past = timezone.now() - dt.timedelta(days=1)
    readings = [ReadingFactory(unit=view.unit, position=100 + n) for n in range(10)]
    for n in range(6):
        unit = UnitFactory(course=cohort.course, week=last_week + 1 + n, published=True)
        SessionFactory(cohort=cohort, unit=unit, opens_at=past, starts_at=past)
        readings += [ReadingFactory(unit=unit, position=p) for p in range(5)]
        objective = LearningObjectiveFactory(unit=unit)
        question_with_choices(QuizFactory(unit=unit, attempts_allowed=5), objectives=[objective])
    for reading in readings:
        ReadingProgressFactory(user=fellow, reading=reading)
    Quiz.objects.filter(pk=view.quiz.pk).update(attempts_allowed=10)
    attempt_submit(attempt=view.attempt)
    attempt_submit(attempt=attempt_start(quiz=view.quiz, user=fellow))
    return reverse("attempt_take", args=[attempt_start(quiz=view.quiz, user=fellow).pk])


def test_a_fellow_page_runs_the_same_queries_with_more_units_readings_marks_and_attempts(
    client, dataset
):
    cohort = _cohort(SMALL)
    view = fellow_view(cohort)
    urls = {
        "home": reverse("home"),
        "unit_detail": reverse("unit_detail", args=[view.unit.pk]),
        "quiz_detail": reverse("quiz_detail", args=[view.quiz.pk]),
        "attempt_take": reverse("attempt_take", args=[view.attempt.pk]),
    }
    client.force_login(view.fellow)
    before = {name: _count(client, name, url) for name, url in urls.items()}

    urls["attempt_take"] = _grow(view.fellow, cohort, view)
    after = {name: _count(client, name, url) for name, url in urls.items()}

    assert after == before
    assert all(after[name] <= BUDGETS[name] for name in after)
    # The growth is real: this week's unit lists its ten new readings as read, and the six new
    # units are open to the fellow.
    unit_page = client.get(urls["unit_detail"]).content.decode()
    assert unit_page.count('class="reading is-done"') >= 10
    newest = cohort.course.units.order_by("-week")[:6]
    assert units_open_to(user=view.fellow).filter(pk__in=newest).count() == 6
