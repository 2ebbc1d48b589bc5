import zoneinfo

import pytest
from django.urls import reverse

from courseapp.models import Cohort
from tests.factories import EnrollmentFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_needs_a_login(client):
    response = client.get(reverse("account_profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_person_sets_their_name_and_time_zone(client, user):
    client.force_login(user)

    response = client.post(
        reverse("account_profile"), {"display_name": "  Ada L.  ", "timezone": "Asia/Tokyo"}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.timezone) == ("Ada L.", "Asia/Tokyo")


def test_an_unknown_time_zone_re_renders_with_an_error_and_changes_nothing(client, user):
    client.force_login(user)

    response = client.post(
        reverse("account_profile"), {"display_name": "New name", "timezone": "Mars/Olympus"}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert 'value="New name"' in response.text
    user.refresh_from_db()
    assert user.display_name != "New name"


def test_markup_in_a_name_is_stored_as_text_and_shown_escaped(client, user):
    client.force_login(user)
    client.post(reverse("account_profile"), {"display_name": "<b>Bold</b>", "timezone": ""})

    html = client.get(reverse("account_profile")).content.decode()

    assert "<b>Bold</b>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html


def test_home_shows_the_next_session_in_the_time_zone_the_fellow_chose(client):
    fellow = UserFactory(timezone="Asia/Tokyo")
    enrollment = EnrollmentFactory(user=fellow, cohort__timezone="Europe/London")
    cohort: Cohort = enrollment.cohort
    session = SessionFactory(cohort=cohort)
    client.force_login(fellow)

    html = client.get(reverse("home")).content.decode()

    assert "Asia/Tokyo" in html
    local = session.starts_at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert f"{local:%H:%M}" in html
