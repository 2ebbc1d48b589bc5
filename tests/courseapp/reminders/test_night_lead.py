"""A before-session reminder whose whole lead falls outside the fellow's 09:00-18:00 goes out in
the last daytime hour before the session (or from the window's opening, when the session is
later that same day), never at night, and once."""

import datetime as dt

import pytest

from courseapp.models import Reminder
from tests.courseapp.weeks import fellow_in

from .conftest import at, cohort_on
from .helpers import kinds_for, sweep

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
BEFORE = Reminder.Kind.BEFORE_SESSION
EST = dt.timezone(dt.timedelta(hours=-5))  # New York before its clocks change on 9 March


def _sweeps(clock, fellow, moments) -> list[int]:
    """How many reminders the fellow has after each sweep."""
    counts = []
    for moment in moments:
        sweep(clock, moment)
        counts.append(len(kinds_for(fellow)))
    return counts


def test_an_early_morning_session_is_announced_the_evening_before_and_once(clock):
    # Thursday 6 March 2025 at 07:30 in New York (12:30 UTC), a 6-hour lead: 01:30 to 07:30.
    cohort = cohort_on(dt.date(2025, 3, 6), tz="America/New_York", session_time=dt.time(7, 30))
    cohort.reminder_lead_hours = 6
    cohort.save()
    fellow = fellow_in(cohort)
    session = cohort.sessions.order_by("starts_at").first()
    assert session.starts_at == at(2025, 3, 6, 12, 30)

    counts = _sweeps(
        clock,
        fellow,
        [
            at(2025, 3, 5, 10, tz=EST),  # the day before, too early
            at(2025, 3, 5, 16, 45, tz=EST),
            at(2025, 3, 5, 17, 15, tz=EST),  # the last daytime hour before the session
            at(2025, 3, 5, 17, 45, tz=EST),
            at(2025, 3, 5, 18, 15, tz=EST),  # night
            at(2025, 3, 6, 2, tz=EST),
            at(2025, 3, 6, 7, 15, tz=EST),
        ],
    )

    assert counts == [0, 0, 1, 1, 1, 1, 1]
    reminder = Reminder.objects.get(recipient=fellow)
    assert (reminder.kind, reminder.session) == (BEFORE, session)
    assert reminder.created_at == at(2025, 3, 5, 17, 15, tz=EST)


def test_nothing_is_recorded_at_night_when_the_evening_was_missed(clock):
    cohort = cohort_on(dt.date(2025, 3, 6), session_time=dt.time(7, 30))
    cohort.reminder_lead_hours = 6
    cohort.save()
    fellow = fellow_in(cohort)

    counts = _sweeps(
        clock,
        fellow,
        [at(2025, 3, 5, 18), at(2025, 3, 5, 23), at(2025, 3, 6, 3), at(2025, 3, 6, 7)],
    )

    assert counts == [0, 0, 0, 0]


def test_an_evening_session_is_announced_from_when_the_window_opens_that_day(clock):
    # 20:00 UTC with a 1-hour lead (19:00 to 20:00): after the window closes at 18:00.
    cohort = cohort_on(dt.date(2025, 3, 6), session_time=dt.time(20, 0))
    cohort.reminder_lead_hours = 1
    cohort.save()
    fellow = fellow_in(cohort)

    counts = _sweeps(
        clock,
        fellow,
        [
            at(2025, 3, 5, 17, 30),  # the evening before: too early
            at(2025, 3, 6, 3),  # night
            at(2025, 3, 6, 8, 45),
            at(2025, 3, 6, 9),  # the window opens on the session's day
            at(2025, 3, 6, 17, 45),
            at(2025, 3, 6, 19, 30),  # inside the lead, but night
        ],
    )

    assert counts == [0, 0, 0, 1, 1, 1]


def test_a_lead_that_reaches_into_the_daytime_is_unchanged(clock):
    # 07:30 with a 15-hour lead (16:30 to 07:30) reaches the daytime: due from 16:30, as ever.
    cohort = cohort_on(dt.date(2025, 3, 6), session_time=dt.time(7, 30))
    cohort.reminder_lead_hours = 15
    cohort.save()
    fellow = fellow_in(cohort)

    assert _sweeps(clock, fellow, [at(2025, 3, 5, 16, 15), at(2025, 3, 5, 16, 30)]) == [0, 1]
