"""allauth's own pages in the site's design: a fellow goes through every sign-in, password, email
and two-factor page on a desktop and on a 360 px phone. Each page has the site's header, its
title in the site's card or column, buttons in the site's colours, nothing wider than the
screen, and zero axe violations; each is saved as a screenshot to compare with the fellow's pages.
"""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, UserFactory
from tests.helpers import login_code_from

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE_360 = {"width": 360, "height": 740}
ACCENT = "rgb(15, 95, 92)"  # --accent in static/css/app.css
DANGER = "rgb(163, 38, 27)"  # --danger
SURFACE = "rgb(255, 255, 255)"  # --surface: the card the page sits in


def _check(page: Page, heading: str | re.Pattern, shot: str, action: str | None = None,
           colour: str = ACCENT) -> None:  # fmt: skip
    """The page sits in the site's layout, inside a card; its main action (a button or a link
    allauth draws as one) is a site button; nothing is wider than the screen; axe passes."""
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator("header.site-header .brand")).to_be_visible()
    expect(page.locator("main")).to_have_css("background-color", SURFACE)
    if action:
        main = page.locator("main")
        button = main.get_by_role("button", name=action).or_(main.get_by_role("link", name=action))
        button = button.first
        expect(button).to_have_css("background-color", colour)
        expect(button).to_have_css("border-radius", "8px")
        box, card = button.bounding_box(), page.locator("main").bounding_box()
        assert card["x"] <= box["x"] and box["x"] + box["width"] <= card["x"] + card["width"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{page.url} is wider than the screen"
    )
    assert_accessible(page)
    screenshot(page, shot)


def _totp(secret: str) -> str:
    import time

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_account_page_is_in_the_site_design_and_accessible(context_factory, settings, size):
    settings.OPEN_SIGNUP = True
    viewport = DESKTOP if size == "desktop" else PHONE_360
    page = context_factory(viewport=viewport).new_page()
    user = UserFactory(display_name="Grace Hopper")

    page.goto("/accounts/login/")
    _check(page, "Sign in", f"account-login-{size}", "Sign in")
    page.goto("/accounts/signup/")
    _check(page, "Sign Up", f"account-signup-{size}", "Sign Up")

    page.goto("/accounts/password/reset/")
    _check(page, "Password Reset", f"account-password-reset-{size}", "Reset My Password")
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name="Reset My Password").click()
    expect(page).to_have_url(re.compile("/accounts/password/reset/done/$"))
    _check(page, "Password Reset", f"account-password-reset-done-{size}")
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[-1].body)
    page.goto(link.group(1))
    _check(page, "Change Password", f"account-password-reset-from-key-{size}", "Change Password")

    page.goto("/accounts/login/code/")
    _check(page, re.compile("code", re.I), f"account-login-code-request-{size}", "Request Code")
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name=re.compile("code", re.I)).click()
    _check(page, re.compile("code", re.I), f"account-login-code-confirm-{size}", "Confirm")
    page.get_by_label("Code").fill(login_code_from(mail.outbox[-1].body))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My courses")
    screenshot(page, f"account-compare-home-{size}")

    page.goto("/accounts/email/")
    _check(page, "Email Addresses", f"account-email-{size}", "Add Email")
    page.goto("/accounts/password/change/")
    _check(page, "Change Password", f"account-password-change-{size}", "Change Password")
    page.get_by_label("Current Password").fill("not-my-password")
    page.get_by_label(re.compile("^New Password:?$")).fill("a-new-long-passphrase")
    page.get_by_label("New Password (again)").fill("a-new-long-passphrase")
    page.get_by_role("button", name="Change Password").click()
    error = page.get_by_text("Please type your current password.")
    expect(error).to_have_css("color", DANGER)
    expect(page.get_by_label("Current Password")).to_have_attribute("aria-invalid", "true")
    _check(page, "Change Password", f"account-password-error-{size}", "Change Password")

    page.goto("/accounts/2fa/")
    _check(page, "Two-Factor Authentication", f"account-mfa-index-{size}", "Activate")
    page.get_by_role("link", name="Activate").click()
    expect(page).to_have_url(re.compile("/accounts/reauthenticate/"))
    _check(page, "Confirm Access", f"account-reauthenticate-{size}", "Confirm")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    _check(page, "Activate Authenticator App", f"account-totp-activate-{size}", "Activate")
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(_totp(secret))
    page.get_by_role("button", name="Activate").click()
    _check(page, "Recovery Codes", f"account-recovery-codes-{size}", "Download codes")

    page.goto("/accounts/2fa/")
    _check(
        page, "Two-Factor Authentication", f"account-mfa-index-active-{size}", "Deactivate", DANGER
    )
    page.goto("/accounts/2fa/totp/deactivate/")
    _check(
        page,
        "Deactivate Authenticator App",
        f"account-totp-deactivate-{size}",
        "Deactivate",
        DANGER,
    )
    page.goto("/accounts/2fa/recovery-codes/generate/")
    _check(page, "Recovery Codes", f"account-recovery-codes-generate-{size}", "Generate", DANGER)

    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    _check(page, "Two-Factor Authentication", f"account-mfa-authenticate-{size}", "Sign In")
    recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    page.get_by_label("Code").fill(RecoveryCodes(recovery).get_unused_codes()[0])
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My courses")


def test_the_account_pages_work_without_javascript_on_a_phone(context_factory):
    user = UserFactory()
    page = context_factory(javascript=False, viewport=PHONE_360).new_page()
    log_in(page, user.email, PASSWORD)

    page.goto("/accounts/email/")
    page.get_by_label("Email").last.fill("second@example.org")
    page.get_by_role("button", name="Add Email").click()
    expect(page.get_by_text("Confirmation email sent to second@example.org.")).to_be_visible()
    expect(page.get_by_label("second@example.org Unverified")).to_be_attached()

    page.goto("/accounts/password/change/")
    page.get_by_label("Current Password").fill(PASSWORD)
    page.get_by_label(re.compile("^New Password:?$")).fill("a-new-long-passphrase")
    page.get_by_label("New Password (again)").fill("a-new-long-passphrase")
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_text("Password successfully changed.")).to_be_visible()
    # axe runs inside the page, so not with JavaScript off: the same pages pass it above.
    screenshot(page, "account-password-changed-phone-no-js")
    user.refresh_from_db()
    assert user.check_password("a-new-long-passphrase")
