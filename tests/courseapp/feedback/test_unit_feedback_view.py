import datetime as dt

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from courseapp.feedback import selectors
from courseapp.models import Cohort, UnitFeedback
from tests.factories import CohortFactory, EnrollmentFactory, ReadingProgressFactory, SessionFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
GOOD = {
    "rating": "4",
    "what_worked": "Pairs",
    "what_to_change": "Shorter videos",
    "anonymous": "on",
}


def url(unit):
    return reverse("unit_feedback", args=[unit.pk])


def test_it_shows_the_form_prefilled_with_the_fellows_answer(client, fellow, unit):
    UnitFeedback.objects.create(user=fellow, unit=unit, rating=2, what_worked="The <b>quiz</b>")
    client.force_login(fellow)

    response = client.get(url(unit))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="2" required id="unit-feedback-rating_3" checked' in html
    assert "The &lt;b&gt;quiz&lt;/b&gt;</textarea>" in html
    assert "Update feedback" in html


def test_saving_without_htmx_redirects_to_the_unit_with_a_thank_you(client, fellow, unit, cohort):
    client.force_login(fellow)

    response = client.post(url(unit), GOOD, follow=True)

    assert response.redirect_chain == [(unit.get_absolute_url(), 302)]
    assert "Thanks, your feedback was saved" in response.content.decode()
    feedback = UnitFeedback.objects.get(user=fellow, unit=unit)
    assert (feedback.rating, feedback.anonymous, feedback.cohort) == (4, True, cohort)


def test_saving_with_htmx_returns_the_panel_alone_saying_it_was_received(client, fellow, unit):
    client.force_login(fellow)

    response = client.post(url(unit), GOOD, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith('<section class="fb-panel" id="unit-feedback"')
    assert "Thanks, your feedback was saved." in html
    assert "Update feedback" in html


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_validation_error_keeps_everything_typed(client, fellow, unit, headers):
    client.force_login(fellow)
    typed = {"what_worked": "Kept <script>alert(1)</script>", "what_to_change": "z" * 2001}

    response = client.post(url(unit), {**typed, "anonymous": "on"}, **headers)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose a rating from 1 to 5." in html
    assert "Ensure this value has at most 2000 characters" in html
    assert "Kept &lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in html
    assert "z" * 2001 in html
    assert 'id="unit-feedback-anonymous" checked' in html
    assert "<script>alert(1)" not in html
    assert not UnitFeedback.objects.exists()


def test_after_the_window_it_is_read_only_and_refuses_changes(client, unit):
    cohort = CohortFactory(course=unit.course, pacing=Cohort.Pacing.WEEKLY, feedback_window_days=2)
    session = SessionFactory(cohort=cohort, unit=unit, starts_at=timezone.now())
    fellow = EnrollmentFactory(cohort=cohort).user
    UnitFeedback.objects.create(user=fellow, unit=unit, cohort=cohort, rating=3, what_worked="Ok")
    client.force_login(fellow)

    with time_machine.travel(session.starts_at + dt.timedelta(days=3)):
        page = client.get(url(unit)).content.decode()
        refused = client.post(url(unit), GOOD).content.decode()

    assert "The feedback window for this unit closed on" in page
    assert "<form" not in page.split('id="unit-feedback"')[1]
    assert "your changes were not saved" in refused
    assert UnitFeedback.objects.get().rating == 3


def test_a_weekly_fellow_sees_until_when_they_can_change_it(client, unit):
    cohort = CohortFactory(course=unit.course, pacing=Cohort.Pacing.WEEKLY, feedback_window_days=14)
    SessionFactory(cohort=cohort, unit=unit, starts_at=timezone.now())
    fellow = EnrollmentFactory(cohort=cohort).user
    client.force_login(fellow)

    assert "You can change it until" in client.get(url(unit)).content.decode()


def test_only_fellows_the_unit_is_open_to_reach_the_page(
    client, unit, fellow, facilitator, other_facilitator, outsider, staff
):
    assert client.get(url(unit)).status_code == 302  # to the login page
    for person in (facilitator, other_facilitator, outsider, staff):
        client.force_login(person)
        assert client.get(url(unit)).status_code == 404
        assert client.post(url(unit), GOOD).status_code == 404
    assert not UnitFeedback.objects.exists()


def test_the_page_runs_a_fixed_number_of_queries(
    client, fellow, unit, core_readings, django_assert_max_num_queries
):
    client.force_login(fellow)
    with django_assert_max_num_queries(8):
        assert client.get(url(unit)).status_code == 200


def test_the_context_offers_the_prompt_once_core_readings_are_done(fellow, unit, core_readings):
    for reading in core_readings:
        ReadingProgressFactory(user=fellow, reading=reading)

    context = selectors.unit_feedback_context(user=fellow, unit=unit)
    html = render_to_string("courseapp/feedback/_unit_feedback.html", context)

    assert context["core_done"] is True
    assert "You've finished the core readings: how was this week?" in html


def test_the_context_has_no_prompt_while_core_readings_are_unread(fellow, unit, core_readings):
    ReadingProgressFactory(user=fellow, reading=core_readings[0])

    context = selectors.unit_feedback_context(user=fellow, unit=unit)

    assert context["core_done"] is False
    assert "finished the core readings" not in render_to_string(
        "courseapp/feedback/_unit_feedback.html", context
    )


def test_the_panel_renders_nothing_for_a_facilitator(facilitator, unit):
    context = selectors.unit_feedback_context(user=facilitator, unit=unit)

    assert context["feedback_allowed"] is False
    assert render_to_string("courseapp/feedback/_unit_feedback.html", context).strip() == ""


def test_the_context_costs_three_queries(fellow, unit, django_assert_num_queries):
    with django_assert_num_queries(3):
        selectors.unit_feedback_context(user=fellow, unit=unit)
