import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from courseapp.cohorts import services
from courseapp.models import Session
from courseapp.week import selectors
from tests.courseapp.weeks import course_with_units, fellow_in
from tests.factories import CohortFactory, UnitFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def _local_starts(cohort, zone):
    return [s.starts_at.astimezone(zone) for s in cohort.sessions.order_by("starts_at")]


def test_it_schedules_one_session_per_unit_weekly_in_position_order_when_a_cohort_is_created():
    course, units = course_with_units(units=3, tiers={})
    units[0].position = 9
    units[0].save()
    cohort = CohortFactory(
        course=course, timezone="UTC", start_date=dt.date(2026, 5, 4), session_time=dt.time(17)
    )

    sessions = list(cohort.sessions.order_by("starts_at"))

    assert [s.unit for s in sessions] == [units[1], units[2], units[0]]
    assert [s.starts_at for s in sessions] == [
        dt.datetime(2026, 5, d, 17, tzinfo=dt.UTC) for d in (4, 11, 18)
    ]


def test_it_keeps_the_london_wall_clock_time_across_the_spring_dst_change():
    course, _ = course_with_units(units=3, tiers={})
    # British Summer Time starts on Sunday 29 March 2026.
    cohort = CohortFactory(
        course=course,
        timezone="Europe/London",
        start_date=dt.date(2026, 3, 22),
        session_time=dt.time(18),
    )

    local = _local_starts(cohort, LONDON)
    utc = [s.starts_at.astimezone(dt.UTC) for s in cohort.sessions.order_by("starts_at")]

    assert [t.time() for t in local] == [dt.time(18)] * 3
    assert [t.hour for t in utc] == [18, 17, 17]


def test_it_keeps_the_new_york_wall_clock_time_across_the_autumn_dst_change():
    course, _ = course_with_units(units=2, tiers={})
    # US daylight saving ends on Sunday 1 November 2026.
    cohort = CohortFactory(
        course=course,
        timezone="America/New_York",
        start_date=dt.date(2026, 10, 28),
        session_time=dt.time(17),
    )

    local = _local_starts(cohort, NEW_YORK)
    utc = [s.starts_at.astimezone(dt.UTC) for s in cohort.sessions.order_by("starts_at")]

    assert [t.time() for t in local] == [dt.time(17)] * 2
    assert [t.hour for t in utc] == [21, 22]


def test_a_unit_added_later_takes_the_week_after_the_last_session_and_nothing_moves():
    course, units = course_with_units(units=2, tiers={})
    cohort = CohortFactory(
        course=course, timezone="UTC", start_date=dt.date(2026, 5, 4), session_time=dt.time(17)
    )
    moved = cohort.sessions.get(unit=units[1])
    moved.starts_at = dt.datetime(2026, 5, 12, 19, tzinfo=dt.UTC)
    moved.save()

    added = UnitFactory(course=course, week=3, position=0)

    assert cohort.sessions.get(unit=units[0]).starts_at == dt.datetime(
        2026, 5, 4, 17, tzinfo=dt.UTC
    )
    assert cohort.sessions.get(unit=units[1]).starts_at == dt.datetime(
        2026, 5, 12, 19, tzinfo=dt.UTC
    )
    assert cohort.sessions.get(unit=added).starts_at == dt.datetime(2026, 5, 18, 17, tzinfo=dt.UTC)


def test_scheduling_again_changes_nothing_and_skips_unpublished_and_archived_units():
    course, units = course_with_units(units=1, tiers={})
    UnitFactory(course=course, week=2, published=False)
    UnitFactory(course=course, week=3, archived_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    cohort = CohortFactory(course=course, start_date=dt.date(2026, 5, 4))

    assert services.cohort_schedule_sessions(cohort=cohort) == []
    assert [s.unit for s in cohort.sessions.all()] == units


def test_publishing_a_unit_later_schedules_it():
    course, _ = course_with_units(units=1, tiers={})
    cohort = CohortFactory(course=course, start_date=dt.date(2026, 5, 4))
    draft = UnitFactory(course=course, week=2, published=False)
    assert cohort.sessions.count() == 1

    draft.published = True
    draft.save()

    assert cohort.sessions.get(unit=draft).starts_at.date() == dt.date(2026, 5, 11)


def test_changing_the_release_lead_recomputes_when_every_unit_opens():
    course, _ = course_with_units(units=2, tiers={})
    cohort = CohortFactory(course=course, start_date=dt.date(2026, 5, 4), session_time=dt.time(17))

    cohort.release_lead_hours = 48
    cohort.save()

    for session in Session.objects.filter(cohort=cohort):
        assert session.opens_at == session.starts_at - dt.timedelta(hours=48)


def test_a_unit_opens_exactly_its_lead_before_the_session_in_real_time_across_dst():
    course, units = course_with_units(units=2, tiers={})
    cohort = CohortFactory(
        course=course,
        timezone="Europe/London",
        start_date=dt.date(2026, 3, 22),
        session_time=dt.time(18),
    )
    fellow = fellow_in(cohort)
    # Session 2 is 29 March 18:00 BST = 17:00 UTC; a 168-hour lead opens it at 17:00 UTC on 22 March
    # (17:00 in London, the clocks not having changed yet).
    opens = dt.datetime(2026, 3, 22, 17, tzinfo=dt.UTC)
    assert cohort.sessions.get(unit=units[1]).opens_at == opens

    with time_machine.travel(opens - dt.timedelta(seconds=1), tick=False):
        assert list(selectors.units_open_to(user=fellow)) == [units[0]]
    with time_machine.travel(opens, tick=False):
        assert list(selectors.units_open_to(user=fellow)) == units
