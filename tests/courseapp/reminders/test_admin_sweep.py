"""The reminders list in the admin has a "Run reminders sweep now" button: a POST, for staff who
may change reminders, that runs one sweep and says what it recorded and queued."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from courseapp.models import Reminder
from tests.factories import UserFactory

from .conftest import at

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
SWEEP = reverse("admin:courseapp_reminder_sweep")
LIST = reverse("admin:courseapp_reminder_changelist")


@pytest.fixture
def due_now(clock, cohort, fellow):
    clock.move_to(at(2025, 3, 5, 10), tick=False)
    return fellow


def test_staff_see_the_button_and_their_post_runs_a_sweep(client, staff, due_now):
    client.force_login(staff)
    page = client.get(LIST).content.decode()
    assert f'action="{SWEEP}"' in page and "Run reminders sweep now" in page

    response = client.post(SWEEP, follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "Reminders sweep: recorded 1 reminder(s) and queued 1 email(s); queued 0 lost send(s) "
        "again."
    ]
    assert list(Reminder.objects.values_list("recipient", "kind")) == [
        (due_now.pk, Reminder.Kind.BEFORE_SESSION)
    ]


def test_a_get_does_not_run_a_sweep(client, staff, due_now):
    client.force_login(staff)

    assert client.get(SWEEP).status_code == 405
    assert Reminder.objects.count() == 0


def test_the_post_needs_a_csrf_token(staff, due_now):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    assert client.post(SWEEP).status_code == 403
    assert Reminder.objects.count() == 0


def test_staff_who_may_only_view_reminders_have_no_button_and_cannot_sweep(client, due_now):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_reminder"))
    client.force_login(viewer)

    assert "Run reminders sweep now" not in client.get(LIST).content.decode()
    assert client.post(SWEEP).status_code == 403
    assert Reminder.objects.count() == 0


@pytest.mark.parametrize("who", ["fellow", "anonymous"])
def test_people_who_are_not_staff_are_sent_to_the_admin_login(client, due_now, who):
    if who == "fellow":
        client.force_login(due_now)

    response = client.post(SWEEP)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert Reminder.objects.count() == 0
