"""Reads about reminders that span the due rules and the recorded rows."""

from datetime import datetime

from courseapp.models import Reminder

from . import due


def reminders_due_unrecorded(*, now: datetime) -> list[due.Due]:
    """What a sweep at `now` would record: every reminder due now (in the recipient's daytime)
    that no sweep has recorded yet. Reads only, a batch of enrolments at a time."""
    plan = due.sweep_plan(now=now)
    found: list[due.Due] = []
    for batch in due.enrollment_batches(cohort_ids=plan.cohort_ids):
        batch_due = due.due_in_batch(plan=plan, batch=batch)
        keys = [d.key for d in batch_due]
        recorded = set(Reminder.objects.filter(key__in=keys).values_list("key", flat=True))
        found += [d for d in batch_due if d.key not in recorded]
    return found
