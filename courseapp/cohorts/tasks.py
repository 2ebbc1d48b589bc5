from smtplib import SMTPException

from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(SMTPException, OSError), retry_backoff=True)
def invitation_send(invitation_id: int) -> None:
    # Gone (cohort deleted), used or already sent by the time the worker runs: nothing to send.
    services.invitation_deliver(invitation_id=invitation_id)


@shared_task(ignore_result=True)
def invitations_send_unsent() -> None:
    services.invitations_requeue_unsent()
