"""Forged, replayed and cross-site writes, and wrong methods, against every POST endpoint."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from courseapp.models import Invitation, ReadingFeedback, ReadingProgress, Reminder, UnitFeedback
from quizzes.models import Answer, Attempt
from tests.security.world import World, build_world

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(db) -> World:
    return build_world()


def writes(w: World) -> list[tuple[str, str, dict]]:
    """(who, url, data) for each write a person can make, as the person allowed to make it."""
    open_a, done_a = w.open_attempts["a"], w.attempts["a"]
    return [
        ("fellow_a", reverse("reading_mark", args=[w.reading.pk]), {"done": "1"}),
        ("fellow_a", reverse("quiz_start", args=[w.quiz.pk]), {}),
        (
            "fellow_a",
            reverse("answer_save", args=[open_a.pk, w.question.pk]),
            {f"q{w.question.pk}": str(w.question.choices.first().pk)},
        ),
        ("fellow_a", reverse("attempt_submit", args=[w.submit_attempts["a"].pk]), {}),
        ("fellow_a", reverse("answer_rate", args=[done_a.pk, w.written.pk]), {"rating": "2"}),
        ("fellow_b", reverse("unit_feedback", args=[w.unit.pk]), {"rating": "5"}),
        ("fellow_b", reverse("reading_feedback", args=[w.reading.pk]), {"useful": "0"}),
        ("fellow_a", reverse("notification_preferences"), {}),
        (
            "facilitator_a",
            reverse("cohort_invite", args=[w.cohort_a.pk]),
            {"emails": "forged@example.org"},
        ),
        (
            "facilitator_a",
            reverse("cohort_fellow_nudge", args=[w.cohort_a.pk, w.users["fellow_a"].pk]),
            {},
        ),
        ("fellow_a", reverse("account_delete"), {"password": "x"}),
        ("fellow_a", reverse("account_logout"), {}),
        ("staff", reverse("admin:courseapp_cohort_delete", args=[w.cohort_b.pk]), {"post": "yes"}),
    ]


def state() -> tuple:
    return (
        ReadingProgress.objects.count(),
        Attempt.objects.filter(submitted_at=None).count(),
        list(Answer.objects.values_list("selected_choice_ids", "self_rating").order_by("pk")),
        UnitFeedback.objects.count(),
        ReadingFeedback.objects.count(),
        Invitation.objects.count(),
        Reminder.objects.count(),
    )


def token_from(client: Client) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', client.get(reverse("home")).text)[1]


def test_htmx_posts_without_a_csrf_token_are_refused_and_change_nothing(world):
    before = state()
    refused = []
    for role, url, data in writes(world):
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.users[role])
        response = client.post(url, data, **HTMX)
        refused.append((url, response.status_code))

    assert all(code == 403 for _, code in refused), refused
    assert state() == before


def test_a_token_from_another_session_is_refused(world):
    other = Client(enforce_csrf_checks=True)
    other.force_login(world.users["fellow_b"])
    stolen = token_from(other)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["fellow_a"])
    client.get(reverse("home"))

    response = client.post(
        reverse("reading_mark", args=[world.reading.pk]),
        {"done": "1"},
        HTTP_X_CSRFTOKEN=stolen,
        **HTMX,
    )

    assert response.status_code == 403
    assert not ReadingProgress.objects.exists()


def test_a_valid_token_from_another_site_is_refused(world, settings):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["fellow_a"])
    token = token_from(client)

    response = client.post(
        reverse("reading_mark", args=[world.reading.pk]),
        {"done": "1"},
        HTTP_X_CSRFTOKEN=token,
        HTTP_ORIGIN="https://evil.example.com",
        **HTMX,
    )

    assert response.status_code == 403
    assert not ReadingProgress.objects.exists()


def test_the_same_htmx_post_with_the_page_token_goes_through(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["fellow_a"])
    token = token_from(client)

    response = client.post(
        reverse("reading_mark", args=[world.reading.pk]),
        {"done": "1"},
        HTTP_X_CSRFTOKEN=token,
        **HTMX,
    )

    assert response.status_code == 200
    assert ReadingProgress.objects.filter(user=world.users["fellow_a"]).exists()


def test_the_one_click_unsubscribe_needs_no_token_but_a_forged_link_changes_nothing(world):
    client = Client(enforce_csrf_checks=True)
    url = reverse("reminders_unsubscribe", args=[world.unsubscribe[:-2] + "xx"])

    response = client.post(url)

    assert response.status_code == 400
    assert (
        not world.users["fellow_a"]
        .__class__.objects.filter(notification_preferences__nudge=False)
        .exists()
    )


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_on_write_endpoints_are_refused(world, method):
    client = Client()
    client.force_login(world.users["fellow_a"])
    urls = [
        reverse("reading_mark", args=[world.reading.pk]),
        reverse("unit_feedback", args=[world.unit.pk]),
        reverse("reading_feedback", args=[world.reading.pk]),
        reverse("notification_preferences"),
        reverse("account_delete"),
        reverse("quiz_start", args=[world.quiz.pk]),
    ]

    codes = {url: getattr(client, method)(url).status_code for url in urls}

    assert set(codes.values()) == {405}, codes
