import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from courseapp.cohorts import services
from courseapp.cohorts.tasks import invitation_send
from courseapp.models import Enrollment, Invitation
from tests.courseapp.weeks import course_with_units, fellow_in, weekly_cohort
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    course, _ = course_with_units(units=1, tiers={}, title="Alignment Fundamentals")
    return weekly_cohort(course, name="Cohort A")


@pytest.fixture
def facilitator():
    return UserFactory(display_name="Fran Facilitator")


def _invite(cohort, email, by=None, role=Enrollment.Role.FELLOW):
    return services.invitation_create(cohort=cohort, email=email, role=role, invited_by=by)


def test_inviting_creates_a_pending_invitation_and_queues_the_email_after_commit(
    cohort, facilitator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        result = _invite(cohort, " New.Person@Example.org ", by=facilitator)

    assert result.outcome == services.InviteOutcome.SENT
    invitation = result.invitation
    assert (invitation.email, invitation.cohort, invitation.invited_by) == (
        "new.person@example.org",
        cohort,
        facilitator,
    )
    assert len(invitation.token) >= 40 and invitation.is_usable
    assert len(callbacks) == 1


def test_the_email_task_sends_an_absolute_single_use_link(cohort, facilitator, settings):
    settings.SITE_URL = "https://fellowship.example.org"
    invitation = _invite(cohort, "new@example.org", by=facilitator).invitation

    invitation_send(invitation.pk)

    [email] = mail.outbox
    link = f"https://fellowship.example.org/invitations/{invitation.token}/"
    assert email.to == ["new@example.org"]
    assert email.subject == "You're invited to Alignment Fundamentals (Cohort A)"
    assert link in email.body and "Fran Facilitator has invited you" in email.body
    assert f'href="{link}"' in email.alternatives[0].content


def test_the_email_task_sends_nothing_for_a_used_or_deleted_invitation(cohort):
    invitation = _invite(cohort, "new@example.org").invitation
    services.invitation_accept(invitation=invitation, user=UserFactory(email="new@example.org"))

    invitation_send(invitation.pk)
    invitation_send(987654)

    assert mail.outbox == []


def test_reinviting_an_enrolled_person_does_nothing_harmful(cohort):
    fellow = fellow_in(cohort, email="in@example.org")

    result = _invite(cohort, "IN@example.org")

    assert result.outcome == services.InviteOutcome.ALREADY_ENROLLED
    assert "already in this cohort" in result.message
    assert not Invitation.objects.exists()
    assert Enrollment.objects.filter(user=fellow).count() == 1


def test_reinviting_a_pending_invitee_resends_the_same_link_with_a_fresh_expiry(cohort):
    first = _invite(cohort, "new@example.org").invitation
    Invitation.objects.filter(pk=first.pk).update(expires_at=timezone.now() + dt.timedelta(hours=1))

    again = _invite(cohort, "new@example.org")

    assert again.outcome == services.InviteOutcome.RESENT
    assert again.invitation.token == first.token
    assert again.invitation.expires_at > timezone.now() + dt.timedelta(days=13)
    assert Invitation.objects.count() == 1


def test_accepting_enrols_with_the_invited_role_once_and_verifies_the_email(cohort):
    invitation = _invite(cohort, "fac@example.org", role=Enrollment.Role.FACILITATOR).invitation
    user = UserFactory(email="fac@example.org", verified=False)

    enrollment = services.invitation_accept(invitation=invitation, user=user)

    assert (enrollment.cohort, enrollment.role) == (cohort, Enrollment.Role.FACILITATOR)
    assert EmailAddress.objects.get(user=user).verified
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    with pytest.raises(services.InvitationUnusable, match="already been used"):
        services.invitation_accept(invitation=invitation, user=user)
    assert Enrollment.objects.filter(user=user).count() == 1


def test_an_expired_invitation_cannot_be_accepted(cohort):
    invitation = _invite(cohort, "late@example.org").invitation
    user = UserFactory(email="late@example.org")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())

    with pytest.raises(services.InvitationUnusable, match="expired"):
        services.invitation_accept(invitation=invitation, user=user)
    assert not Enrollment.objects.filter(user=user).exists()


def test_an_invitation_cannot_be_accepted_by_someone_else(cohort):
    invitation = _invite(cohort, "meant@example.org").invitation

    with pytest.raises(services.InvitationUnusable, match="meant@example.org"):
        services.invitation_accept(invitation=invitation, user=UserFactory())


def test_a_new_invitee_gets_an_account_with_a_verified_email(cohort):
    invitation = _invite(cohort, "fresh@example.org").invitation

    user, enrollment = services.invitation_accept_new_user(
        invitation=invitation, password="a-long-passphrase-9", display_name="Fresh Fellow"
    )

    assert user.check_password("a-long-passphrase-9") and user.name == "Fresh Fellow"
    assert EmailAddress.objects.get(user=user, email="fresh@example.org").verified
    assert enrollment.cohort == cohort


@pytest.mark.parametrize(
    "text",
    [
        "a@example.org\nb@example.org\n\n",
        "a@example.org, b@example.org",
        "a@example.org;b@example.org\na@example.org",
        "\ufeffa@example.org\r\nB@example.org\r\n",
        'Email\n"a@example.org"\n"b@example.org"\n',
    ],
)
def test_a_list_is_parsed_by_lines_and_commas_without_duplicates(text):
    assert services.invitation_emails_parse(text) == ["a@example.org", "b@example.org"]


def test_a_bulk_invite_with_a_bad_line_names_it_and_creates_nothing(cohort):
    text = "good@example.org\nnot an email\nalso@example.org, nope@\n"

    with pytest.raises(ValidationError) as error:
        services.invitation_bulk_create(cohort=cohort, text=text, role="fellow", invited_by=None)

    assert error.value.messages == [
        "Line 2: “not an email” is not an email address.",
        "Line 3: “nope@” is not an email address.",
    ]
    assert not Invitation.objects.exists()


def test_a_bulk_invite_reports_each_person(cohort):
    fellow_in(cohort, email="in@example.org")

    results = services.invitation_bulk_create(
        cohort=cohort, text="in@example.org\nnew@example.org", role="fellow", invited_by=None
    )

    assert [r.outcome for r in results] == ["already_enrolled", "sent"]
    assert list(Invitation.objects.values_list("email", flat=True)) == ["new@example.org"]


def test_someone_who_dropped_out_can_be_invited_back_and_rejoins(cohort):
    user = UserFactory(email="back@example.org")
    Enrollment.objects.create(cohort=cohort, user=user, status=Enrollment.Status.DROPPED)

    result = _invite(cohort, "back@example.org")
    services.invitation_accept(invitation=result.invitation, user=user)

    assert result.outcome == services.InviteOutcome.SENT
    assert Enrollment.objects.get(user=user).status == Enrollment.Status.ACTIVE
