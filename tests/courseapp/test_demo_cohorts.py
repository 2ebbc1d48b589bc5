import pytest
from django.urls import reverse

from courseapp.demo.accounts import FACILITATORS, FELLOWS, seed_accounts
from courseapp.demo.cohorts import seed_cohorts
from courseapp.models import Cohort, Enrollment, ReadingProgress, Session
from tests.courseapp.weeks import course_with_units

pytestmark = pytest.mark.django_db


def test_it_creates_two_weekly_cohorts_with_the_demo_people_and_some_progress(client):
    seed_accounts()
    course, units = course_with_units(units=3)

    summary = seed_cohorts(course)

    a, b = Cohort.objects.get(name="Cohort A"), Cohort.objects.get(name="Cohort B")
    assert (a.timezone, a.session_time.hour, b.timezone, b.session_time.hour) == (
        "Europe/London",
        18,
        "America/New_York",
        17,
    )
    assert Session.objects.filter(cohort=a).count() == 3
    assert a.enrollments.get(user__email=FACILITATORS["A"]).role == Enrollment.Role.FACILITATOR
    assert set(b.enrollments.filter(role="fellow").values_list("user__email", flat=True)) == set(
        FELLOWS["B"]
    )
    assert ReadingProgress.objects.filter(user__email="fellow.a1@example.org").count() == 2
    assert len(summary) == 2 and "Cohort A" in summary[0]

    client.login(email="fellow.a1@example.org", password="fellowship-demo")
    assert "2 of 4 core readings left" in client.get(reverse("home")).content.decode()


def test_it_is_idempotent_and_keeps_the_existing_schedule():
    seed_accounts()
    course, _ = course_with_units(units=2)
    seed_cohorts(course)
    Cohort.objects.filter(name="Cohort A").update(session_time="19:30")
    counts = (Enrollment.objects.count(), ReadingProgress.objects.count(), Session.objects.count())

    seed_cohorts(course)

    assert Cohort.objects.count() == 2
    assert str(Cohort.objects.get(name="Cohort A").session_time) == "19:30:00"
    assert counts == (
        Enrollment.objects.count(),
        ReadingProgress.objects.count(),
        Session.objects.count(),
    )
