from smtplib import SMTPException

from celery import shared_task
from django.conf import settings

from courseapp.models import Reminder

from . import services


@shared_task(ignore_result=True)
def reminders_sweep_task() -> None:
    services.reminders_sweep()


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=settings.REMINDER_MAX_RETRIES,
)
def reminder_send_task(self, reminder_id: int) -> None:
    reminder = Reminder.objects.filter(pk=reminder_id).first()
    if reminder is None:
        return
    services.reminder_send(
        reminder=reminder, final_attempt=self.request.retries >= self.max_retries
    )
