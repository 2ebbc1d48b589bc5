"""The nudge button: through the reminders pipeline, once a day per fellow, facilitators only."""

import pytest
from django.urls import reverse

from courseapp.models import Enrollment, Reminder

from .conftest import enrol

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture(autouse=True)
def _daytime_everywhere(settings):
    settings.REMINDER_WINDOW_START, settings.REMINDER_WINDOW_END = 0, 24


@pytest.fixture
def ada(cohort, sessions):
    return enrol(cohort, "Ada")


def _url(cohort, user):
    return reverse("cohort_fellow_nudge", args=[cohort.pk, user.pk])


def test_a_nudge_is_logged_and_queued_once_the_transaction_commits(
    client, cohort, ada, facilitator, django_capture_on_commit_callbacks
):
    client.force_login(facilitator)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(_url(cohort, ada), follow=True)

    reminder = Reminder.objects.get()
    assert (reminder.recipient, reminder.sender, reminder.kind) == (ada, facilitator, "nudge")
    assert reminder.status == Reminder.Status.PENDING
    assert len(callbacks) == 1  # the Celery send task
    assert response.redirect_chain[-1][0] == reverse(
        "cohort_fellow_detail", args=[cohort.pk, ada.pk]
    )
    assert "Nudge sent to Ada." in response.content.decode()


def test_a_second_nudge_the_same_day_is_refused(client, cohort, ada, facilitator):
    client.force_login(facilitator)
    client.post(_url(cohort, ada))
    response = client.post(_url(cohort, ada), follow=True)
    assert "Ada was already nudged today." in response.content.decode()
    assert Reminder.objects.count() == 1


def test_with_htmx_only_the_nudge_panel_comes_back(client, cohort, ada, facilitator):
    client.force_login(facilitator)
    response = client.post(_url(cohort, ada), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<div id="nudge"')
    assert 'role="status">Nudge sent to Ada.' in html


def test_a_deferred_fellow_is_not_emailed_and_the_page_says_why(client, cohort, facilitator):
    dee = enrol(cohort, "Dee", status=Enrollment.Status.DEFERRED)
    client.force_login(facilitator)
    response = client.post(_url(cohort, dee), follow=True)
    assert "Dee was not nudged: Dee is deferred in this cohort." in response.content.decode()
    assert Reminder.objects.get().status == Reminder.Status.SKIPPED


def test_only_this_cohorts_facilitators_can_nudge(client, cohort, ada, other_facilitator):
    for person in (other_facilitator, ada):
        client.force_login(person)
        assert client.post(_url(cohort, ada)).status_code == 404
    client.logout()
    assert "/accounts/login/" in client.post(_url(cohort, ada))["Location"]
    assert not Reminder.objects.exists()


def test_a_nudge_needs_a_post(client, cohort, ada, facilitator):
    client.force_login(facilitator)
    assert client.get(_url(cohort, ada)).status_code == 405
