import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from courseapp.feedback import admin as feedback_admin  # noqa: F401  (registers the admin)
from courseapp.models import UnitFeedback
from tests.factories import EnrollmentFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:courseapp_unitfeedback_changelist"


@pytest.fixture
def editor(db):
    """Staff, not superuser, allowed to view feedback."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_unitfeedback"))
    return user


@pytest.fixture
def secret(cohort, unit):
    user = EnrollmentFactory(
        cohort=cohort, user__display_name="Secret Sam", user__email="sam@example.org"
    ).user
    return UnitFeedback.objects.create(
        user=user, unit=unit, cohort=cohort, rating=2, anonymous=True, what_worked="Hidden"
    )


def test_staff_who_are_not_superusers_never_see_an_anonymous_author(client, editor, secret):
    client.force_login(editor)

    listing = client.get(reverse(CHANGELIST)).content.decode()
    detail = client.get(
        reverse("admin:courseapp_unitfeedback_change", args=[secret.pk])
    ).content.decode()

    assert "Anonymous fellow" in listing
    for html in (listing, detail):
        assert "Secret Sam" not in html
        assert "sam@example.org" not in html
    assert "Hidden" in detail


def test_filtering_by_person_in_the_url_is_refused(client, editor, secret):
    client.force_login(editor)

    response = client.get(reverse(CHANGELIST), {"user": secret.user_id})

    assert response.status_code == 400  # Django's DisallowedModelAdminLookup


def test_superusers_see_who_wrote_it(client, staff, secret):
    client.force_login(staff)

    listing = client.get(reverse(CHANGELIST)).content.decode()

    assert "Secret Sam" in listing


def test_feedback_cannot_be_added_or_changed_in_the_admin(client, staff, secret):
    client.force_login(staff)

    assert client.get(reverse("admin:courseapp_unitfeedback_add")).status_code == 403
    response = client.post(
        reverse("admin:courseapp_unitfeedback_change", args=[secret.pk]), {"rating": 5}
    )
    assert response.status_code == 403
    secret.refresh_from_db()
    assert secret.rating == 2
