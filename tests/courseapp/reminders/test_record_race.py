"""Why PostgreSQL records a batch with INSERT ... RETURNING and not bulk_create and a select: a
sweep must name only the rows it inserted, even when another sweep records the same keys at
the same moment (two beat processes, or a frozen clock). The select can only find rows by
their time, so it would also name the other sweep's rows; RETURNING names exactly its own."""

import threading

import pytest
from django.db import connection, transaction

from courseapp.models import Reminder
from courseapp.reminders import services
from tests.courseapp.weeks import fellow_in

from .test_record import NOW, _due

# PostgreSQL only (not marked `embedded`): the race needs two connections at once.
pytestmark = pytest.mark.django_db(transaction=True)


def _race(first, second) -> None:
    """Run `first` in a transaction held open until `second` has started behind it."""
    recorded = threading.Event()

    def hold():
        try:
            with transaction.atomic():
                first()
                recorded.set()
                threading.Event().wait(1)  # `second` is now waiting on these keys
        finally:
            recorded.set()
            connection.close()

    def follow():
        try:
            recorded.wait()
            with transaction.atomic():
                second()
        finally:
            connection.close()

    threads = [threading.Thread(target=hold), threading.Thread(target=follow)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)


def test_a_sweep_names_none_of_the_rows_a_racing_sweep_recorded_at_the_same_moment(cohort):
    found = [_due(fellow_in(cohort), cohort, n) for n in range(5)]
    returned: dict[str, list] = {}

    _race(
        lambda: returned.setdefault("first", services._record(found, now=NOW)),
        lambda: returned.setdefault("second", services._record(found, now=NOW)),
    )

    assert sorted(returned["first"]) == sorted(
        Reminder.objects.values_list("pk", "recipient_id", "kind")
    )
    assert len(returned["first"]) == 5
    assert returned["second"] == []
