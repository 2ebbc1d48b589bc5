"""The cohort grid on a 360 px phone: the week columns stay reachable by scrolling the grid's own
region, beside a fellow column that stays in view, however long the at-risk reasons are."""

import pytest
from playwright.sync_api import expect

from courseapp.models import Reading, ReadingProgress
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in, weekly_cohort
from tests.e2e.conftest import ARTIFACTS, assert_accessible, log_in, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE_360 = {"width": 360, "height": 740}


def test_a_facilitator_reads_the_week_columns_beside_the_fellow_names_on_a_phone(
    context_factory,
):
    course, units = course_with_units(units=4)
    # The first session is tomorrow: a fellow with unread core readings is at risk, with reasons.
    cohort = weekly_cohort(course, starts_in_days=1, name="Cohort A")
    ben = fellow_in(cohort, display_name="Benedict Okafor-Castellanos", email="ben@example.org")
    ada = fellow_in(cohort, display_name="Ada Lovelace", email="ada@example.org")
    core = units[0].readings.filter(tier=Reading.Tier.CORE)
    ReadingProgress.objects.bulk_create(ReadingProgress(user=ada, reading=r) for r in core)
    fran = facilitator_of(cohort, email="fran@example.org")

    page = context_factory(viewport=PHONE_360).new_page()
    log_in(page, fran.email, PASSWORD)
    page.goto(f"/cohorts/{cohort.pk}/")
    ben_row = page.get_by_role("row").filter(has_text=ben.display_name)
    expect(ben_row).to_contain_text("Week 1 core readings unfinished")

    region = page.get_by_role("region", name="Fellows by week")
    week = page.get_by_role("columnheader", name="Week 1")
    fellow = ben_row.get_by_role("rowheader")
    week_cell = ben_row.get_by_role("cell").nth(2)  # after Schedule and Last activity
    expect(week_cell).to_contain_text("0/4 core")
    # The page itself never scrolls sideways: only the grid's region does.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Before any scrolling the first week already peeks in at the region's edge: there is more.
    screenshot(page, "cohort-grid-phone")
    view = region.bounding_box()
    assert week.bounding_box()["x"] <= view["x"] + view["width"] - 24, "no week in sight"

    week_cell.scroll_into_view_if_needed()
    screenshot(page, "cohort-grid-phone-week-1")
    region.screenshot(path=ARTIFACTS / "cohort-grid-phone-week-1-region.png")
    name_box = fellow.bounding_box()
    for box in (week.bounding_box(), week_cell.bounding_box()):
        # Fully on screen, inside the region, and right of the fellow column, not under it.
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_360["width"]
        assert view["x"] <= box["x"] and box["x"] + box["width"] <= view["x"] + view["width"]
        assert box["x"] >= name_box["x"] + name_box["width"] - 1, "the week hides under the name"
    # The fellow column stayed where it was while the region scrolled.
    assert region.evaluate("el => el.scrollLeft") > 0
    assert view["x"] <= name_box["x"] <= view["x"] + 2
    expect(fellow.get_by_role("link", name=ben.display_name)).to_be_in_viewport()
    assert_accessible(page)
