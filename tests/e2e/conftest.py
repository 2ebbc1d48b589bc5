"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live_server.

Every journey runs axe on each page it visits (`assert_accessible`) and saves screenshots under
artifacts/screenshots/ (ignored by git) for a person to look at.
"""

import re
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect, sync_playwright

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

_axe = Axe()


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is needed for the browser tests (make test installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context_factory(browser, live_server):
    contexts = []

    def make(*, javascript: bool = True, viewport: dict | None = None):
        context = browser.new_context(
            base_url=live_server.url,
            java_script_enabled=javascript,
            viewport=viewport or DESKTOP,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(context_factory) -> Page:
    return context_factory().new_page()


def assert_accessible(page: Page) -> None:
    results = _axe.run(page)
    assert results.violations_count == 0, f"axe on {page.url}:\n{results.generate_report()}"


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    page.screenshot(path=path, full_page=True)
    return path


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Sign in")
