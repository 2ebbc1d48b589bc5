import os

from celery import Celery
from celery.signals import beat_embedded_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courseapp.settings")

app = Celery("courseapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_embedded_init.connect
def sweep_when_embedded_beat_starts(sender, **kwargs) -> None:
    # Beat first sends an interval entry a whole interval after it starts (django-celery-beat
    # counts from when the entry was saved), so `make run`'s worker, which runs beat inside it
    # (`worker -B`), would send no reminder for 15 minutes. It queues one sweep as its beat
    # starts instead. A stand-alone beat (docker compose) does not: it keeps its schedule.
    app.send_task("courseapp.reminders.tasks.reminders_sweep_task")
