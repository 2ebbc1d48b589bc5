"""The facilitator pages: who may see them, htmx and plain requests, and query budgets."""

import pytest
from django.urls import reverse

from courseapp.facilitate.nav import SESSION_KEY
from courseapp.models import Enrollment
from tests.factories import UserFactory

from .conftest import at, enrol, read, take_quiz

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def ada(cohort, course, sessions):
    ada = enrol(cohort, "Ada Lovelace")
    read(ada, course.units[0], 2, at(2026, 3, 1, 8))
    take_quiz(course, ada, [True, False], at(2026, 3, 1, 9))
    return ada


def _pages(cohort, ada):
    return [
        reverse("cohort_detail", args=[cohort.pk]),
        reverse("cohort_export_csv", args=[cohort.pk]),
        reverse("cohort_sessions_ics", args=[cohort.pk]),
        reverse("cohort_fellow_detail", args=[cohort.pk, ada.pk]),
    ]


def test_the_cohorts_facilitator_and_staff_can_open_every_page(
    client, cohort, ada, facilitator, staff
):
    for person in (facilitator, staff):
        client.force_login(person)
        for url in [reverse("facilitate_home"), *_pages(cohort, ada)]:
            assert client.get(url).status_code == 200, url


def test_another_cohorts_facilitator_and_fellows_get_404_everywhere(
    client, cohort, ada, other_facilitator
):
    for person in (other_facilitator, ada):
        client.force_login(person)
        for url in _pages(cohort, ada):
            assert client.get(url).status_code == 404, url


def test_a_dropped_facilitator_loses_access(client, cohort, ada, facilitator):
    Enrollment.objects.filter(user=facilitator).update(status=Enrollment.Status.DROPPED)
    client.force_login(facilitator)
    assert client.get(reverse("cohort_detail", args=[cohort.pk])).status_code == 404
    assert client.get(reverse("facilitate_home")).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, cohort, ada):
    for url in [reverse("facilitate_home"), *_pages(cohort, ada)]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_a_fellow_has_no_my_cohorts_page(client, ada):
    client.force_login(ada)
    assert client.get(reverse("facilitate_home")).status_code == 404


def test_the_fellow_page_is_only_for_fellows_of_that_cohort(
    client, cohort, facilitator, other_facilitator
):
    client.force_login(facilitator)
    for user in (other_facilitator, UserFactory(), facilitator):
        url = reverse("cohort_fellow_detail", args=[cohort.pk, user.pk])
        assert client.get(url).status_code == 404


def test_the_pages_refuse_posts(client, cohort, ada, facilitator):
    client.force_login(facilitator)
    for url in _pages(cohort, ada):
        assert client.post(url).status_code == 405


def test_the_cohort_page_shows_the_fellow_their_reasons_and_escapes_names(
    client, cohort, course, facilitator
):
    enrol(cohort, "<script>alert(1)</script>")
    client.force_login(facilitator)
    response = client.get(reverse("cohort_detail", args=[cohort.pk]))
    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "No activity yet" in html or "quiz not attempted" in html
    assert 'id="grid"' in html and "<html" in html


def test_htmx_gets_only_the_grid(client, cohort, ada, facilitator):
    client.force_login(facilitator)
    url = reverse("cohort_detail", args=[cohort.pk]) + "?sort=name"
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert html.strip().startswith('<div id="grid"')
    assert "<html" not in html and "Ada Lovelace" in html
    assert 'aria-current="true">Name</a>' in html


def test_the_fellow_page_shows_progress_quiz_and_timeline(client, cohort, course, ada, facilitator):
    client.force_login(facilitator)
    html = client.get(reverse("cohort_fellow_detail", args=[cohort.pk, ada.pk])).content.decode()
    assert "2 of 4 core readings read." in html
    assert "Attempt 1" in html and "50%" in html
    assert "Submitted week 1 quiz, attempt 1: 50%, not passed" in html


def test_the_nav_shows_facilitate_to_facilitators_only(client, cohort, ada, facilitator):
    client.force_login(facilitator)
    assert client.session[SESSION_KEY][0] is True
    assert 'href="/facilitate/"' in client.get(reverse("home")).content.decode()
    client.force_login(ada)
    assert client.session[SESSION_KEY][0] is False
    assert 'href="/facilitate/"' not in client.get(reverse("home")).content.decode()
