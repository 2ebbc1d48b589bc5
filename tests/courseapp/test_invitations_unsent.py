"""Invitation emails are recorded as sent; the periodic sweep queues again the ones whose task
was lost (broker down), and never one that was sent, used, expired or queued a moment ago."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from courseapp.cohorts import services
from courseapp.cohorts.tasks import invitation_send
from courseapp.models import Enrollment, Invitation
from tests.courseapp.weeks import course_with_units, weekly_cohort
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    course, _ = course_with_units(units=1, tiers={})
    return weekly_cohort(course)


def _invite(cohort, email: str) -> Invitation:
    result = services.invitation_create(
        cohort=cohort, email=email, role=Enrollment.Role.FELLOW, invited_by=None
    )
    return result.invitation


def test_the_task_records_when_the_email_went_out_and_never_sends_it_twice(cohort):
    invitation = _invite(cohort, "new@example.org")

    invitation_send(invitation.pk)
    invitation_send(invitation.pk)

    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_reinviting_sends_the_email_again(cohort):
    invitation = _invite(cohort, "new@example.org")
    invitation_send(invitation.pk)

    _invite(cohort, "new@example.org")
    invitation_send(invitation.pk)

    assert len(mail.outbox) == 2


def test_the_sweep_queues_only_unsent_usable_invitations_past_the_grace(
    cohort, django_capture_on_commit_callbacks
):
    lost = _invite(cohort, "lost@example.org")
    _invite(cohort, "fresh@example.org")
    sent = _invite(cohort, "sent@example.org")
    invitation_send(sent.pk)
    used = _invite(cohort, "used@example.org")
    services.invitation_accept(invitation=used, user=UserFactory(email="used@example.org"))
    expired = _invite(cohort, "expired@example.org")
    queued_long_ago = timezone.now() + services.INVITATION_LIFETIME - dt.timedelta(minutes=10)
    Invitation.objects.exclude(email="fresh@example.org").update(expires_at=queued_long_ago)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())

    with django_capture_on_commit_callbacks() as callbacks:
        queued = services.invitations_requeue_unsent()

    assert queued == [lost.pk]
    assert len(callbacks) == 1
