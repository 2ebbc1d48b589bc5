"""Time one reminder sweep over the database in DATABASE_URL (made by `python -m bench.data`),
with its queries counted. Run by the driver as `python -m bench.sweep`; prints one JSON line.

The sweep runs at 11:00 UTC the day before the cohorts' next session (the dataset puts every
cohort's sessions on the same weekday at 17:00), so every fellow is inside the daytime window and
inside the 48-hour before-session lead: the worst case, where everyone is looked at.
"""

import json
import os
import time
from datetime import timedelta

import django


def _sweep_moment():
    from django.utils import timezone

    from courseapp.models import Session

    upcoming = Session.objects.filter(starts_at__gt=timezone.now()).order_by("starts_at").first()
    return upcoming.starts_at - timedelta(hours=30)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courseapp.settings")
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from courseapp.models import Enrollment, Reminder
    from courseapp.reminders.services import reminders_sweep

    now = _sweep_moment()
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        result = reminders_sweep(now=now)
        seconds = time.monotonic() - started
    report = {
        "enrolments": Enrollment.objects.count(),
        "seconds": round(seconds, 2),
        "queries": len(queries),
        "batches": result.batches,
        "created": result.created,
        "queued": result.queued,
        "reminders": Reminder.objects.count(),
    }
    print("BENCH_JSON " + json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
