"""Five wrong passwords pause password sign-in for an address (allauth's `login_failed` limit,
5 per 5 minutes). Anyone who knows the address can do that, so the owner must still get in: the
login page offers a sign-in code emailed to the address, and that route stays open."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.helpers import login_code_from

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

LOCKED = "Too many failed login attempts"


def lock_out(email: str) -> None:
    attacker = Client()
    for _ in range(5):
        attacker.post(reverse("account_login"), {"login": email, "password": "a-guess"})


def code_form(html: str) -> str:
    action = re.escape(reverse("account_request_login_code"))
    found = re.search(rf'<form[^>]*action="{action}"[^>]*>(.*?)</form>', html, re.S)
    assert found, "no form that asks for a sign-in code"
    return found.group(1)


def sent_codes() -> list[tuple[list[str], str]]:
    codes = []
    for message in mail.outbox:
        if re.search(r"^\s*[A-Z0-9]{4}-[A-Z0-9]{4}\s*$", message.body, re.M):
            codes.append((message.to, login_code_from(message.body)))
    return codes


def without_tokens(html: str, email: str) -> str:
    return re.sub(r"[A-Za-z0-9]{32,}", "TOKEN", html.replace(email, "EMAIL"))


def test_the_right_password_is_refused_while_locked_and_a_code_is_offered(client, user, password):
    lock_out(user.email)

    response = client.post(reverse("account_login"), {"login": user.email, "password": password})

    assert "_auth_user_id" not in client.session
    assert LOCKED in response.text
    assert "Password sign-in is paused for this address" in response.text
    form = code_form(response.text)
    assert f'<input type="hidden" name="email" value="{user.email}">' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert "Email me a sign-in code</button>" in form


def test_the_offered_address_is_escaped(client):
    hostile = '"<script>alert(1)</script>"@example.org'
    lock_out(hostile)

    response = client.post(reverse("account_login"), {"login": hostile, "password": "x"})

    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;" in code_form(response.text)


def test_the_owner_gets_one_code_and_signs_in_while_passwords_are_still_locked(
    client, user, password
):
    lock_out(user.email)
    client.post(reverse("account_login"), {"login": user.email, "password": password})

    response = client.post(reverse("account_request_login_code"), {"email": user.email})

    assert response.status_code == 302
    assert response.url == reverse("account_confirm_login_code")
    assert [to for to, _ in sent_codes()] == [[user.email]]
    still_locked = Client().post(
        reverse("account_login"), {"login": user.email, "password": password}
    )
    assert LOCKED in still_locked.text

    client.post(reverse("account_confirm_login_code"), {"code": sent_codes()[0][1]})

    assert client.get(reverse("home")).context["user"] == user


def test_the_code_route_keeps_its_own_rate_limit_while_locked(client, user):
    lock_out(user.email)
    for _ in range(3):
        Client().post(reverse("account_request_login_code"), {"email": user.email})

    response = client.post(reverse("account_request_login_code"), {"email": user.email})

    assert "Too many" in response.text
    assert len(sent_codes()) == 3


def test_a_stranger_asking_for_the_owners_code_learns_no_more_than_for_an_unknown_address(user):
    lock_out(user.email)

    known = Client().post(reverse("account_request_login_code"), {"email": user.email}, follow=True)
    unknown = Client().post(
        reverse("account_request_login_code"), {"email": "nobody@example.org"}, follow=True
    )

    assert known.redirect_chain == unknown.redirect_chain
    assert without_tokens(known.text, user.email) == without_tokens(
        unknown.text, "nobody@example.org"
    )
    assert [to for to, _ in sent_codes()] == [[user.email]]


def test_no_code_goes_to_an_address_its_account_never_confirmed(client, user):
    # A mistyped address added to an account: whoever reads that inbox must not get in.
    EmailAddress.objects.create(user=user, email="typo@example.org", verified=False)

    response = client.post(
        reverse("account_request_login_code"), {"email": "typo@example.org"}, follow=True
    )

    assert response.redirect_chain == [(reverse("account_confirm_login_code"), 302)]
    assert sent_codes() == []
    assert not EmailAddress.objects.get(email="typo@example.org").verified


def test_staff_with_an_authenticator_app_still_need_it_after_a_code(client, staff):
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    lock_out(staff.email)
    client.post(reverse("account_request_login_code"), {"email": staff.email})

    response = client.post(reverse("account_confirm_login_code"), {"code": sent_codes()[0][1]})

    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    totp = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    client.post(reverse("mfa_authenticate"), {"code": totp})
    assert client.get(reverse("home")).context["user"] == staff
