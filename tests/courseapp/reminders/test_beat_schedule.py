"""Beat runs the sweep every 15 minutes, from a schedule kept in the database (editable in the
admin), and the task it names is one the worker knows."""

import pytest
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from courseapp.celery import app

pytestmark = pytest.mark.django_db


# The scheduler closes stale database connections as it starts, which a test transaction
# would not survive.
@pytest.mark.django_db(transaction=True)
def test_beat_copies_the_15_minute_sweep_into_the_database_schedule():
    DatabaseScheduler(app=app, lazy=False)

    entry = PeriodicTask.objects.get(name="reminders-sweep")
    assert entry.task == "courseapp.reminders.tasks.reminders_sweep_task"
    assert (entry.interval.every, entry.interval.period) == (900, "seconds")
    assert entry.enabled


def test_the_worker_knows_the_reminder_tasks():
    app.loader.import_default_modules()

    assert "courseapp.reminders.tasks.reminders_sweep_task" in app.tasks
    assert "courseapp.reminders.tasks.reminder_send_task" in app.tasks
