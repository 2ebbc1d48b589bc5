import io

import pytest
from django.core.management import call_command

from accounts.models import User
from courseapp import demo
from courseapp.models import Cohort, Enrollment, Reading, ReadingProgress
from quizzes.models import Question

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_is_idempotent_and_its_printed_logins_work(client):
    _seed()
    counts = [m.objects.count() for m in (User, Reading, Enrollment, ReadingProgress, Question)]
    output = _seed()

    assert [m.objects.count() for m in (User, Reading, Enrollment, ReadingProgress, Question)] == (
        counts
    )
    for email, _role in demo.LOGINS:
        assert email in output
        assert client.login(email=email, password="fellowship-demo"), email
    assert User.objects.get(email="admin@example.org").is_staff


def test_it_loads_the_week_3_unit_a_chapter_cohorts_and_a_quiz():
    _seed()

    core = Reading.objects.live().filter(tier=Reading.Tier.CORE)
    assert core.filter(title__startswith="Sleeper Agents").exists()
    assert core.exclude(body="").count() == 1
    cohort_a = Cohort.objects.get(name="Cohort A")
    assert set(cohort_a.enrollments.values_list("user__email", "role")) == {
        ("facilitator.a@example.org", "facilitator"),
        ("fellow.a1@example.org", "fellow"),
        ("fellow.a2@example.org", "fellow"),
        ("fellow.a3@example.org", "fellow"),
    }
    assert ReadingProgress.objects.filter(user__email="fellow.a1@example.org").count() == 2
    assert Question.objects.count() >= 6
