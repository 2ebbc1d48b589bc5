"""axe over the whole admin, as the demo's admin sees it on the data `make run` loads: the index,
each registered model's changelist, its add page (where adding is allowed) and the change page
of one row, and the project's own admin pages. One signed-in page visits them all; the report
names every page with a violation."""

import io

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import resolve
from playwright.sync_api import expect

from courseapp import demo
from courseapp.models import Reading
from tests.courseapp.weeks import course_with_units, weekly_cohort
from tests.e2e.conftest import assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, UserFactory
from tests.test_crawl import _demo_site, plan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MODEL_PAGES = ("_changelist", "_add", "_change")
OUR_PAGES = {
    "admin:index",
    "admin_import_chapter",
    "admin:courseapp_course_syllabus_upload",
    "admin:courseapp_invitation_invite",
    "admin:quizzes_quiz_preview",
}


@pytest.fixture
def demo_admin():
    call_command("seed_demo", stdout=io.StringIO())
    return _demo_site()


def admin_pages(site) -> list[str]:
    """Paths of the pages to check, with real ids filled in by the crawl's plan."""
    request = RequestFactory().get("/admin/")
    request.user = site.users["admin"]
    paths, unfillable = plan(site)
    assert not unfillable, unfillable
    pages = []
    for route, path in paths:
        if "?" in path:
            continue
        if route.key in OUR_PAGES or (
            route.key.startswith("admin:") and route.key.endswith(MODEL_PAGES)
        ):
            model_admin = getattr(resolve(path).func, "model_admin", None)
            if route.key.endswith("_add") and not model_admin.has_add_permission(request):
                continue  # no Add button: a 403 page, not a page anyone is shown
            pages.append(path)
    return pages


def test_every_admin_page_has_no_axe_violation(page, demo_admin):
    pages = admin_pages(demo_admin)
    log_in(page, demo_admin.users["admin"].email, demo.PASSWORD)

    failures = []
    for path in pages:
        response = page.goto(path)
        if not response.ok:
            failures.append(f"{path}: {response.status}")
            continue
        try:
            assert_accessible(page)
        except AssertionError as violations:
            failures.append(str(violations))

    assert not failures, f"{len(failures)} of {len(pages)} admin pages:\n" + "\n".join(failures)
    # A guard against a plan that checks little: every kind of page, inlines included.
    unit, cohort = demo_admin.unit, demo_admin.cohorts["A"]
    for path in (
        "/admin/",
        "/admin/quizzes/question/add/",
        f"/admin/courseapp/unit/{unit.pk}/change/",
        f"/admin/courseapp/cohort/{cohort.pk}/change/",
        f"/admin/quizzes/quiz/{demo_admin.quiz.pk}/preview/",
    ):
        assert path in pages, path


def test_inline_rows_are_named_by_their_column_headers(page):
    course, (unit,) = course_with_units(units=1, tiers={Reading.Tier.CORE: 2})
    cohort = weekly_cohort(course)
    staff = UserFactory(is_staff=True, is_superuser=True)
    log_in(page, staff.email, PASSWORD)

    page.goto(f"/admin/courseapp/unit/{unit.pk}/change/")
    readings = page.get_by_role("group", name="Readings")
    expect(readings.get_by_role("combobox", name="Tier")).to_have_count(2)
    first = unit.readings.order_by("position").first()
    expect(readings.get_by_role("textbox", name="Title").first).to_have_value(first.title)
    page.goto(f"/admin/courseapp/cohort/{cohort.pk}/change/")
    sessions = page.get_by_role("group", name="Sessions")
    expect(sessions.get_by_role("combobox", name="Unit")).to_have_value(str(unit.pk))
    expect(sessions.get_by_role("textbox", name="Starts at: date")).to_be_visible()
    expect(sessions.get_by_role("textbox", name="Starts at: time")).to_be_visible()
    expect(sessions.get_by_role("checkbox", name="Delete?")).to_be_visible()
    screenshot(page, "admin-cohort-sessions-inline")
