"""Staff powers outside the admin sit behind two-factor authentication, and a staff account
without it enrols only after typing a code emailed to its own address (issue 19, items 1 and 2).

Every staff route, per role, is in the access matrix (the staff_no_mfa column); these tests
check what a staff member without an authenticator can still do, that the POSTs do nothing,
and the enrolment path end to end."""

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from courseapp.models import Enrollment, Invitation, Reminder
from courseapp.platform.security import STAFF_MFA_MESSAGE
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in, weekly_cohort
from tests.factories import PASSWORD, UserFactory
from tests.helpers import login_code_from

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def gate_on(settings):
    settings.REQUIRE_STAFF_MFA = True


@pytest.fixture
def course():
    course, _units = course_with_units(units=2)
    return course


@pytest.fixture
def cohort(course):
    return weekly_cohort(course, name="Cohort A")


@pytest.fixture
def staff(cohort):
    """A staff member without an authenticator who is also a fellow in the cohort."""
    staff = UserFactory(is_staff=True, is_superuser=True)
    Enrollment.objects.create(user=staff, cohort=cohort)
    return staff


def _sent_to_set_up_mfa(response) -> bool:
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    return (
        response.status_code == 302
        and response.url == reverse("mfa_index")
        and STAFF_MFA_MESSAGE in messages
    )


def _totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_inviting_a_facilitator_is_refused_and_nothing_is_sent(client, staff, cohort, gate_on):
    client.force_login(staff)

    response = client.post(
        reverse("cohort_invite", kwargs={"pk": cohort.pk}),
        {"emails": "new-facilitator@example.org", "role": "facilitator"},
    )

    assert _sent_to_set_up_mfa(response)
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_nudging_a_fellow_is_refused_and_nothing_is_sent(client, staff, cohort, gate_on):
    fellow = fellow_in(cohort)
    client.force_login(staff)

    response = client.post(
        reverse("cohort_fellow_nudge", kwargs={"pk": cohort.pk, "user_pk": fellow.pk})
    )

    assert _sent_to_set_up_mfa(response)
    assert not Reminder.objects.exists()
    assert mail.outbox == []


def test_a_staff_facilitator_without_mfa_invites_fellows_only(client, cohort, gate_on):
    staff = facilitator_of(cohort, is_staff=True)
    client.force_login(staff)
    url = reverse("cohort_invite", kwargs={"pk": cohort.pk})

    assert 'name="role"' not in client.get(url).text
    client.post(url, {"emails": "someone@example.org", "role": "facilitator"})

    assert Invitation.objects.get().role == Enrollment.Role.FELLOW


def test_once_an_authenticator_is_set_up_the_staff_powers_come_back(client, staff, gate_on):
    TOTP.activate(staff, generate_totp_secret())
    client.force_login(staff)

    assert client.get(reverse("facilitate_home")).status_code == 200


def test_they_keep_their_own_fellow_pages_and_the_way_out(client, staff, course, gate_on):
    client.force_login(staff)
    unit = course.units.order_by("week").first()

    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("course_detail", kwargs={"slug": course.slug})).status_code == 200
    assert client.get(reverse("unit_detail", kwargs={"pk": unit.pk})).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_page_they_are_sent_to_says_why(client, staff, cohort, gate_on):
    client.force_login(staff)

    response = client.get(reverse("cohort_detail", kwargs={"pk": cohort.pk}), follow=True)

    assert response.redirect_chain == [(reverse("mfa_index"), 302)]
    assert STAFF_MFA_MESSAGE in response.text


def test_the_header_offers_no_facilitate_link_to_staff_without_mfa(client, staff, gate_on):
    client.force_login(staff)

    assert reverse("facilitate_home") not in client.get(reverse("home")).text


# --- Enrolment: not by password alone -----------------------------------------------------------


def _sign_in_with_password(client, user) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, "the password sign-in itself must work"
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


def test_the_password_alone_cannot_add_an_authenticator(client, staff, gate_on):
    _sign_in_with_password(client, staff)
    secret = generate_totp_secret()
    session = client.session
    session[SECRET_SESSION_KEY] = secret
    session.save()

    page = client.get(reverse("mfa_activate_totp"))
    posted = client.post(reverse("mfa_activate_totp"), {"code": _totp_code(secret)})

    code_page = reverse("account_staff_mfa_code")
    assert page.status_code == 302 and page.url.startswith(code_page)
    assert posted.status_code == 302 and posted.url.startswith(code_page)
    assert not Authenticator.objects.filter(user=staff).exists()
    assert _sent_to_set_up_mfa(client.get(reverse("facilitate_home")))


def test_with_the_code_emailed_to_them_they_add_one_and_get_their_powers(client, staff, gate_on):
    _sign_in_with_password(client, staff)
    to_activate = reverse("mfa_activate_totp")
    code_page = client.get(to_activate, follow=True)
    assert staff.email in code_page.text

    client.post(reverse("account_staff_mfa_code"), {"send": "1", "next": to_activate})
    [email] = mail.outbox
    assert email.to == [staff.email]
    confirmed = client.post(
        reverse("account_staff_mfa_code"),
        {"code": login_code_from(email.body), "next": to_activate},
    )
    assert confirmed.status_code == 302 and confirmed.url == to_activate
    assert client.get(to_activate).status_code == 200
    activated = client.post(to_activate, {"code": _totp_code(client.session[SECRET_SESSION_KEY])})

    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("facilitate_home")).status_code == 200


def test_a_wrong_code_proves_nothing_and_three_use_the_code_up(client, staff, gate_on):
    client.force_login(staff)
    url = reverse("account_staff_mfa_code")
    client.post(url, {"send": "1"})
    code = login_code_from(mail.outbox[0].body)

    wrong = client.post(url, {"code": "AAAA-AAAA"})
    assert wrong.status_code == 200 and "Incorrect code." in wrong.text
    assert client.get(reverse("mfa_activate_totp")).url.startswith(url)
    client.post(url, {"code": "AAAA-AAAB"})
    client.post(url, {"code": "AAAA-AAAC"})
    client.post(url, {"code": code})

    assert client.get(reverse("mfa_activate_totp")).url.startswith(url)


def test_the_code_goes_to_the_address_on_the_account_which_they_cannot_change(
    client, staff, gate_on
):
    client.force_login(staff)

    client.post(reverse("account_email"), {"action_add": "", "email": "attacker@example.net"})
    client.post(reverse("account_staff_mfa_code"), {"send": "1"})

    assert not EmailAddress.objects.filter(email="attacker@example.net").exists()
    assert [m.to for m in mail.outbox] == [[staff.email]]


def test_staff_who_do_not_need_the_code_are_sent_on_to_two_factor_settings(client, gate_on):
    client.force_login(UserFactory())

    response = client.get(reverse("account_staff_mfa_code"))

    assert response.status_code == 302 and response.url == reverse("mfa_index")


def test_the_code_page_sends_back_only_to_paths_on_this_site(client, staff, gate_on):
    client.force_login(staff)
    url = reverse("account_staff_mfa_code")
    client.post(url, {"send": "1"})

    response = client.post(
        url, {"code": login_code_from(mail.outbox[0].body), "next": "https://evil.example/"}
    )

    assert response.url == reverse("mfa_activate_totp")
