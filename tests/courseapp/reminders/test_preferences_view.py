"""The notification preferences page: one's own choices only, with or without htmx."""

import pytest
from django.urls import reverse

from accounts.models import NotificationPreferences
from tests.courseapp.weeks import facilitator_of, fellow_in
from tests.factories import CohortFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("notification_preferences")
ALL_ON = dict.fromkeys(NotificationPreferences.KINDS, "on")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for response in (client.get(URL), client.post(URL, ALL_ON)):
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert not NotificationPreferences.objects.exists()


def test_it_shows_every_kind_on_for_someone_who_never_chose(client, user):
    client.force_login(user)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.content.count(b"checked") == len(NotificationPreferences.KINDS) - 1
    assert b"Core readings before each session" in response.content
    assert b"between 09:00 and 18:00 in your time zone" in response.content


def test_saving_changes_only_ones_own_choices_and_redirects_without_htmx(client, user):
    other = UserFactory()
    NotificationPreferences.objects.create(user=other)
    client.force_login(user)

    response = client.post(URL, {**ALL_ON, "inactive": "", "nudge": ""} | {"user": other.pk})

    assert response.status_code == 302 and response.url == URL
    mine = NotificationPreferences.objects.get(user=user)
    assert (mine.inactive, mine.nudge, mine.before_session) == (False, False, True)
    theirs = NotificationPreferences.objects.get(user=other)
    assert (theirs.inactive, theirs.nudge) == (True, True)


def test_with_htmx_it_answers_with_the_form_fragment(client, user):
    client.force_login(user)
    data = {k: v for k, v in ALL_ON.items() if k != "before_session"}

    response = client.post(URL, data, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'id="preferences-form"' in response.content
    assert b"Your email choices were saved." in response.content
    assert NotificationPreferences.objects.get(user=user).before_session is False


@pytest.mark.embedded
def test_only_facilitators_are_offered_the_facilitator_digest(client):
    cohort = CohortFactory()
    fellow, facilitator = fellow_in(cohort), facilitator_of(cohort)

    client.force_login(fellow)
    assert b"Facilitator digest" not in client.get(URL).content
    client.force_login(facilitator)
    assert b"Facilitator digest" in client.get(URL).content


@pytest.mark.embedded
def test_a_fellow_cannot_set_the_facilitator_digest_by_posting_it(client):
    fellow = fellow_in(CohortFactory())
    NotificationPreferences.objects.create(user=fellow, facilitator_digest=False)
    client.force_login(fellow)

    response = client.post(URL, ALL_ON)

    assert response.status_code == 302
    mine = NotificationPreferences.objects.get(user=fellow)
    assert (mine.nudge, mine.facilitator_digest) == (True, False)


@pytest.mark.embedded
def test_a_facilitator_turns_the_digest_off_and_on(client):
    facilitator = facilitator_of(CohortFactory())
    client.force_login(facilitator)

    client.post(URL, {k: v for k, v in ALL_ON.items() if k != "facilitator_digest"})
    assert NotificationPreferences.objects.get(user=facilitator).facilitator_digest is False
    client.post(URL, ALL_ON)
    assert NotificationPreferences.objects.get(user=facilitator).facilitator_digest is True


def test_a_post_without_the_csrf_token_is_refused(user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    assert client.post(URL, ALL_ON).status_code == 403
    assert not NotificationPreferences.objects.exists()


def test_the_page_runs_a_fixed_number_of_queries(client, user, django_assert_max_num_queries):
    client.force_login(user)
    NotificationPreferences.objects.create(user=user, nudge=False)

    with django_assert_max_num_queries(4):
        assert client.get(URL).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.post(URL, ALL_ON).status_code == 302
