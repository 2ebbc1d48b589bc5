import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings

from courseapp.models import Reminder

from . import services

logger = logging.getLogger(__name__)


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


@shared_task(acks_late=True, ignore_result=True)
def reminders_send_batch_task(reminder_ids: list[int]) -> None:
    """Send a sweep's chunk of emails: one broker message per chunk instead of per email, which
    was most of a large sweep's time. Each send claims its rows as reminder_send_task does, so a
    redelivered chunk (worker died) sends nothing twice. A send that fails on SMTP moves to its
    own reminder_send_task, which retries it with backoff while the chunk carries on."""
    for pk in reminder_ids:
        reminder = Reminder.objects.filter(pk=pk).first()
        if reminder is None:
            continue
        try:
            services.reminder_send(reminder=reminder)
        except (SMTPException, OSError):
            logger.warning("Reminder %s failed in a batch; retrying it on its own", pk)
            reminder_send_task.apply_async(args=[pk], countdown=1)
