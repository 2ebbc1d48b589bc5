"""A password reset link or a sign-in code opens the account, so it goes only to an address
verified for that account or to the account's own address (a new account's only address may not
be verified yet). Any other address, such as a mistyped one a fellow added and never confirmed,
gets what an address without an account gets: no link, no code, the same pages."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.helpers import login_code_from

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

TYPO = "typo@example.org"
SECOND = "second@example.org"
UNKNOWN = "nobody@example.org"
NEW_PASSWORD = "a-fresh-long-pass-phrase"
RESET_LINK = re.compile(r"https?://\S+/password/reset/key/\S+/")
CODE_LINE = re.compile(r"^\s*[A-Z0-9]{4}-[A-Z0-9]{4}\s*$", re.M)


def add_address(user, email: str, *, verified: bool) -> None:
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=False)


def mails_to(email: str) -> list:
    return [message for message in mail.outbox if message.to == [email]]


def opens_the_account(message) -> bool:
    return bool(RESET_LINK.search(message.body) or CODE_LINE.search(message.body))


def ask(urlname: str, email: str):
    """The request as a stranger makes it: a fresh browser, redirects followed."""
    return Client().post(reverse(urlname), {"email": email}, follow=True)


def page_without(response, email: str) -> str:
    return re.sub(r"[A-Za-z0-9]{32,}", "TOKEN", response.text.replace(email, "EMAIL"))


def reset_with_link(body: str) -> Client:
    browser = Client()
    link = RESET_LINK.search(body).group(0)
    form_page = browser.get(link, follow=True)
    assert form_page.status_code == 200
    browser.post(
        form_page.redirect_chain[-1][0],
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    return browser


def sign_in_with_code(email: str) -> Client:
    browser = Client()
    browser.post(reverse("account_request_login_code"), {"email": email})
    (message,) = mails_to(email)
    browser.post(reverse("account_confirm_login_code"), {"code": login_code_from(message.body)})
    return browser


def signed_in_as(browser: Client):
    return browser.get(reverse("home")).context["user"]


@pytest.mark.parametrize("urlname", ["account_reset_password", "account_request_login_code"])
def test_an_unconfirmed_added_address_gets_what_an_unknown_address_gets(urlname, user):
    add_address(user, TYPO, verified=False)

    typo = ask(urlname, TYPO)
    unknown = ask(urlname, UNKNOWN)

    assert not any(opens_the_account(m) for m in mail.outbox)
    assert [m.subject for m in mails_to(TYPO)] == [m.subject for m in mails_to(UNKNOWN)]
    assert typo.redirect_chain == unknown.redirect_chain
    assert page_without(typo, TYPO) == page_without(unknown, UNKNOWN)
    assert not EmailAddress.objects.get(email=TYPO).verified


def test_a_verified_added_address_gets_a_reset_link_that_sets_a_new_password(user):
    add_address(user, SECOND, verified=True)

    ask("account_reset_password", SECOND)

    (message,) = mails_to(SECOND)
    reset_with_link(message.body)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_new_accounts_unverified_own_address_still_gets_a_reset_link():
    newcomer = UserFactory(verified=False)

    ask("account_reset_password", newcomer.email)

    (message,) = mails_to(newcomer.email)
    reset_with_link(message.body)
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)


def test_a_verified_added_address_gets_a_sign_in_code_that_signs_in(user):
    add_address(user, SECOND, verified=True)

    browser = sign_in_with_code(SECOND)

    assert signed_in_as(browser) == user


def test_a_new_accounts_unverified_own_address_still_gets_a_sign_in_code():
    newcomer = UserFactory(verified=False)

    browser = sign_in_with_code(newcomer.email)

    assert signed_in_as(browser) == newcomer
    # The code proved the inbox, so allauth counts the address as confirmed.
    assert EmailAddress.objects.get(email=newcomer.email).verified


def test_an_address_opens_only_the_account_it_belongs_to_not_one_that_added_it_unconfirmed():
    newcomer = UserFactory(verified=False)
    other = UserFactory()
    add_address(other, newcomer.email, verified=False)

    ask("account_reset_password", newcomer.email)

    (message,) = mails_to(newcomer.email)
    reset_with_link(message.body)
    newcomer.refresh_from_db()
    other.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)
    assert not other.check_password(NEW_PASSWORD)
