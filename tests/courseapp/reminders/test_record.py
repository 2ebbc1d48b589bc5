"""How a sweep records a batch: one INSERT ... ON CONFLICT DO NOTHING RETURNING on PostgreSQL
(the rows sent as one JSON document), bulk_create and a select on SQLite. Both must insert the
same rows and name exactly the ones they inserted, never those another sweep recorded first."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courseapp.models import Reminder
from courseapp.reminders import services
from courseapp.reminders.due import Due
from tests.courseapp.weeks import fellow_in

from .conftest import at
from .helpers import sweep

# The INSERT ... RETURNING path is PostgreSQL's: only the portable path and the sweep run again
# on the embedded default (SQLite).
pytestmark = pytest.mark.django_db
NOW = at(2025, 3, 5, 10)
PATHS = [
    pytest.param(services._insert_returning, id="postgres"),
    pytest.param(services._insert_then_select, id="portable", marks=pytest.mark.embedded),
]
AWKWARD = "Quotes \" and ' and \\ backslashes, a tab\t, a newline\n, {braces}, [1,2], ünï©ødé ✓"


def _due(fellow, cohort, n: int, **payload) -> Due:
    session = cohort.sessions.order_by("starts_at").first()
    key = f"{fellow.pk}:before_session:{cohort.pk}:{session.pk}:test-{n}"
    body = {"n": n, "readings": [{"id": n, "title": f"Reading {n}", "minutes": 10}], **payload}
    return Due(fellow.pk, Reminder.Kind.BEFORE_SESSION, cohort.pk, session.pk, key, body)


def _earlier(found: Due) -> Reminder:
    return Reminder.objects.create(
        recipient_id=found.recipient_id,
        kind=found.kind,
        cohort_id=found.cohort_id,
        key=found.key,
        payload={"earlier": True},
        status=Reminder.Status.SENT,
        created_at=NOW - dt.timedelta(days=1),
    )


@pytest.mark.parametrize("insert", PATHS)
def test_it_inserts_each_new_row_as_pending_with_its_payload(cohort, fellow, insert):
    found = [_due(fellow, cohort, 1, title=AWKWARD), _due(fellow, cohort, 2)]

    returned = insert(found, now=NOW)

    rows = list(Reminder.objects.order_by("key"))
    assert sorted(returned) == sorted((r.pk, r.recipient_id, r.kind) for r in rows)
    assert [(r.key, r.payload, r.session_id) for r in rows] == [
        (d.key, d.payload, d.session_id) for d in found
    ]
    assert rows[0].payload["title"] == AWKWARD
    for row in rows:
        assert (row.status, row.attempts, row.last_error) == ("pending", 0, "")
        assert (row.send_after, row.created_at) == (NOW, NOW)
        assert (row.sender_id, row.claimed_at, row.sent_at) == (None, None, None)


@pytest.mark.parametrize("insert", PATHS)
def test_it_returns_only_the_rows_it_inserted_and_leaves_earlier_ones_alone(cohort, fellow, insert):
    found = [_due(fellow, cohort, n) for n in range(5)]
    earlier = [_earlier(found[1]), _earlier(found[3])]

    returned = insert(found, now=NOW)

    new = Reminder.objects.exclude(pk__in=[r.pk for r in earlier])
    assert sorted(returned) == sorted(new.values_list("pk", "recipient_id", "kind"))
    assert sorted(new.values_list("key", flat=True)) == [found[n].key for n in (0, 2, 4)]
    for row in earlier:
        row.refresh_from_db()
        assert (row.status, row.payload) == ("sent", {"earlier": True})


@pytest.mark.parametrize("insert", PATHS)
def test_a_key_found_twice_in_one_batch_is_recorded_once(cohort, fellow, insert):
    found = _due(fellow, cohort, 1)

    returned = insert([found, found], now=NOW)

    assert len(returned) == Reminder.objects.count() == 1


def test_on_postgresql_a_batch_is_recorded_in_one_query(cohort, fellow):
    found = [_due(fellow, cohort, n) for n in range(50)]

    with CaptureQueriesContext(connection) as queries:
        returned = services._record(found, now=NOW)

    assert (len(queries), len(returned)) == (1, 50)


@pytest.mark.embedded
def test_a_second_sweep_records_and_queues_only_what_the_first_one_lost(clock, cohort, monkeypatch):
    fellows = [fellow_in(cohort) for _ in range(12)]
    sweep(clock, at(2025, 3, 5, 10))
    lost = fellows[::3]
    Reminder.objects.filter(recipient__in=lost).delete()
    Reminder.objects.update(status=Reminder.Status.SENT)  # else the recovery re-queues them
    queued: list[int] = []
    enqueue = services._enqueue
    monkeypatch.setattr(services, "_enqueue", lambda ids: (queued.extend(ids), enqueue(ids)))

    again = sweep(clock, at(2025, 3, 5, 10, 15))

    new = Reminder.objects.filter(created_at=at(2025, 3, 5, 10, 15))
    assert (again.created, again.queued) == (len(lost), len(lost))
    assert sorted(queued) == sorted(new.values_list("pk", flat=True))
    assert sorted(new.values_list("recipient_id", flat=True)) == sorted(f.pk for f in lost)
    assert Reminder.objects.count() == len(fellows)
