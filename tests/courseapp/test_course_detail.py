import pytest
from django.urls import reverse

from courseapp.models import Attendance, Reading
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in, weekly_cohort
from tests.factories import ReadingProgressFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def week():
    course, units = course_with_units(units=3, title="Alignment")
    return weekly_cohort(course, name="Cohort A"), units


def _url(course) -> str:
    return reverse("course_detail", args=[course.slug])


def test_a_fellow_sees_every_unit_with_release_dates_locks_and_core_progress(client, week):
    cohort, units = week
    fellow = fellow_in(cohort)
    ReadingProgressFactory(user=fellow, reading=units[0].readings.filter(tier=1).first())
    client.force_login(fellow)

    response = client.get(_url(cohort.course))

    overview = response.context["overview"]
    assert [row.is_open for row in overview.rows] == [True, False, False]
    assert (overview.core_done, overview.core_total) == (1, 12)
    html = response.content.decode()
    assert html.count("Locked") == 2 and html.count("Opens <time") == 2
    assert reverse("unit_detail", args=[units[0].pk]) in html
    assert reverse("unit_detail", args=[units[1].pk]) not in html
    assert "Core readings: 1 of 12 read" in html and "1/4 core" in html


def test_progress_on_readings_other_than_core_does_not_count_toward_core(client, week):
    cohort, units = week
    fellow = fellow_in(cohort)
    ReadingProgressFactory(
        user=fellow, reading=units[0].readings.filter(tier=Reading.Tier.FURTHER).first()
    )
    client.force_login(fellow)

    assert client.get(_url(cohort.course)).context["overview"].core_done == 0


def test_a_facilitator_sees_every_unit_open(client, week):
    cohort, _ = week
    client.force_login(facilitator_of(cohort))

    rows = client.get(_url(cohort.course)).context["overview"].rows

    assert all(row.is_open for row in rows)


def test_someone_not_in_the_course_gets_a_404_and_staff_may_look(client, week):
    cohort, _ = week
    other, _ = course_with_units(units=1)
    client.force_login(fellow_in(weekly_cohort(other)))
    assert client.get(_url(cohort.course)).status_code == 404

    client.force_login(UserFactory(is_staff=True))
    assert client.get(_url(cohort.course)).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, week):
    cohort, _ = week

    assert "/accounts/login/" in client.get(_url(cohort.course))["Location"]


def test_the_course_page_runs_a_fixed_number_of_queries(
    client, big_course, django_assert_max_num_queries
):
    cohort, _, fellows = big_course
    client.force_login(fellows[0])

    # Three more than the overview's own: quiz mastery, the objectives it covers, and the
    # fellow's attendance.
    with django_assert_max_num_queries(10):
        response = client.get(_url(cohort.course))

    assert len(response.context["overview"].rows) == 12


@pytest.mark.embedded
def test_a_fellow_sees_their_own_attendance_and_nobody_elses(client, week):
    cohort, units = week
    fellow, other = fellow_in(cohort), fellow_in(cohort)
    facilitator = facilitator_of(cohort)
    first, second = cohort.sessions.order_by("starts_at")[:2]
    Attendance.objects.create(session=first, user=fellow, status="excused", recorded_by=facilitator)
    Attendance.objects.create(session=second, user=other, status="absent", recorded_by=facilitator)
    client.force_login(fellow)

    html = client.get(_url(cohort.course)).content.decode()

    assert html.count("You were excused") == 1 and "You were absent" not in html
    row = html[html.index(f'id="unit-{first.unit_id}"') : html.index(f'id="unit-{second.unit_id}"')]
    assert "You were excused" in row
    client.force_login(other)
    assert "You were absent" in client.get(_url(cohort.course)).content.decode()
