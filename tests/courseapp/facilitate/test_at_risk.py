"""At-risk rules, at the edges of the schedule and across time zones and DST changes."""

import datetime as dt

import pytest
import time_machine

from courseapp.facilitate.selectors import cohort_dashboard
from courseapp.models import Cohort, Enrollment
from tests.factories import CohortFactory

from .conftest import at, enrol, read, take_quiz

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _reasons(cohort, user, now):
    dashboard = cohort_dashboard(cohort=cohort, now=now)
    return next(r for r in dashboard.rows if r.user.pk == user.pk).at_risk_reasons


def _core_reason(reasons):
    return [r for r in reasons if "core readings unfinished" in r]


def test_it_flags_unfinished_core_readings_from_exactly_48_hours_before_the_session(
    cohort, course, sessions
):
    ada = enrol(cohort, "Ada")
    read(ada, course.units[1], 3, at(2026, 3, 3, 9))
    session = sessions[1]  # Monday 9 March 18:00 UTC
    assert session.starts_at == at(2026, 3, 9, 18)

    just_outside = session.starts_at - dt.timedelta(hours=48, seconds=1)
    on_the_edge = session.starts_at - dt.timedelta(hours=48)

    assert _core_reason(_reasons(cohort, ada, just_outside)) == []
    assert _core_reason(_reasons(cohort, ada, on_the_edge)) == [
        "Week 2 core readings unfinished (3 of 4 read) with the session less than 48 hours away"
    ]


def test_it_does_not_flag_core_readings_once_all_are_read(cohort, course, sessions):
    ada = enrol(cohort, "Ada")
    read(ada, course.units[1], 4, at(2026, 3, 3, 9))
    assert _core_reason(_reasons(cohort, ada, at(2026, 3, 9, 12))) == []


def test_the_48_hours_are_real_hours_across_a_clock_change(course):
    # Sessions on Mondays 16, 23 and 30 March 2026 at 18:00 London time. The clocks go forward
    # on 29 March, so the third session is at 17:00 UTC and its window opens at 17:00 UTC on
    # the 28th (wall-clock arithmetic would say 18:00).
    cohort = CohortFactory(
        course=course.course,
        timezone="Europe/London",
        start_date=dt.date(2026, 3, 16),
        session_time=dt.time(18, 0),
    )
    ada = enrol(cohort, "Ada")
    assert cohort.sessions.get(unit=course.units[2]).starts_at == at(2026, 3, 30, 17)

    assert _core_reason(_reasons(cohort, ada, at(2026, 3, 28, 16, 59))) == []
    assert _core_reason(_reasons(cohort, ada, at(2026, 3, 28, 17, 0))) != []


def test_it_uses_the_cohort_time_zone_for_the_session_time(course):
    # 18:00 in New York on Monday 9 March 2026 (EDT since the 8th) is 22:00 UTC.
    cohort = CohortFactory(
        course=course.course,
        timezone="America/New_York",
        start_date=dt.date(2026, 3, 2),
        session_time=dt.time(18, 0),
    )
    ada = enrol(cohort, "Ada")
    assert _core_reason(_reasons(cohort, ada, at(2026, 3, 7, 21, 59))) == []
    assert _core_reason(_reasons(cohort, ada, at(2026, 3, 7, 22, 0))) != []


def test_the_window_follows_the_setting(cohort, course, sessions, settings):
    settings.AT_RISK_CORE_HOURS_BEFORE_SESSION = 24
    ada = enrol(cohort, "Ada")
    assert _core_reason(_reasons(cohort, ada, at(2026, 3, 8, 17, 59))) == []
    assert _core_reason(_reasons(cohort, ada, at(2026, 3, 8, 18, 0))) == [
        "Week 2 core readings unfinished (0 of 4 read) with the session less than 24 hours away"
    ]


def test_it_flags_a_quiz_not_attempted_only_after_its_session(cohort, course, sessions):
    ada = enrol(cohort, "Ada")
    ben = enrol(cohort, "Ben")
    take_quiz(course, ben, [True, True], at(2026, 3, 1, 12))
    before, after = at(2026, 3, 2, 17, 59), at(2026, 3, 2, 18, 0)

    assert "Week 1 quiz not attempted after the session" not in _reasons(cohort, ada, before)
    assert "Week 1 quiz not attempted after the session" in _reasons(cohort, ada, after)
    assert "Week 1 quiz not attempted after the session" not in _reasons(cohort, ben, after)


def test_it_flags_no_activity_for_seven_days(cohort, course, sessions):
    ada = enrol(cohort, "Ada")
    read(ada, course.units[0], 1, at(2026, 3, 1, 10), tier=3)  # a further reading counts too

    assert "No activity for 6 days" not in _reasons(cohort, ada, at(2026, 3, 8, 9, 59))
    assert "No activity for 7 days" in _reasons(cohort, ada, at(2026, 3, 8, 10, 0))


def test_a_fellow_without_any_activity_is_counted_from_when_they_could_start(
    cohort, course, sessions
):
    with time_machine.travel(at(2026, 3, 4, 12), tick=False):
        late = enrol(cohort, "Late joiner")  # joined after unit 1 opened (23 February)
    with time_machine.travel(at(2026, 2, 1, 12), tick=False):
        early = enrol(cohort, "Early")  # joined before: counted from 23 February 18:00

    def idle(user, now):
        return [r for r in _reasons(cohort, user, now) if "activity" in r]

    assert idle(late, at(2026, 3, 11, 11, 59)) == []
    assert idle(late, at(2026, 3, 11, 12)) == ["No activity yet, 7 days since they could start"]
    assert idle(early, at(2026, 3, 2, 17, 59)) == []
    assert idle(early, at(2026, 3, 2, 18)) == ["No activity yet, 7 days since they could start"]


def test_it_flags_low_mastery_naming_the_objective(cohort, course, sessions):
    ada = enrol(cohort, "Ada")
    take_quiz(course, ada, [True, True], at(2026, 3, 1, 9))
    take_quiz(course, ada, [True, False], at(2026, 3, 1, 10))  # the latest attempt counts

    assert "Mastery below 50% on week 1 objective 2 (0 of 1 right)" in _reasons(
        cohort, ada, at(2026, 3, 1, 12)
    )


def test_mastery_exactly_at_the_threshold_is_not_low(cohort, course, sessions, settings):
    settings.AT_RISK_LOW_MASTERY = 0.0
    ada = enrol(cohort, "Ada")
    take_quiz(course, ada, [False, False], at(2026, 3, 1, 9))
    assert not [r for r in _reasons(cohort, ada, at(2026, 3, 1, 12)) if "Mastery" in r]


def test_deferred_and_dropped_fellows_are_listed_apart_and_never_flagged(cohort, course, sessions):
    enrol(cohort, "Ada")
    enrol(cohort, "Dee", status=Enrollment.Status.DEFERRED)
    enrol(cohort, "Drew", status=Enrollment.Status.DROPPED)
    dashboard = cohort_dashboard(cohort=cohort, now=at(2026, 3, 20, 12))

    assert [r.user.name for r in dashboard.rows] == ["Ada"]
    assert dashboard.rows[0].is_at_risk
    assert sorted(r.user.name for r in dashboard.others) == ["Dee", "Drew"]
    assert all(r.at_risk_reasons == [] for r in dashboard.others)


def test_a_self_paced_cohort_still_flags_against_its_sessions(course):
    cohort = CohortFactory(
        course=course.course,
        pacing=Cohort.Pacing.SELF_PACED,
        start_date=dt.date(2026, 3, 2),
        session_time=dt.time(18, 0),
    )
    ada = enrol(cohort, "Ada")
    reasons = _reasons(cohort, ada, at(2026, 3, 1, 12))
    assert _core_reason(reasons) == [
        "Week 1 core readings unfinished (0 of 4 read) with the session less than 48 hours away"
    ]
