"""The email reminder pages in a browser: choosing which emails to get (with htmx and without
JavaScript) and unsubscribing from an email's link on a phone without signing in."""

import pytest
from playwright.sync_api import expect

from accounts.models import NotificationPreferences
from courseapp.reminders.tokens import unsubscribe_token
from tests.e2e.conftest import PHONE, assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _choose(page, user, *, axe: bool = True):
    # axe runs in the page, so it needs JavaScript; the no-JS run checks the same markup.
    check = assert_accessible if axe else (lambda page: None)
    log_in(page, user.email, PASSWORD)
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Email reminders").click()
    expect(page.get_by_role("heading", name="Email reminders")).to_be_visible()
    check(page)
    page.get_by_label("Where you left off").uncheck()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your email choices were saved.")).to_be_visible()
    check(page)


def test_a_fellow_turns_one_kind_of_reminder_off(page):
    user = UserFactory()

    _choose(page, user)

    screenshot(page, "reminder-preferences")
    prefs = NotificationPreferences.objects.get(user=user)
    assert (prefs.inactive, prefs.before_session) == (False, True)


def test_the_preferences_page_works_without_javascript(context_factory):
    user = UserFactory()
    page = context_factory(javascript=False, viewport=PHONE).new_page()

    _choose(page, user, axe=False)

    screenshot(page, "reminder-preferences-phone-no-js")
    assert NotificationPreferences.objects.get(user=user).inactive is False


def test_unsubscribing_from_an_email_link_on_a_phone_without_signing_in(context_factory):
    user = UserFactory()
    page = context_factory(viewport=PHONE).new_page()
    token = unsubscribe_token(user_id=user.pk, kinds=["before_session", "quiz_after_session"])

    page.goto(f"/unsubscribe/{token}/")
    expect(page.get_by_role("heading", name="Unsubscribe")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "reminder-unsubscribe-confirm")
    page.get_by_role("button", name="Unsubscribe").click()

    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "reminder-unsubscribed")
    prefs = NotificationPreferences.objects.get(user=user)
    assert (prefs.before_session, prefs.quiz_after_session, prefs.nudge) == (False, False, True)
