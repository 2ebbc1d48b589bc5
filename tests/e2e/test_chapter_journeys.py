"""An admin hosts a chapter through the admin upload, then reads it on a phone and a desktop."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from courseapp.chapters.services import chapter_import
from courseapp.models import Reading
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort
from tests.e2e.conftest import DESKTOP, PHONE, assert_accessible, log_in, screenshot
from tests.factories import PASSWORD, UnitFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(__file__).parents[2] / "courseapp" / "demo" / "chapter-sample.md"
DEFECTS = Path(__file__).parents[1] / "fixtures" / "chapter-defects.md"


def test_an_editor_uploads_previews_and_applies_a_chapter_then_reads_it(context_factory):
    unit = UnitFactory(week=3, title="Goal misgeneralization", course__title="Alignment")
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_reading", "change_reading", "view_reading"])
    )
    page = context_factory(viewport=DESKTOP).new_page()
    log_in(page, editor.email, PASSWORD)

    page.goto("/admin/courseapp/reading/import-chapter/")
    assert_accessible(page)
    page.get_by_label("Unit").select_option(label="Alignment · Week 3: Goal misgeneralization")
    page.get_by_label("Chapter file").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("This will add a new reading")).to_be_visible()
    expect(page.get_by_role("heading", name="Goal misgeneralization", level=2)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "chapter-admin-preview")
    page.get_by_role("button", name="Import this chapter").click()
    expect(page.get_by_text("Imported “Chapter 3 - Generalization")).to_be_visible()

    reading = Reading.objects.get(unit=unit)
    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(viewport)
        page.goto(f"/readings/{reading.pk}/")
        contents = page.get_by_role("navigation", name="Contents")
        contents.get_by_role("link", name="Why it is not reward misspecification").click()
        expect(page).to_have_url(f"/readings/{reading.pk}/#why-it-is-not-reward-misspecification")
        expect(page.locator(".prose")).to_contain_text('“found" a proxy')
        assert page.locator(".prose script, .prose iframe").count() == 0
        assert_accessible(page)
        screenshot(page, f"chapter-reading-{name}")


def test_a_fellow_follows_a_footnote_to_its_note_and_back_on_a_phone(context_factory):
    course, units = course_with_units(units=1, tiers={})
    fellow = fellow_in(weekly_cohort(course))
    reading = chapter_import(unit=units[0], raw=DEFECTS.read_bytes(), tier="core")
    page = context_factory(viewport=PHONE).new_page()
    log_in(page, fellow.email, PASSWORD)

    page.goto(f"/readings/{reading.pk}/")
    page.locator("#fnref2").click()
    expect(page).to_have_url(f"/readings/{reading.pk}/#fn2")
    expect(page.locator("#fn2")).to_contain_text("A longer note about terms.")
    expect(page.locator("#fn2")).to_be_in_viewport()
    page.locator("#fn2").get_by_role("link", name="Back to reference 2").click()
    expect(page).to_have_url(f"/readings/{reading.pk}/#fnref2")
    expect(page.locator("#fnref2")).to_be_in_viewport()
    assert_accessible(page)
    screenshot(page, "chapter-footnotes-phone")
