from smtplib import SMTPException

from celery import shared_task

from . import services
from .models import Invitation


@shared_task(bind=True, ignore_result=True)
def worker_heartbeat(self) -> None:
    services.worker_heartbeat_record(hostname=self.request.hostname or "eager")


@shared_task(acks_late=True, autoretry_for=(SMTPException, OSError), retry_backoff=True)
def invitation_send(invitation_id: int) -> None:
    invitation = (
        Invitation.objects.select_related("cohort__course").filter(pk=invitation_id).first()
    )
    # Gone (cohort deleted) or already used by the time the worker runs: nothing to send.
    if invitation is None or invitation.accepted_at is not None:
        return
    services.invitation_send_email(invitation=invitation)


# Celery's autodiscovery imports only <app>.tasks; this brings in the reminder tasks.
from .reminders import tasks as reminder_tasks  # noqa: E402, F401
