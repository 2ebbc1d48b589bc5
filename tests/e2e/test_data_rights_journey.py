"""A fellow, on a phone, finds "Your data" in the user menu, downloads their data, then deletes
their account (a wrong password first), and lands signed out. axe on every page."""

import json

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.conftest import PHONE, assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_fellow_downloads_their_data_and_deletes_their_account_on_a_phone(context_factory):
    user = UserFactory(email="ada@example.org", display_name="Ada Lovelace")
    page = context_factory(viewport=PHONE).new_page()
    log_in(page, user.email, PASSWORD)

    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", name="Your data", level=1)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "data-rights-your-data-phone")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON)").click()
    data = json.loads(download.value.path().read_text())
    assert data["profile"]["display_name"] == "Ada Lovelace"

    page.get_by_role("link", name="Delete my account…").click()
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("That is not your password. Nothing was deleted.")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "data-rights-delete-error-phone")

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(
        page.get_by_text("Your account was deleted and your personal data removed.")
    ).to_be_visible()
    assert_accessible(page)
    screenshot(page, "data-rights-deleted-phone")
    assert User.objects.get(pk=user.pk).retired_at is not None
