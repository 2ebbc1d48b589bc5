import pytest
from django.urls import reverse

from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort
from tests.factories import ReadingFactory, ReadingProgressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def week():
    course, units = course_with_units(units=2, tiers={})
    cohort = weekly_cohort(course)
    hosted = ReadingFactory(unit=units[0], title="Goal Misgeneralisation", body="<h2>Intro</h2>")
    return cohort, units, hosted


def _url(reading) -> str:
    return reverse("reading_detail", args=[reading.pk])


def test_a_fellow_reads_a_hosted_reading_with_a_mark_as_read_form_at_the_end(client, week):
    cohort, units, hosted = week
    client.force_login(fellow_in(cohort))

    html = client.get(_url(hosted)).content.decode()

    assert "Goal Misgeneralisation" in html and "<h2>Intro</h2>" in html
    assert html.index("<h2>Intro</h2>") < html.index("Mark as read")
    assert f'action="{reverse("reading_mark", args=[hosted.pk])}"' in html


def test_after_marking_it_offers_mark_as_unread(client, week):
    cohort, _, hosted = week
    fellow = fellow_in(cohort)
    ReadingProgressFactory(user=fellow, reading=hosted)
    client.force_login(fellow)

    html = client.get(_url(hosted)).content.decode()

    assert "Mark as unread" in html and 'name="done" value="0"' in html


def test_a_reading_without_a_body_sends_the_fellow_to_its_row_on_the_unit_page(client, week):
    cohort, units, _ = week
    plain = ReadingFactory(unit=units[0], url="https://example.org/")
    client.force_login(fellow_in(cohort))

    response = client.get(_url(plain))

    assert response["Location"] == f"{units[0].get_absolute_url()}#reading-{plain.pk}"


def test_unreleased_and_other_courses_readings_are_404_and_anonymous_must_sign_in(client, week):
    cohort, units, hosted = week
    locked = ReadingFactory(unit=units[1], body="<p>Later</p>")
    other, _ = course_with_units(units=1, tiers={})
    assert "/accounts/login/" in client.get(_url(hosted))["Location"]

    client.force_login(fellow_in(cohort))
    assert client.get(_url(locked)).status_code == 404
    client.force_login(fellow_in(weekly_cohort(other)))
    assert client.get(_url(hosted)).status_code == 404
