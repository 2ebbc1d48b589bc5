"""A fellow opens the demo unit's readings from the unit page: every reading named in the
syllabus text links to its web page in a new tab, the hosted chapter stays in the app."""

import pytest
from playwright.sync_api import expect

from courseapp.demo.chapter import seed_chapter
from courseapp.demo.content import seed_content
from courseapp.models import Cohort, Reading
from tests.courseapp.weeks import fellow_in, weekly_cohort
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_fellow_opens_every_demo_reading_from_the_unit_page(page):
    course = seed_content()
    chapter = seed_chapter(course)
    fellow = fellow_in(weekly_cohort(course, pacing=Cohort.Pacing.SELF_PACED))
    unit = course.units.get()
    log_in(page, fellow.email, PASSWORD)

    page.goto(unit.get_absolute_url())

    linked = Reading.objects.filter(unit=unit).exclude(pk=chapter.pk)
    assert linked.count() == 15
    for reading in linked:
        link = page.locator(f"#reading-{reading.pk} .reading-title a")
        expect(link).to_have_attribute("href", reading.url)
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", "noopener")
        expect(link).to_contain_text(reading.title)
    sleeper = page.get_by_role("link", name="Sleeper Agents: Training Deceptive LLMs", exact=False)
    expect(sleeper).to_have_attribute("href", "https://arxiv.org/abs/2401.05566")
    assert_accessible(page)

    hosted = page.locator(f"#reading-{chapter.pk} .reading-title a")
    expect(hosted).not_to_have_attribute("target", "_blank")
    hosted.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(chapter.title)
    assert page.url.endswith(f"/readings/{chapter.pk}/")
