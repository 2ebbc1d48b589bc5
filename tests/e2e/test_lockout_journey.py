import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, assert_accessible, screenshot
from tests.factories import PASSWORD, UserFactory
from tests.helpers import login_code_from

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def try_password(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_locked_out_fellow_signs_in_by_code_on_a_phone_without_javascript(context_factory):
    user = UserFactory()
    page = context_factory(javascript=False, viewport=PHONE).new_page()
    page.goto("/accounts/login/")
    for password in ["guess-1", "guess-2", "guess-3", "guess-4", "guess-5", PASSWORD]:
        try_password(page, user.email, password)

    expect(page.get_by_text("Password sign-in is paused for this address")).to_be_visible()
    button = page.get_by_role("button", name="Email me a sign-in code")
    expect(button).to_be_in_viewport()
    # axe needs JavaScript: check the same locked page in a second, scripted phone browser.
    checked = context_factory(viewport=PHONE).new_page()
    checked.goto("/accounts/login/")
    try_password(checked, user.email, PASSWORD)
    expect(checked.get_by_role("button", name="Email me a sign-in code")).to_be_visible()
    assert_accessible(checked)
    screenshot(checked, "login-locked-out-phone")
    button.click()

    expect(page.get_by_text(f"A sign-in code has been sent to {user.email}.")).to_be_visible()
    page.get_by_label("Code").fill(login_code_from(mail.outbox[-1].body))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="My courses")).to_be_visible()
