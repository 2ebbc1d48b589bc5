"""The signed one-click unsubscribe link: no login, GET asks, POST (and RFC 8058) unsubscribes,
and any tampering is refused without changing anything."""

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from accounts.models import NotificationPreferences
from courseapp.reminders.tokens import SALT, unsubscribe_token
from courseapp.reminders.views import masked_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _url(token: str) -> str:
    return reverse("reminders_unsubscribe", args=[token])


def _prefs(user) -> NotificationPreferences:
    return NotificationPreferences.objects.filter(user=user).first()


def test_opening_the_link_only_asks_so_link_scanners_unsubscribe_nobody(client, user):
    token = unsubscribe_token(user_id=user.pk, kinds=["before_session"])

    response = client.get(_url(token))

    assert response.status_code == 200
    assert b'<button type="submit">Unsubscribe</button>' in response.content
    assert user.email.encode() not in response.content
    assert f"{user.email[0]}***@{user.email.split('@')[1]}".encode() in response.content
    assert _prefs(user) is None


def test_confirming_unsubscribes_from_the_kinds_in_the_link_without_logging_in(user):
    token = unsubscribe_token(user_id=user.pk, kinds=["before_session", "inactive"])

    response = Client(enforce_csrf_checks=True).post(_url(token))

    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    assert user.email.encode() not in response.content
    prefs = _prefs(user)
    assert (prefs.before_session, prefs.inactive) == (False, False)
    assert (prefs.quiz_after_session, prefs.facilitator_digest, prefs.nudge) == (True, True, True)


def test_the_rfc_8058_one_click_post_works_twice_without_harm(user):
    token = unsubscribe_token(user_id=user.pk, kinds=["nudge"])
    client = Client(enforce_csrf_checks=True)

    for _ in range(2):
        response = client.post(_url(token), {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200

    assert _prefs(user).nudge is False


def test_the_address_is_shown_masked_to_whoever_holds_the_link():
    assert masked_email("ada.lovelace@example.org") == "a***@example.org"
    assert masked_email("a@example.org") == "a***@example.org"


def _tampered(token: str) -> list[str]:
    payload, stamp, signature = token.rsplit(":", 2)
    flipped = "A" if payload[3] != "A" else "B"
    other_user = signing.dumps({"u": 999, "k": ["nudge"]}, salt="something.else")
    return [
        f"{payload[:3]}{flipped}{payload[4:]}:{stamp}:{signature}",  # payload changed
        f"{payload}:{stamp}:{signature[:-2]}xx",  # signature changed
        token[:-10],  # truncated
        other_user,  # right shape, wrong salt
        "not-a-token",
    ]


def test_a_tampered_or_foreign_token_is_refused_and_changes_nothing(client, user):
    token = unsubscribe_token(user_id=user.pk, kinds=["before_session"])

    for bad in _tampered(token):
        for method in (client.get, client.post):
            response = method(_url(bad))
            assert response.status_code == 400, bad
            assert b"This link does not work" in response.content

    assert _prefs(user) is None


def test_a_token_naming_an_unknown_kind_is_refused(client, user):
    forged = signing.dumps({"u": user.pk, "k": ["is_staff"]}, salt=SALT)

    response = client.post(_url(forged))

    assert response.status_code == 400
    assert b"unknown kind" in response.content
    assert _prefs(user) is None


def test_a_token_for_someone_who_was_deleted_says_so(client):
    gone = UserFactory()
    token = unsubscribe_token(user_id=gone.pk, kinds=["nudge"])
    gone.delete()

    assert client.post(_url(token)).status_code == 404
