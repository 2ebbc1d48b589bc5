"""The demo shows reminders working: whatever the hour `make run` first loads it, the first
sweep records at least one reminder (a demo fellow in daytime, a session within the lead time,
core readings unread)."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from courseapp.demo.accounts import TRAVELLER
from courseapp.models import Reminder
from courseapp.reminders.selectors import reminders_due_unrecorded
from courseapp.reminders.services import reminders_sweep

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
UTC = dt.UTC
MOMENTS = [
    dt.datetime(2025, 1, 15, 0, 30, tzinfo=UTC),
    dt.datetime(2025, 1, 15, 6, 0, tzinfo=UTC),
    dt.datetime(2025, 1, 15, 12, 15, tzinfo=UTC),
    dt.datetime(2025, 1, 15, 18, 45, tzinfo=UTC),
    dt.datetime(2025, 7, 15, 3, 10, tzinfo=UTC),
    dt.datetime(2025, 7, 15, 9, 30, tzinfo=UTC),
    dt.datetime(2025, 7, 15, 15, 0, tzinfo=UTC),
    dt.datetime(2025, 7, 15, 21, 20, tzinfo=UTC),
    dt.datetime(2025, 7, 15, 23, 50, tzinfo=UTC),
]


def _seed() -> None:
    call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.strftime("%b-%H%M"))
def test_the_first_sweep_after_seeding_records_a_reminder_for_the_travelling_fellow(
    time_machine, moment
):
    time_machine.move_to(moment, tick=False)
    _seed()
    traveller = User.objects.get(email=TRAVELLER)
    assert 9 <= timezone.now().astimezone(ZoneInfo(traveller.timezone)).hour < 18

    due = reminders_due_unrecorded(now=timezone.now())
    result = reminders_sweep()

    assert TRAVELLER in {User.objects.get(pk=d.recipient_id).email for d in due}
    assert result.created == len(due) >= 1
    assert Reminder.objects.filter(
        recipient=traveller, kind=Reminder.Kind.BEFORE_SESSION, cohort__name="Cohort A"
    ).exists()


def test_seeding_again_later_keeps_the_travellers_time_zone(time_machine):
    time_machine.move_to(MOMENTS[0], tick=False)
    _seed()
    zone = User.objects.get(email=TRAVELLER).timezone
    time_machine.move_to(MOMENTS[2], tick=False)

    _seed()

    assert User.objects.get(email=TRAVELLER).timezone == zone != ""
