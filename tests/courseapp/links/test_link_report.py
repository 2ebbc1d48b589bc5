"""Fellows report a broken link from the unit page: once per fellow and reading, only for
readings open to them, a few an hour; staff see the reports on the syllabus report's Links."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now

from courseapp.models import LinkStatus, Reading, ReadingLinkReport
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort
from tests.factories import ReadingFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def week():
    """Unit 1 is open to the cohort's fellows; unit 2 opens at the first session."""
    course, units = course_with_units(units=2, tiers={Reading.Tier.CORE: 1}, slug="alignment")
    cohort = weekly_cohort(course)
    for unit in units:
        unit.readings.update(url="https://example.org/paper")
    return cohort, units


def _reading(unit) -> Reading:
    return unit.readings.get()


def _report(client, reading, **extra):
    return client.post(reverse("reading_link_report", args=[reading.pk]), **extra)


def _count(reading) -> int:
    return Reading.objects.get(pk=reading.pk).link_reports


def test_a_fellow_reports_a_broken_link_once_and_is_thanked(client, week):
    cohort, units = week
    reading = _reading(units[0])
    client.force_login(fellow_in(cohort))

    response = _report(client, reading, follow=True)
    assert response.redirect_chain[0][0] == (
        reverse("unit_detail", args=[units[0].pk]) + f"#reading-{reading.pk}"
    )
    assert "Thank you: the course team will fix this link." in response.content.decode()
    assert _count(reading) == 1

    again = _report(client, reading, follow=True)
    assert "You have already reported this link" in again.content.decode()
    assert _count(reading) == 1


def test_each_fellow_counts_once(client, week):
    cohort, units = week
    reading = _reading(units[0])
    for _ in range(3):
        client.force_login(fellow_in(cohort))
        _report(client, reading)
        _report(client, reading)
    assert _count(reading) == 3
    assert ReadingLinkReport.objects.filter(reading=reading).count() == 3


def test_with_htmx_the_answer_is_the_message_for_the_forms_status(client, week):
    cohort, units = week
    client.force_login(fellow_in(cohort))
    response = _report(client, _reading(units[0]), **HTMX)
    assert response.status_code == 200
    assert response.content.decode().strip() == "Thank you: the course team will fix this link."


def test_a_reading_not_open_to_the_fellow_cannot_be_reported(client, week):
    cohort, units = week
    client.force_login(fellow_in(cohort))
    assert _report(client, _reading(units[1])).status_code == 404
    assert _count(_reading(units[1])) == 0


def test_a_fellow_of_another_course_cannot_report(client, week):
    _, units = week
    other_course, _ = course_with_units(units=1)
    client.force_login(fellow_in(weekly_cohort(other_course)))
    assert _report(client, _reading(units[0])).status_code == 404
    assert _count(_reading(units[0])) == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, week):
    _, units = week
    response = _report(client, _reading(units[0]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert _count(_reading(units[0])) == 0


def test_reporting_needs_a_post_with_the_csrf_token(week):
    cohort, units = week
    client = Client(enforce_csrf_checks=True)
    client.force_login(fellow_in(cohort))
    url = reverse("reading_link_report", args=[_reading(units[0]).pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert _count(_reading(units[0])) == 0


def test_a_fellow_reporting_many_links_in_an_hour_is_refused(client, week, settings):
    settings.LINK_REPORTS_PER_HOUR = 2
    cohort, units = week
    first = _reading(units[0])
    extra = [ReadingFactory(unit=units[0], url=f"https://example.org/{n}") for n in range(2)]
    client.force_login(fellow_in(cohort))
    for reading in [first, extra[0]]:
        _report(client, reading)

    refused = _report(client, extra[1], follow=True)
    assert "You have reported many links this hour" in refused.content.decode()
    assert _count(extra[1]) == 0
    htmx = _report(client, extra[1], **HTMX)
    assert "You have reported many links this hour" in htmx.content.decode()


def test_the_unit_page_offers_the_report_for_web_links_only(client, week):
    cohort, units = week
    action = reverse("reading_link_report", args=[_reading(units[0]).pk])
    hosted = ReadingFactory(unit=units[0], url="", body="<p>Text</p>", kind="chapter")
    bare = ReadingFactory(unit=units[0], url="")
    client.force_login(fellow_in(cohort))
    page = client.get(reverse("unit_detail", args=[units[0].pk])).content.decode()
    assert f'action="{action}"' in page
    assert "Report a broken link" in page
    for reading in (hosted, bare):
        assert reverse("reading_link_report", args=[reading.pk]) not in page


def test_staff_see_reported_links_on_the_syllabus_reports_links_page(client, week):
    cohort, units = week
    reading = _reading(units[0])
    client.force_login(fellow_in(cohort))
    _report(client, reading)
    Reading.objects.filter(pk=reading.pk).update(link_status=LinkStatus.OK)

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("course_report_links", args=["alignment"]))
    row = response.content.decode().split(reading.title)[1].split("</tr>")[0]
    assert "<td>1</td>" in row


def test_only_staff_open_the_links_page(client, week):
    cohort, _ = week
    url = reverse("course_report_links", args=["alignment"])
    assert client.get(url).status_code == 302
    client.force_login(fellow_in(cohort))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("problems", [3, 30])
def test_the_links_page_runs_a_fixed_number_of_queries(
    client, problems, django_assert_max_num_queries
):
    course, units = course_with_units(units=3, tiers={Reading.Tier.CORE: 10}, slug="alignment")
    broken = Reading.objects.filter(unit__course=course).order_by("pk")[:problems]
    Reading.objects.filter(pk__in=broken.values("pk")).update(
        link_status=LinkStatus.BROKEN,
        link_error="HTTP 404 Not Found",
        link_checked_at=now(),
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    # Session, user, course, the readings with problems.
    with django_assert_max_num_queries(4):
        response = client.get(reverse("course_report_links", args=["alignment"]))
    assert response.content.decode().count("HTTP 404 Not Found") == problems
