from datetime import datetime

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from courseapp.models import Cohort, Reminder
from courseapp.reminders.selectors import reminders_due_unrecorded
from courseapp.reminders.services import MERGED, reminders_sweep

# A recorded row still pending after the sweep waits for a worker to take its queued send.
STATUS_WORDS = {Reminder.Status.PENDING: "queued"}


class Command(BaseCommand):
    help = (
        "Run one reminders sweep now, as Celery beat does every 15 minutes: record what is due "
        "and queue the emails (sent at once when tasks run eagerly). With --dry-run, list what "
        "it would record and change nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be sent; change nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        if dry_run:
            self.dry_run(now=timezone.now())
        else:
            self.sweep(now=timezone.now())

    def dry_run(self, *, now: datetime) -> None:
        found = reminders_due_unrecorded(now=now)
        emails = {(d.recipient_id,) if d.kind in MERGED else d.key for d in found}
        self.stdout.write(
            f"Dry run, nothing recorded or sent. A sweep now would record "
            f"{plural(len(found), 'reminder')} in {plural(len(emails), 'email')}."
        )
        users = User.objects.in_bulk({d.recipient_id for d in found})
        cohorts = Cohort.objects.in_bulk({d.cohort_id for d in found})
        for d in sorted(found, key=lambda d: (users[d.recipient_id].email, d.kind, d.key)):
            self.line(users[d.recipient_id], Reminder.Kind(d.kind).label, cohorts[d.cohort_id])

    def sweep(self, *, now: datetime) -> None:
        last = Reminder.objects.aggregate(last=Max("pk"))["last"] or 0
        result = reminders_sweep(now=now)
        self.stdout.write(
            f"Recorded {plural(result.created, 'reminder')} and queued "
            f"{plural(result.queued, 'email')}; queued {plural(result.recovered, 'lost send')} "
            "again."
        )
        # The rows this sweep inserted: new ones carrying its timestamp (a facilitator's nudge
        # recorded meanwhile is not a sweep's).
        recorded = (
            Reminder.objects.filter(pk__gt=last, created_at=now)
            .exclude(kind=Reminder.Kind.NUDGE)
            .select_related("recipient", "cohort")
            .order_by("recipient__email", "kind", "pk")
        )
        for reminder in recorded:
            status = STATUS_WORDS.get(reminder.status, reminder.get_status_display().lower())
            self.line(reminder.recipient, reminder.get_kind_display(), reminder.cohort, status)

    def line(self, recipient: User, kind: str, cohort: Cohort, status: str = "") -> None:
        after = f": {status}" if status else ""
        self.stdout.write(f"  {recipient.name} <{recipient.email}>, {kind}, {cohort.name}{after}")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
