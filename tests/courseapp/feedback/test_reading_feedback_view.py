import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from courseapp.feedback import selectors
from courseapp.models import Cohort, ReadingFeedback
from tests.factories import CohortFactory, EnrollmentFactory, ReadingFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def reading(unit):
    return ReadingFactory(unit=unit, title="Risks from Learned Optimization")


def url(reading):
    return reverse("reading_feedback", args=[reading.pk])


def test_without_htmx_it_saves_and_goes_back_to_the_page_it_came_from(client, fellow, reading):
    client.force_login(fellow)
    back = f"{reading.unit.get_absolute_url()}#reading-{reading.pk}"

    response = client.post(url(reading), {"useful": "1", "comment": " Great ", "next": back})

    assert response.status_code == 302
    assert response["Location"] == back
    feedback = ReadingFeedback.objects.get(user=fellow, reading=reading)
    assert (feedback.useful, feedback.comment) == (True, "Great")


def test_an_outside_next_is_ignored(client, fellow, reading):
    client.force_login(fellow)

    response = client.post(url(reading), {"useful": "0", "next": "https://evil.example/"})

    assert response["Location"] == reading.unit.get_absolute_url()


@pytest.mark.parametrize("target", ["foo", "@SUM(1)", "account_logout", "/u\x00", "//evil.example"])
def test_a_next_that_is_not_a_local_path_falls_back_to_the_unit(client, fellow, reading, target):
    client.force_login(fellow)

    response = client.post(url(reading), {"useful": "1", "next": target})

    assert response.status_code == 302
    assert response["Location"] == reading.unit.get_absolute_url()


def test_with_htmx_it_returns_the_row_control_showing_the_choice(client, fellow, reading):
    client.force_login(fellow)

    response = client.post(url(reading), {"useful": "0", "comment": "Too long"}, **HTMX)

    html = response.content.decode()
    assert html.strip().startswith(f'<div class="fb-reading" id="reading-feedback-{reading.pk}"')
    assert 'value="0" class="fb-vote is-chosen" aria-pressed="true"' in html
    assert "Thanks, your feedback was saved." in html
    assert 'value="Too long"' in html


def test_voting_again_changes_the_one_vote(client, fellow, reading):
    client.force_login(fellow)
    client.post(url(reading), {"useful": "1"}, **HTMX)
    client.post(url(reading), {"useful": "0", "comment": "On reflection, no"}, **HTMX)

    feedback = ReadingFeedback.objects.get()
    assert (feedback.useful, feedback.comment) == (False, "On reflection, no")


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_bad_input_keeps_the_comment_and_changes_nothing(client, fellow, reading, headers):
    client.force_login(fellow)

    missing = client.post(url(reading), {"comment": "<b>kept</b>"}, **headers).content.decode()
    long = client.post(url(reading), {"useful": "1", "comment": "w" * 501}, **headers)

    assert "Choose useful or not useful." in missing
    assert 'value="&lt;b&gt;kept&lt;/b&gt;"' in missing
    assert "at most 500 characters" in long.content.decode()
    assert "w" * 501 in long.content.decode()
    assert not ReadingFeedback.objects.exists()


def test_the_standalone_page_shows_the_saved_vote(client, fellow, reading):
    ReadingFeedback.objects.create(user=fellow, reading=reading, useful=True, comment="<i>x</i>")
    client.force_login(fellow)

    html = client.get(url(reading)).content.decode()

    assert "Risks from Learned Optimization" in html
    assert "You said: useful." in html
    assert 'value="&lt;i&gt;x&lt;/i&gt;"' in html


def test_only_fellows_the_unit_is_open_to_can_vote(
    client, reading, facilitator, other_facilitator, outsider, staff
):
    assert client.post(url(reading), {"useful": "1"}).status_code == 302
    for person in (facilitator, other_facilitator, outsider, staff):
        client.force_login(person)
        assert client.post(url(reading), {"useful": "1"}).status_code == 404
    assert not ReadingFeedback.objects.exists()


def test_a_fellow_cannot_vote_on_a_reading_of_an_unreleased_unit(client, reading):
    cohort = CohortFactory(course=reading.unit.course, pacing=Cohort.Pacing.WEEKLY)
    SessionFactory(cohort=cohort, unit=reading.unit, starts_at=timezone.now() + dt.timedelta(30))
    client.force_login(EnrollmentFactory(cohort=cohort).user)

    assert client.post(url(reading), {"useful": "1"}).status_code == 404


def test_an_archived_reading_takes_no_votes(client, fellow, reading):
    reading.archived_at = timezone.now()
    reading.save()
    client.force_login(fellow)

    assert client.post(url(reading), {"useful": "1"}).status_code == 404


def test_reading_feedback_for_user_is_one_query(fellow, unit, django_assert_num_queries):
    readings = ReadingFactory.create_batch(15, unit=unit)
    for reading in readings[:5]:
        ReadingFeedback.objects.create(user=fellow, reading=reading, useful=True)

    with django_assert_num_queries(1):
        found = selectors.reading_feedback_for_user(user=fellow, readings=readings)

    assert set(found) == {r.pk for r in readings[:5]}


def test_the_row_control_renders_nothing_when_feedback_is_not_allowed(rf, reading, facilitator):
    request = rf.get("/")
    context = {"reading": reading, "reading_feedback": None, "feedback_allowed": False}

    html = render_to_string("courseapp/feedback/_reading_feedback.html", context, request)

    assert html.strip() == ""


def test_the_database_refuses_a_second_vote_on_the_same_reading(fellow, reading):
    ReadingFeedback.objects.create(user=fellow, reading=reading, useful=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        ReadingFeedback.objects.create(user=fellow, reading=reading, useful=False)


def test_the_form_sends_the_fellow_back_to_the_same_row(rf, fellow, reading):
    request = rf.get(f"/units/{reading.unit_id}/")
    context = {"reading": reading, "reading_feedback": None}

    html = render_to_string("courseapp/feedback/_reading_feedback.html", context, request)

    assert f'name="next" value="/units/{reading.unit_id}/#reading-feedback-{reading.pk}"' in html


def test_a_vote_runs_a_fixed_number_of_queries(
    client, fellow, reading, django_assert_max_num_queries
):
    client.force_login(fellow)

    # Savepoints of the nested atomic blocks count as queries here.
    with django_assert_max_num_queries(14):
        response = client.post(url(reading), {"useful": "1", "comment": "Good"}, **HTMX)
    assert response.status_code == 200


def test_attach_reading_feedback_sets_each_readings_vote_in_one_query(
    fellow, unit, django_assert_num_queries
):
    voted, silent = ReadingFactory.create_batch(2, unit=unit)
    vote = ReadingFeedback.objects.create(user=fellow, reading=voted, useful=False)

    with django_assert_num_queries(1):
        selectors.attach_reading_feedback(user=fellow, readings=[voted, silent])

    assert (voted.user_feedback, silent.user_feedback) == (vote, None)
