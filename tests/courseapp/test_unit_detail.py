from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from courseapp.models import Reading
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in, weekly_cohort
from tests.factories import LearningObjectiveFactory, ReadingFactory, ReadingProgressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def week():
    course, units = course_with_units(units=2, title="Alignment")
    cohort = weekly_cohort(course, timezone="Europe/London")
    return cohort, units


def _url(unit) -> str:
    return reverse("unit_detail", args=[unit.pk])


def test_a_fellow_sees_the_unit_with_objectives_and_readings_by_tier(client, week):
    cohort, units = week
    unit = units[0]
    LearningObjectiveFactory(unit=unit, text="Explain <mesa-optimisation>")
    ReadingFactory(
        unit=unit,
        tier=Reading.Tier.CORE,
        title="Risks from Learned Optimization: “mesa” & more",
        authors="Evan Hubinger",
        year="2019",
        url="https://example.org/risks",
        kind=Reading.Kind.PAPER,
        minutes=45,
        note="Read sections 1-3.",
        position=99,
    )
    client.force_login(fellow_in(cohort))

    response = client.get(_url(unit))

    assert response.status_code == 200
    html = response.content.decode()
    assert unit.objectives_intro in html
    assert "Explain &lt;mesa-optimisation&gt;" in html
    assert [tier.label for tier in response.context["progress"].tiers] == [
        "Core",
        "Recommended",
        "Further",
    ]
    assert 'id="tier-1-heading">Core' in html and "Recommended" in html and "Further" in html
    assert "Evan Hubinger, 2019 · Paper · 45 min" in html and "Read sections 1-3." in html
    assert 'href="https://example.org/risks" target="_blank" rel="noopener"' in html
    assert "(opens in a new tab)" in html
    assert "0 of 5</strong> core readings read · about 2 h 5 min left" in html


def test_the_summary_counts_only_this_fellows_progress_and_hides_archived_readings(client, week):
    cohort, units = week
    fellow, other = fellow_in(cohort), fellow_in(cohort)
    core = list(units[0].readings.filter(tier=Reading.Tier.CORE))
    ReadingProgressFactory(user=fellow, reading=core[0])
    ReadingProgressFactory(user=other, reading=core[1])
    ReadingProgressFactory(user=fellow, reading=core[3])
    core[3].archived_at = timezone.now()
    core[3].save()
    client.force_login(fellow)

    response = client.get(_url(units[0]))

    progress = response.context["progress"]
    assert (progress.core.done, progress.core.total, progress.core.minutes_left) == (1, 3, 40)
    assert core[3].title not in response.content.decode()


def test_a_unit_not_yet_released_shows_when_it_opens_in_the_fellows_timezone(client, week):
    cohort, units = week
    fellow = fellow_in(cohort, timezone="Asia/Tokyo")
    client.force_login(fellow)

    response = client.get(_url(units[1]))

    assert response.status_code == 403
    opens = cohort.sessions.get(unit=units[1]).opens_at
    local = timezone.localtime(opens, timezone=ZoneInfo("Asia/Tokyo"))
    assert f"{local:%H:%M}" in response.content.decode() and "Asia/Tokyo" in response.text
    assert units[1].readings.first().title not in response.content.decode()


def test_a_fellow_of_another_course_gets_a_404(client, week):
    _, units = week
    other_course, _ = course_with_units(units=1)
    client.force_login(fellow_in(weekly_cohort(other_course)))

    assert client.get(_url(units[0])).status_code == 404
    assert client.get(_url(units[1])).status_code == 404


def test_a_facilitator_can_open_every_unit_of_their_cohorts_course(client, week):
    cohort, units = week
    client.force_login(facilitator_of(cohort))

    assert client.get(_url(units[1])).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, week):
    _, units = week

    response = client.get(_url(units[0]))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_objectives_each_have_their_own_list_item_with_an_id(client, week):
    cohort, units = week
    objective = LearningObjectiveFactory(unit=units[0])
    client.force_login(fellow_in(cohort))

    html = client.get(_url(units[0])).content.decode()

    assert f'<li id="objective-{objective.pk}" class="objective">' in html


def test_a_fellow_sees_a_hosted_reading_linked_inside_the_app(client, week):
    cohort, units = week
    hosted = ReadingFactory(unit=units[0], body="<p>Chapter</p>", url="https://x.example/")
    client.force_login(fellow_in(cohort))

    html = client.get(_url(units[0])).content.decode()

    assert f'href="{reverse("reading_detail", args=[hosted.pk])}"' in html


def test_the_unit_page_runs_a_fixed_number_of_queries(
    client, big_course, django_assert_max_num_queries
):
    cohort, units, fellows = big_course
    client.force_login(fellows[0])

    # Session, user, unit, readings, reading feedback, objectives, mastery, quiz, enrolment,
    # unit feedback, the next schedule change: none of them grows with readings or fellows.
    with django_assert_max_num_queries(11):
        response = client.get(_url(units[0]))

    assert response.status_code == 200
    assert len(response.context["progress"].tiers[0].readings) == 5
