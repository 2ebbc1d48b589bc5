import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, UserFactory
from tests.helpers import login_code_from

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_fellow_logs_in_with_a_password(page):
    user = UserFactory(display_name="Grace Hopper")
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "login")

    log_in(page, user.email, PASSWORD)

    expect(page.get_by_role("heading", name="My courses")).to_be_visible()
    expect(page.locator(".user-name")).to_have_text("Grace Hopper")
    expect(page.get_by_text("Successfully signed in as Grace Hopper.")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "home-empty")


def test_a_wrong_password_shows_an_error(page):
    user = UserFactory()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(
        page.get_by_text("The email address and/or password you specified are not correct.")
    ).to_be_visible()
    assert_accessible(page)
    screenshot(page, "login-error")


def test_a_fellow_logs_in_with_an_emailed_code(page):
    user = UserFactory()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Email me a sign-in code").click()
    assert_accessible(page)
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name=re.compile("code", re.I)).click()

    expect(page.get_by_label("Code")).to_be_visible()
    assert_accessible(page)
    code = login_code_from(mail.outbox[-1].body)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="My courses")).to_be_visible()


def test_a_fellow_sets_up_an_authenticator_app_and_then_needs_it(page):
    user = UserFactory()
    log_in(page, user.email, PASSWORD)
    page.goto("/accounts/2fa/")
    assert_accessible(page)
    page.get_by_role("link", name="Activate").click()
    # allauth asks for the password again before any change to two-factor settings.
    expect(page).to_have_url(re.compile("/accounts/reauthenticate/"))
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "mfa-activate")
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(_totp(secret))
    page.get_by_role("button", name="Activate").click()

    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label("Code")).to_be_visible()
    assert_accessible(page)
    # A recovery code also unlocks the second step (the TOTP code above was used once already).
    recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    page.get_by_label("Code").fill(RecoveryCodes(recovery).get_unused_codes()[0])
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="My courses")).to_be_visible()


def test_the_login_page_works_on_a_phone(context_factory):
    page = context_factory(viewport=PHONE).new_page()
    page.goto("/accounts/login/")

    expect(page.get_by_role("button", name="Sign in")).to_be_in_viewport()
    assert_accessible(page)
    screenshot(page, "login-phone")


def _totp(secret: str) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_a_fellow_sets_their_time_zone_on_their_profile(context_factory):
    user = UserFactory()
    page = context_factory(viewport=PHONE).new_page()
    log_in(page, user.email, PASSWORD)
    page.goto("/accounts/profile/")
    assert_accessible(page)

    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Time zone").select_option("Europe/Lisbon")
    page.get_by_role("button", name="Save profile").click()

    expect(page.get_by_text("Your profile was saved.")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "profile-phone")
    user.refresh_from_db()
    assert (user.display_name, user.timezone) == ("Ada Lovelace", "Europe/Lisbon")
