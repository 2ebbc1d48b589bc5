import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.messages import get_messages
from django.urls import reverse

from courseapp.platform.security import STAFF_MFA_MESSAGE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN_PAGES = ["admin:index", "admin:courseapp_course_changelist", "admin_import_chapter"]


@pytest.fixture
def gate_on(settings):
    settings.REQUIRE_STAFF_MFA = True


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_it_sends_staff_without_an_authenticator_to_set_one_up(client, staff, gate_on, name):
    client.force_login(staff)

    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url == reverse("mfa_index")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [STAFF_MFA_MESSAGE]


def test_the_setup_page_it_sends_them_to_opens_and_explains_why(client, staff, gate_on):
    client.force_login(staff)

    response = client.get(reverse("admin:index"), follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("mfa_index"), 302)]
    assert STAFF_MFA_MESSAGE in response.text


def test_it_lets_staff_with_an_authenticator_app_into_the_admin(client, staff, gate_on):
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200


def test_recovery_codes_alone_also_count_as_two_factor(client, staff, gate_on):
    RecoveryCodes.activate(staff)
    client.force_login(staff)

    assert client.get(reverse("admin:index")).status_code == 200


def test_it_does_not_gate_staff_on_the_rest_of_the_site(client, staff, gate_on):
    client.force_login(staff)

    assert client.get(reverse("home")).status_code == 200


def test_non_staff_still_get_the_admin_sign_in_not_the_setup_page(client, gate_on):
    client.force_login(UserFactory())

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_anonymous_visitors_get_the_admin_sign_in(client, gate_on):
    response = client.get(reverse("admin:index"))

    assert response.url.startswith(reverse("admin:login"))


def test_with_the_setting_off_staff_reach_the_admin_without_an_authenticator(
    client, staff, settings
):
    settings.REQUIRE_STAFF_MFA = False
    client.force_login(staff)

    assert client.get(reverse("admin:index")).status_code == 200
