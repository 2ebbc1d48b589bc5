import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory
from tests.helpers import login_code_from

pytestmark = pytest.mark.django_db


def test_it_logs_in_with_email_and_password(client, user, password):
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == user


def test_it_matches_the_email_case_insensitively(client, password):
    user = UserFactory(email="mixed@example.org")

    response = client.post(
        reverse("account_login"), {"login": "MIXED@Example.org", "password": password}
    )

    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == user


def test_a_wrong_password_re_renders_the_form_with_a_clear_error(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": "nope"})

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.text
    assert "_auth_user_id" not in client.session


def test_failed_logins_are_rate_limited_per_account(client, user):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "nope"})

    response = client.post(reverse("account_login"), {"login": user.email, "password": "nope"})

    assert "Too many failed login attempts" in response.text


def test_an_unverified_email_cannot_log_in_until_confirmed(client, password):
    user = UserFactory(verified=False)

    response = client.post(reverse("account_login"), {"login": user.email, "password": password})

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert "Please Confirm Your Email Address" in mail.outbox[0].subject


def test_it_emails_a_login_code_and_accepts_it(client, user):
    response = client.post(reverse("account_request_login_code"), {"email": user.email})
    assert response.status_code == 302

    code = login_code_from(mail.outbox[-1].body)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == user


def test_a_wrong_login_code_is_refused_with_a_message(client, user):
    client.post(reverse("account_request_login_code"), {"email": user.email})

    response = client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})

    assert response.status_code == 200
    assert "Incorrect code." in response.text
    assert "_auth_user_id" not in client.session


def test_signup_is_closed_without_an_invitation(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a-long-password-1",
            "password2": "a-long-password-1",
        },
    )

    assert "Sign Up Closed" in response.text
    assert not User.objects.filter(email="new@example.org").exists()


def test_open_signup_setting_allows_signing_up(client, settings):
    settings.OPEN_SIGNUP = True

    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a-long-password-1",
            "password2": "a-long-password-1",
        },
    )

    assert User.objects.filter(email="new@example.org").exists()


def test_the_home_page_needs_a_login(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_malformed_login_post_is_a_form_error_not_a_crash(client):
    response = client.post(reverse("account_login"), {"login": "x" * 5000})

    assert response.status_code == 200
    assert "This field is required." in response.text
