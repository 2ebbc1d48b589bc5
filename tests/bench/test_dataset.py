"""The benchmark dataset generator at a tiny size, with its options read as `python -m bench.data`
reads them (`make bench` runs it at full size)."""

import pytest
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from bench import driver
from bench.data import spec
from bench.dataset import PASSWORD, Counts, facilitator_cohort_name, fellow_view, generate
from courseapp.models import (
    Cohort,
    Enrollment,
    Reading,
    ReadingProgress,
    Session,
    UnitFeedback,
)
from quizzes.models import Answer, Attempt, Quiz

pytestmark = pytest.mark.django_db
TINY = [
    "--cohorts=3",
    "--fellows-per-cohort=8",
    "--units=4",
    "--readings-per-unit=6",
    "--quizzes=2",
    "--questions=4",
    "--facilitator-cohorts=5,12",
]


def _generate(*extra: str) -> Counts:
    return generate(spec([*TINY, *extra]))


def test_it_generates_cohorts_people_and_their_activity():
    counts = _generate()

    assert (counts.enrolments, counts.users) == (46, 46)
    fellows = Enrollment.objects.filter(role=Enrollment.Role.FELLOW)
    assert fellows.count() == 3 * 8 + 5 + 12
    assert Enrollment.objects.filter(role=Enrollment.Role.FACILITATOR).count() == 5
    assert Cohort.objects.get(name=facilitator_cohort_name(12)).enrollments.count() == 13
    assert Session.objects.count() == Cohort.objects.count() * 4
    assert Reading.objects.count() == 4 * 6
    assert Quiz.objects.count() == 2
    assert ReadingProgress.objects.exists()
    assert UnitFeedback.objects.exists()
    submitted = Attempt.objects.filter(submitted_at__isnull=False).first()
    assert submitted.answers.count() == 4
    assert Answer.objects.filter(is_correct=True).exists()


def test_marks_fall_inside_units_that_were_open_to_the_fellow():
    _generate()

    now = timezone.now()
    for mark in ReadingProgress.objects.select_related("reading")[:200]:
        enrollment = Enrollment.objects.get(user=mark.user_id)
        session = Session.objects.get(cohort=enrollment.cohort_id, unit=mark.reading.unit_id)
        assert mark.completed_at <= now
        if enrollment.cohort.pacing == Cohort.Pacing.WEEKLY:
            assert session.opens_at <= mark.completed_at


def test_generated_people_can_sign_in_and_open_their_pages(client):
    _generate()

    fellow = User.objects.filter(enrollments__role=Enrollment.Role.FELLOW).first()
    assert check_password(PASSWORD, fellow.password)
    assert fellow.emailaddress_set.get().verified
    client.force_login(fellow)
    assert client.get(reverse("home")).status_code == 200
    facilitator = Enrollment.objects.filter(role=Enrollment.Role.FACILITATOR).first()
    client.force_login(facilitator.user)
    response = client.get(reverse("cohort_detail", args=[facilitator.cohort_id]))
    assert response.status_code == 200


def _marks() -> list[tuple]:
    return sorted(ReadingProgress.objects.values_list("user_id", "reading__title"))


def test_the_same_seed_makes_the_same_data():
    with transaction.atomic():
        _generate("--seed=7")
        first = _marks()
        transaction.set_rollback(True)
    _generate("--seed=7")

    assert _marks() == first


def test_it_refuses_a_database_that_already_holds_the_dataset():
    _generate()
    users = User.objects.count()

    with pytest.raises(ValueError, match="already holds the bench course"):
        _generate()
    assert User.objects.count() == users


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("--cohorts=0", "cohorts must be at least 1"),
        ("--facilitator-cohorts=ten", "comma-separated numbers"),
        ("--fellows-per-cohort=70000", "at most 200,000 enrolments"),
    ],
)
def test_bad_options_stop_with_a_clear_message_before_anything_is_written(capsys, option, message):
    with pytest.raises(SystemExit):
        spec([*TINY, option])

    assert message in capsys.readouterr().err


def test_each_fellow_of_the_mark_read_load_may_mark_their_reading(client):
    _generate()
    cohort = Cohort.objects.get(name=facilitator_cohort_name(12))
    view = fellow_view(cohort)

    pairs = driver._marks_by_others(cohort, view, "c" * 32)

    active = cohort.enrollments.filter(
        role=Enrollment.Role.FELLOW, status=Enrollment.Status.ACTIVE
    ).count()
    assert len(pairs) == active - 1  # the cohort's other active fellows (up to 39)
    assert len({cookie for _, cookie in pairs}) == len(pairs) > 5
    for path, cookie in pairs:
        client.cookies.load(cookie)
        marked = client.post(path, {"done": "1"}, headers={"HX-Request": "true"})
        assert marked.status_code == 200, path
