import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from courseapp.feedback import selectors
from courseapp.models import (
    Cohort,
    Enrollment,
    Reading,
    ReadingFeedback,
    ReadingProgress,
    UnitFeedback,
)
from tests.factories import (
    CohortFactory,
    EnrollmentFactory,
    ReadingFactory,
    SessionFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def report_url(course, **query):
    url = reverse("course_report", args=[course.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def small_course(course, unit, cohort):
    """Cohort A (self-paced) has 4 fellows; unit 3 has two core readings and one further."""
    core = [ReadingFactory(unit=unit, tier=Reading.Tier.CORE, title=t) for t in ("Alpha", "Beta")]
    further = ReadingFactory(unit=unit, tier=Reading.Tier.FURTHER, title="Gamma")
    fellows = [EnrollmentFactory(cohort=cohort).user for _ in range(4)]
    for user in fellows[:3]:
        ReadingProgress.objects.create(user=user, reading=core[0])
    ReadingProgress.objects.create(user=fellows[0], reading=core[1])
    UnitFeedback.objects.create(user=fellows[0], unit=unit, cohort=cohort, rating=5)
    UnitFeedback.objects.create(user=fellows[1], unit=unit, cohort=cohort, rating=2, anonymous=True)
    ReadingFeedback.objects.create(user=fellows[0], reading=core[0], useful=True, comment="Clear")
    ReadingFeedback.objects.create(user=fellows[1], reading=core[0], useful=True)
    ReadingFeedback.objects.create(user=fellows[2], reading=core[0], useful=False, comment="Dense")
    return {"core": core, "further": further, "fellows": fellows}


def test_it_reports_ratings_response_and_completion_per_unit(small_course, course, unit):
    report = selectors.course_syllabus_report(course=course)

    (row,) = report.units
    assert (row.fellows, row.answers, row.average) == (4, 2, 3.5)
    assert row.response_rate == 0.5
    assert (row.core_total, row.core_complete, row.core_rate) == (2, 1, 0.25)


def test_it_reports_completion_usefulness_and_comments_per_reading(small_course, course):
    report = selectors.course_syllabus_report(course=course)

    alpha, beta, gamma = report.readings
    assert (alpha.completed, alpha.completion_rate) == (3, 0.75)
    assert (alpha.useful, alpha.votes, round(alpha.useful_share, 2)) == (2, 3, 0.67)
    assert alpha.comments == ["Clear", "Dense"]
    assert (beta.completed, beta.votes, beta.useful_share) == (1, 0, None)
    assert gamma.completion_rate == 0


def test_a_weekly_cohort_counts_only_once_its_session_opened(course, unit, small_course):
    weekly = CohortFactory(course=course, pacing=Cohort.Pacing.WEEKLY)
    EnrollmentFactory.create_batch(3, cohort=weekly)
    session = SessionFactory(cohort=weekly, unit=unit, starts_at=timezone.now() + dt.timedelta(30))

    assert selectors.course_syllabus_report(course=course).units[0].fellows == 4
    session.starts_at = timezone.now()
    session.save()
    assert selectors.course_syllabus_report(course=course).units[0].fellows == 7


def test_the_page_sorts_by_a_column_with_links_that_work_without_javascript(
    client, staff, course, small_course
):
    client.force_login(staff)

    html = client.get(report_url(course, readings="-completion")).content.decode()

    assert html.index("Alpha") < html.index("Beta") < html.index("Gamma")
    assert 'aria-sort="descending"><a href="?readings=completion#readings-heading"' in html
    html = client.get(report_url(course, readings="completion")).content.decode()
    assert html.index("Gamma") < html.index("Beta") < html.index("Alpha")
    html = client.get(report_url(course, readings="nonsense")).content.decode()
    assert html.index("Alpha") < html.index("Beta")


def test_the_page_shows_rates_with_bars_and_comments_as_text(client, staff, course, small_course):
    ReadingFeedback.objects.create(
        user=small_course["fellows"][3],
        reading=small_course["further"],
        useful=False,
        comment="<script>alert(1)</script>",
    )
    client.force_login(staff)

    html = client.get(report_url(course)).content.decode()

    assert "75%" in html and "3 of 4" in html
    assert "67%" in html and "2 of 3 votes" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert '<rect width="75" height="10" class="fb-bar-fill">' in html


def test_the_csv_exports_hold_the_same_figures(client, staff, course, small_course):
    client.force_login(staff)

    readings = list(
        csv.reader(io.StringIO(client.get(report_url(course) + "readings.csv").content.decode()))
    )
    units = list(
        csv.reader(io.StringIO(client.get(report_url(course) + "units.csv").content.decode()))
    )

    assert readings[0][:3] == ["week", "tier", "reading"]
    assert readings[1][2:] == [
        "Alpha",
        "A. Author, 2024",
        "3",
        "4",
        "75",
        "2",
        "3",
        "67",
        "Clear | Dense",
    ]
    assert units[1] == ["3", "Inner alignment", "3.5", "2", "4", "50", "1", "25"]


def test_only_staff_see_the_report(client, course, fellow, facilitator, staff):
    for path in ("", "readings.csv", "units.csv"):
        url = report_url(course) + path
        assert client.get(url).status_code == 302
        for person, status in ((fellow, 404), (facilitator, 404), (staff, 200)):
            client.force_login(person)
            assert client.get(url).status_code == status
        client.logout()


def _bulk_course(course, *, cohorts=40, fellows=10, units=6, readings=5):
    """40 cohorts' worth of fellows, progress and feedback, inserted in bulk."""
    unit_list = UnitFactory.create_batch(units, course=course)
    reading_list = [
        ReadingFactory(unit=u, tier=Reading.Tier.CORE if n < 3 else Reading.Tier.FURTHER)
        for u in unit_list
        for n in range(readings)
    ]
    cohort_list = CohortFactory.create_batch(cohorts, course=course)
    for n, cohort in enumerate(cohort_list):
        if n % 2:
            cohort.pacing = Cohort.Pacing.SELF_PACED
            cohort.save()
        else:
            SessionFactory(cohort=cohort, unit=unit_list[0], starts_at=timezone.now())
    users = User.objects.bulk_create(
        User(email=f"bulk{n}@example.org", display_name=f"Bulk {n}")
        for n in range(cohorts * fellows)
    )
    Enrollment.objects.bulk_create(
        Enrollment(cohort=cohort_list[n // fellows], user=user) for n, user in enumerate(users)
    )
    ReadingProgress.objects.bulk_create(
        ReadingProgress(user=user, reading=reading)
        for n, user in enumerate(users)
        for reading in reading_list[: 3 + n % 20]
    )
    UnitFeedback.objects.bulk_create(
        UnitFeedback(
            user=user,
            unit=unit,
            cohort=cohort_list[n // fellows],
            rating=1 + n % 5,
            anonymous=n % 3 == 0,
            what_worked=f"Worked {n}",
        )
        for n, user in enumerate(users)
        for unit in unit_list[: 1 + n % units]
    )
    ReadingFeedback.objects.bulk_create(
        ReadingFeedback(
            user=user,
            reading=reading,
            useful=n % 4 != 0,
            comment=f"Comment {n}" if n % 7 == 0 else "",
        )
        for n, user in enumerate(users)
        for reading in reading_list[: 2 + n % 6]
    )


def test_the_report_runs_a_fixed_number_of_queries_for_forty_cohorts(
    client, staff, course, django_assert_max_num_queries
):
    _bulk_course(course)
    client.force_login(staff)

    for path in ("", "readings.csv", "units.csv"):
        with django_assert_max_num_queries(12):
            response = client.get(report_url(course) + path)
        assert response.status_code == 200
    report = selectors.course_syllabus_report(course=course)
    assert report.fellows == 400
    assert report.units[0].fellows == 400
    assert sum(row.answers for row in report.units) == UnitFeedback.objects.count()
