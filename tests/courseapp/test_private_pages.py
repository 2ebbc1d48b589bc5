"""Pages that show a person's data tell every cache on the way not to keep them
(`Cache-Control: private`); pages that are the same for everyone are left as they are."""

import pytest
from django.urls import reverse

from courseapp.models import Reading
from courseapp.reminders.tokens import unsubscribe_token
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in, weekly_cohort

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def cohort():
    course, _ = course_with_units(units=1, tiers={Reading.Tier.CORE: 1})
    return weekly_cohort(course)


def _directives(response) -> set[str]:
    assert response.status_code == 200, response.status_code
    return {d.strip() for d in response.get("Cache-Control", "").split(",")}


def test_a_fellows_pages_and_data_are_private(client, cohort):
    fellow = fellow_in(cohort)
    unit = cohort.course.units.get()
    client.force_login(fellow)
    pages = [
        reverse("home"),
        reverse("course_detail", args=[cohort.course.slug]),
        reverse("unit_detail", args=[unit.pk]),
        reverse("account_profile"),
        reverse("account_email"),
        reverse("account_data"),
        reverse("account_data_export"),
        reverse("notification_preferences"),
    ]

    for url in pages:
        assert "private" in _directives(client.get(url)), url


def test_a_facilitators_cohort_pages_and_exports_are_private(client, cohort):
    fellow = fellow_in(cohort)
    client.force_login(facilitator_of(cohort))
    pages = [
        reverse("facilitate_home"),
        reverse("cohort_detail", args=[cohort.pk]),
        reverse("cohort_fellow_detail", args=[cohort.pk, fellow.pk]),
        reverse("cohort_export_csv", args=[cohort.pk]),
    ]

    for url in pages:
        assert "private" in _directives(client.get(url)), url


def test_admin_pages_are_private(client, staff):
    client.force_login(staff)

    for url in (reverse("admin:index"), reverse("admin:accounts_user_changelist")):
        assert "private" in _directives(client.get(url)), url


def test_the_sign_in_form_and_an_unsubscribe_page_are_private(client, user):
    token = unsubscribe_token(user_id=user.pk, kinds=["nudge"])

    for url in (reverse("account_login"), reverse("reminders_unsubscribe", args=[token])):
        assert "private" in _directives(client.get(url)), url


def test_a_page_the_same_for_everyone_stays_public(client, user):
    client.force_login(user)

    response = client.get(reverse("robots_txt"))

    assert _directives(response) == {"public", "max-age=86400"}
