import pytest
from django.urls import reverse

from courseapp.models import Invitation
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    course, _ = course_with_units(units=2, tiers={})
    return weekly_cohort(course)


def test_the_cohort_admin_shows_sessions_and_enrolments_inline(client, staff, cohort):
    fellow = fellow_in(cohort)
    client.force_login(staff)

    response = client.get(reverse("admin:courseapp_cohort_change", args=[cohort.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Week 1: Week 1 topic" in html and str(fellow.pk) in html


def test_admin_lists_load(client, staff, cohort):
    client.force_login(staff)

    for name in ("cohort", "enrollment", "invitation"):
        assert client.get(reverse(f"admin:courseapp_{name}_changelist")).status_code == 200


def test_an_admin_invites_by_pasting_a_list(client, staff, cohort):
    client.force_login(staff)
    url = reverse("admin:courseapp_invitation_invite")
    assert url in client.get(reverse("admin:courseapp_invitation_changelist")).content.decode()

    response = client.post(
        url,
        {"cohort": cohort.pk, "role": "facilitator", "emails": "a@example.org, b@example.org"},
        follow=True,
    )

    assert "Invitation sent to b@example.org." in response.content.decode()
    assert set(Invitation.objects.values_list("email", "role")) == {
        ("a@example.org", "facilitator"),
        ("b@example.org", "facilitator"),
    }


def test_a_bad_line_in_the_admin_list_creates_nothing(client, staff, cohort):
    client.force_login(staff)

    response = client.post(
        reverse("admin:courseapp_invitation_invite"),
        {"cohort": cohort.pk, "role": "fellow", "emails": "a@example.org\n\nbad"},
    )

    assert "Line 3: “bad” is not an email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_invite_view_is_for_staff_only(client, cohort):
    client.force_login(fellow_in(cohort))

    response = client.get(reverse("admin:courseapp_invitation_invite"))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
