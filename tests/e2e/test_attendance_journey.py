"""A facilitator takes the last session's attendance from the cohort page on a phone: with
JavaScript a click on a mark saves that row at once; without it the form's button saves the
register. Either way the mark is there after a reload, and the cohort page counts it."""

import pytest
from playwright.sync_api import expect

from courseapp.models import Attendance
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in, weekly_cohort
from tests.e2e.conftest import PHONE, assert_accessible, log_in, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cohort():
    course, _ = course_with_units(units=4, title="AI Safety Fundamentals")
    # Sessions 13 and 6 days ago have been held; the next two are to come.
    return weekly_cohort(course, starts_in_days=-13, name="Cohort A")


@pytest.mark.parametrize("javascript", [True, False])
def test_a_facilitator_takes_attendance(cohort, context_factory, javascript):
    facilitator = facilitator_of(cohort, display_name="Fran Facilitator")
    ada = fellow_in(cohort, display_name="Ada Lovelace")
    fellow_in(cohort, display_name="Bob Babbage")
    page = context_factory(javascript=javascript, viewport=PHONE).new_page()
    log_in(page, facilitator.email, PASSWORD)
    page.goto(f"/cohorts/{cohort.pk}/")
    if javascript:
        assert_accessible(page)

    page.get_by_role("link", name="Take attendance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attendance: week 2")
    if javascript:
        assert_accessible(page)
    ada_row = page.get_by_role("group", name="Ada Lovelace")
    ada_row.get_by_text("Absent").click()
    if javascript:
        expect(page.locator(f"#att-{ada.pk}")).to_contain_text("Saved")
        expect(page.locator("#att-live")).to_have_text("Saved: Ada Lovelace, absent.")
        expect(page.locator("#att-summary")).to_contain_text("1 absent")
        # The row is swapped, and the keyboard stays on the mark: arrows move on from it (once
        # htmx has settled the new row, 20 ms after the swap).
        settled = page.locator(f"#att-{ada.pk}:not(.htmx-added):not(.htmx-settling)")
        expect(settled).to_have_count(1)
        page.keyboard.press("ArrowRight")
        expect(page.locator("#att-live")).to_have_text("Saved: Ada Lovelace, excused.")
        expect(page.locator(f"#att-{ada.pk}-excused")).to_be_focused()
        expect(settled).to_have_count(1)
        page.keyboard.press("ArrowLeft")
        expect(page.locator("#att-live")).to_have_text("Saved: Ada Lovelace, absent.")
        expect(page.locator(f"#att-{ada.pk}-absent")).to_be_focused()
        assert_accessible(page)
        screenshot(page, "attendance-row-saved-js")
        page.get_by_role("button", name="Mark everyone not yet recorded as present").click()
    else:
        page.get_by_role("button", name="Mark everyone not yet recorded as present").click()
        expect(page.get_by_text("Attendance saved (2 changes).")).to_be_visible()
    screenshot(page, f"attendance-saved-js-{javascript}")

    marks = dict(Attendance.objects.values_list("user__display_name", "status"))
    assert marks == {"Ada Lovelace": "absent", "Bob Babbage": "present"}
    page.reload()
    expect(page.get_by_role("group", name="Ada Lovelace").get_by_label("Absent")).to_be_checked()
    expect(page.get_by_role("group", name="Bob Babbage").get_by_label("Present")).to_be_checked()

    page.get_by_role("link", name="Cohort A").click()
    expect(page.get_by_text("1 present · 1 absent · 0 excused · 0 not recorded")).to_be_visible()
    expect(page.get_by_text("Missed the last session (week 2)")).to_be_visible()
    if javascript:
        assert_accessible(page)
    screenshot(page, f"attendance-cohort-page-js-{javascript}")

    page.get_by_role("link", name="Ada Lovelace").click()
    attendance = page.get_by_role("list", name="Attendance")
    expect(attendance.get_by_role("listitem")).to_have_count(2)
    expect(attendance.get_by_role("listitem").last).to_contain_text("Absent")
    expect(page.get_by_text("0 of 1 recorded session attended.")).to_be_visible()
    if javascript:
        assert_accessible(page)
    screenshot(page, f"attendance-fellow-page-js-{javascript}")


def test_two_quick_clicks_on_a_row_keep_the_last_one_on_the_page_and_in_the_register(
    cohort, context_factory
):
    """A second mark picked before the first one's answer is back is saved after it: the row
    shows the last mark clicked, and the register holds it."""
    facilitator = facilitator_of(cohort)
    ada = fellow_in(cohort, display_name="Ada Lovelace")
    page = context_factory(viewport=PHONE).new_page()
    log_in(page, facilitator.email, PASSWORD)
    session = cohort.sessions.order_by("starts_at")[1]
    page.goto(f"/cohorts/{cohort.pk}/sessions/{session.pk}/attendance/")
    row = page.get_by_role("group", name="Ada Lovelace")

    for _ in range(3):
        row.get_by_text("Absent").click()
        row.get_by_text("Excused").click()
        expect(page.locator("#att-live")).to_have_text("Saved: Ada Lovelace, excused.")
        page.wait_for_load_state("networkidle")

        expect(page.locator(f"#att-{ada.pk}-excused")).to_be_checked()
        assert Attendance.objects.get(user=ada, session=session).status == "excused"
        row.get_by_text("Present").click()
        expect(page.locator("#att-live")).to_have_text("Saved: Ada Lovelace, present.")
        page.wait_for_load_state("networkidle")
