"""Query budgets of the pages `make bench` loads, on the benchmark's own dataset (bench/ at a
small size: 12 units x 15 readings, 3 quizzes x 8 questions, cohorts of 10 and 60 fellows with
marks, attempts and feedback). A page's count must not grow with the cohort."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from bench.dataset import Spec, facilitator_cohort_name, fellow_view, generate
from courseapp.models import Cohort, Enrollment

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
