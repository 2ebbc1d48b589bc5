"""allauth's rate limits (settings.ACCOUNT_RATE_LIMITS), counted in the real Redis cache.

Failed logins per account and login-code requests are in tests/accounts; these are the rest."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_failed_logins_are_limited_per_address_across_accounts(client):
    for n in range(10):
        client.post(reverse("account_login"), {"login": f"guess{n}@example.org", "password": "x"})

    response = client.post(
        reverse("account_login"), {"login": "guess-next@example.org", "password": "x"}
    )

    assert "Too many failed login attempts" in response.text


def test_password_reset_emails_are_limited_per_account(client, user):
    for _ in range(5):
        client.post(reverse("account_reset_password"), {"email": user.email})

    response = client.post(reverse("account_reset_password"), {"email": user.email})

    assert response.status_code == 429
    assert len(mail.outbox) == 5


def test_password_reset_requests_are_limited_per_address(client):
    for n in range(20):
        client.post(reverse("account_reset_password"), {"email": f"someone{n}@example.org"})

    response = client.post(reverse("account_reset_password"), {"email": "another@example.org"})

    assert response.status_code == 429


def test_signups_are_limited_per_address(client, settings):
    settings.OPEN_SIGNUP = True
    for n in range(20):
        client.post(reverse("account_signup"), {"email": f"new{n}@example.org"})

    response = client.post(
        reverse("account_signup"),
        {"email": "one-more@example.org", "password1": "a-long-pass-phrase", "password2": "x"},
    )

    assert response.status_code == 429


def test_confirmation_emails_are_not_resent_within_three_minutes(client, password):
    person = UserFactory(verified=False)
    client.post(reverse("account_login"), {"login": person.email, "password": password})
    client.post(reverse("account_login"), {"login": person.email, "password": password})

    assert len(mail.outbox) == 1


def test_after_the_failed_login_limit_even_the_right_password_waits(client, user, password):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "nope"})

    response = client.post(reverse("account_login"), {"login": user.email, "password": password})

    assert "Too many failed login attempts" in response.text
    assert "_auth_user_id" not in client.session
