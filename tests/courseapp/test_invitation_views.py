import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from courseapp.cohorts import services
from courseapp.models import Enrollment, Invitation
from tests.courseapp.weeks import course_with_units, facilitator_of, fellow_in, weekly_cohort
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    course, _ = course_with_units(units=1, tiers={})
    return weekly_cohort(course, name="Cohort A")


def _invite(cohort, email="new@example.org") -> Invitation:
    return services.invitation_create(
        cohort=cohort, email=email, role=Enrollment.Role.FELLOW, invited_by=None
    ).invitation


def _url(invitation) -> str:
    return reverse("invitation_accept", args=[invitation.token])


def test_a_new_invitee_chooses_a_password_and_is_signed_in_to_their_cohort(client, cohort):
    invitation = _invite(cohort)
    assert "Choose a password" in client.get(_url(invitation)).content.decode()

    response = client.post(
        _url(invitation),
        {
            "display_name": "Nia",
            "password1": "a-long-passphrase-9",
            "password2": "a-long-passphrase-9",
        },
    )

    assert response["Location"] == reverse("home")
    enrollment = Enrollment.objects.get(cohort=cohort)
    assert enrollment.user.email == "new@example.org" and enrollment.user.name == "Nia"
    assert client.get(reverse("home")).context["user"] == enrollment.user


def test_a_weak_or_mismatched_password_is_refused_and_nothing_is_created(client, cohort):
    invitation = _invite(cohort)

    weak = client.post(_url(invitation), {"password1": "123", "password2": "123"})
    differ = client.post(_url(invitation), {"password1": "a-long-pass-1", "password2": "other-9"})

    assert weak.status_code == differ.status_code == 200
    assert "too short" in weak.content.decode()
    assert "The two passwords differ." in differ.content.decode()
    assert not Enrollment.objects.exists()


def test_an_invitee_with_an_account_is_asked_to_sign_in_and_then_joins(client, cohort):
    user = UserFactory(email="new@example.org")
    invitation = _invite(cohort)

    page = client.get(_url(invitation)).content.decode()
    assert "Sign in to join" in page and f"?next={_url(invitation).replace('/', '%2F')}" in page
    assert not Enrollment.objects.exists()

    client.login(email=user.email, password=PASSWORD)
    assert "Join Cohort A" in client.get(_url(invitation)).content.decode()
    response = client.post(_url(invitation))

    assert response["Location"] == reverse("home")
    assert Enrollment.objects.get(cohort=cohort).user == user


def test_a_link_used_once_cannot_be_used_again(client, cohort):
    invitation = _invite(cohort)
    services.invitation_accept(invitation=invitation, user=UserFactory(email="new@example.org"))

    response = client.get(_url(invitation))

    assert response.status_code == 410
    assert "already been used" in response.content.decode()


def test_an_expired_link_says_so_and_creates_nothing(client, cohort):
    invitation = _invite(cohort)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    get = client.get(_url(invitation))
    post = client.post(
        _url(invitation), {"password1": "a-long-pass-1", "password2": "a-long-pass-1"}
    )

    assert get.status_code == post.status_code == 410
    assert "expired" in get.content.decode()
    assert not Enrollment.objects.exists()


def test_someone_signed_in_as_another_person_cannot_take_the_invitation(client, cohort):
    invitation = _invite(cohort)
    client.force_login(UserFactory())

    response = client.post(_url(invitation))

    assert response.status_code == 403 and "Sign out" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_an_unknown_token_is_a_404(client):
    assert client.get("/invitations/not-a-token/").status_code == 404


def test_a_facilitator_invites_fellows_to_their_own_cohort_by_pasting_a_list(client, cohort):
    facilitator = facilitator_of(cohort)
    client.force_login(facilitator)
    url = reverse("cohort_invite", args=[cohort.pk])

    response = client.post(url, {"emails": "a@example.org\nb@example.org"}, follow=True)

    assert "Invitation sent to a@example.org." in response.content.decode()
    assert set(Invitation.objects.values_list("email", "role", "invited_by")) == {
        ("a@example.org", "fellow", facilitator.pk),
        ("b@example.org", "fellow", facilitator.pk),
    }
    assert "a@example.org" in client.get(url).content.decode()


def test_a_list_with_a_bad_line_shows_the_line_and_sends_nothing(client, cohort):
    client.force_login(facilitator_of(cohort))

    response = client.post(
        reverse("cohort_invite", args=[cohort.pk]), {"emails": "a@example.org\nnot-an-email"}
    )

    assert response.status_code == 200
    assert "Line 2: “not-an-email” is not an email address." in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_facilitator_can_upload_a_csv(client, cohort):
    client.force_login(facilitator_of(cohort))
    upload = SimpleUploadedFile("list.csv", b"email\nc@example.org\nd@example.org\n")

    client.post(reverse("cohort_invite", args=[cohort.pk]), {"file": upload})

    assert Invitation.objects.count() == 2


def test_a_binary_upload_is_refused_with_a_message(client, cohort):
    client.force_login(facilitator_of(cohort))
    upload = SimpleUploadedFile("list.xlsx", b"\xff\xfe\x00\x81binary")

    response = client.post(reverse("cohort_invite", args=[cohort.pk]), {"file": upload})

    assert "not a UTF-8 text or CSV file" in response.content.decode()
    assert not Invitation.objects.exists()


def test_fellows_other_cohorts_facilitators_and_anonymous_cannot_invite(client, cohort):
    url = reverse("cohort_invite", args=[cohort.pk])
    assert "/accounts/login/" in client.get(url)["Location"]

    client.force_login(fellow_in(cohort))
    assert client.post(url, {"emails": "x@example.org"}).status_code == 404
    other, _ = course_with_units(units=1, tiers={})
    client.force_login(facilitator_of(weekly_cohort(other)))
    assert client.get(url).status_code == 404
    assert not Invitation.objects.exists()


def test_staff_may_invite_and_choose_the_role(client, cohort, staff):
    client.force_login(staff)

    client.post(
        reverse("cohort_invite", args=[cohort.pk]),
        {"emails": "f@example.org", "role": Enrollment.Role.FACILITATOR},
    )

    assert Invitation.objects.get().role == Enrollment.Role.FACILITATOR


def test_a_facilitator_cannot_invite_a_facilitator(client, cohort):
    client.force_login(facilitator_of(cohort))

    client.post(
        reverse("cohort_invite", args=[cohort.pk]),
        {"emails": "f@example.org", "role": Enrollment.Role.FACILITATOR},
    )

    assert Invitation.objects.get().role == Enrollment.Role.FELLOW
