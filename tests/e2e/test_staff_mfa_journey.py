"""A staff member without an authenticator opens a staff page, is told why they must set one
up, proves their address with an emailed code, adds an authenticator app and gets the page,
on a phone and without JavaScript (every step is a plain link or form)."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from playwright.sync_api import expect

from courseapp.platform.security import STAFF_MFA_MESSAGE
from tests.e2e.conftest import PHONE, assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, UserFactory
from tests.helpers import login_code_from

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_enrol_an_authenticator_with_an_emailed_code_then_reach_staff_pages(
    context_factory, settings
):
    settings.REQUIRE_STAFF_MFA = True
    staff = UserFactory(is_staff=True)
    page = context_factory(javascript=False, viewport=PHONE).new_page()
    log_in(page, staff.email, PASSWORD)

    page.goto("/facilitate/")
    expect(page.get_by_text(STAFF_MFA_MESSAGE)).to_be_visible()
    page.get_by_role("link", name="Activate").click()
    expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_text(f"We sent a code to {staff.email}.")).to_be_visible()
    page.get_by_label("Code").fill(login_code_from(mail.outbox[-1].body))
    page.get_by_role("button", name="Confirm").click()

    # allauth still asks for the password before any change to two-factor settings.
    expect(page).to_have_url(re.compile("/accounts/reauthenticate/"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    secret = page.locator("#authenticator_secret").input_value()
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()

    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    page.goto("/facilitate/")
    expect(page.get_by_role("heading", name="My cohorts")).to_be_visible()


def test_the_code_page_passes_axe_before_and_after_a_code_is_sent(context_factory, settings):
    # axe runs inside the page, so in a scripted browser: the journey above runs without.
    settings.REQUIRE_STAFF_MFA = True
    staff = UserFactory(is_staff=True)
    page = context_factory(viewport=PHONE).new_page()
    log_in(page, staff.email, PASSWORD)

    page.goto("/accounts/2fa/staff-code/")
    assert_accessible(page)
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_label("Code")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "staff-mfa-code-phone")
