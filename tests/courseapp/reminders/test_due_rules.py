"""What the sweep records, when: before-session, quiz, inactivity and digest rules, across
timezones and DST, with the daytime window and the exclusions."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress

from accounts.models import NotificationPreferences
from courseapp.models import Enrollment, Reading, ReadingProgress, Reminder, Session
from quizzes.models import Attempt
from tests.courseapp.weeks import facilitator_of, fellow_in
from tests.quizzes.factories import QuizFactory

from .conftest import at, cohort_on
from .helpers import kinds_for, set_status, sweep

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
BEFORE, QUIZ, INACTIVE, DIGEST = (
    Reminder.Kind.BEFORE_SESSION,
    Reminder.Kind.QUIZ_AFTER_SESSION,
    Reminder.Kind.INACTIVE,
    Reminder.Kind.FACILITATOR_DIGEST,
)


def _first_session(cohort) -> Session:
    return cohort.sessions.order_by("starts_at").first()


def _read(user, unit, count: int) -> None:
    for reading in unit.readings.filter(tier=Reading.Tier.CORE).order_by("position")[:count]:
        ReadingProgress.objects.create(user=user, reading=reading)


def test_it_lists_the_unread_core_readings_48_hours_before_the_session(clock, cohort, fellow):
    session = _first_session(cohort)
    _read(fellow, session.unit, 1)

    result = sweep(clock, at(2025, 3, 5, 10))

    reminder = Reminder.objects.get(recipient=fellow)
    assert (reminder.kind, reminder.session, reminder.status) == (BEFORE, session, "pending")
    assert reminder.key == (
        f"{fellow.pk}:before_session:{cohort.pk}:{session.pk}:2025-03-06T17:00:00+00:00"
    )
    core = list(session.unit.readings.filter(tier=Reading.Tier.CORE).order_by("position"))
    assert [r["id"] for r in reminder.payload["readings"]] == [r.pk for r in core[1:]]
    assert reminder.payload["unit_title"] == session.unit.title
    assert (result.created, result.batches) == (1, 1)


def test_it_reminds_nobody_who_has_read_every_core_reading(clock, cohort, fellow):
    session = _first_session(cohort)
    _read(fellow, session.unit, 4)
    # Recommended and further readings never count.
    sweep(clock, at(2025, 3, 5, 10))

    assert not Reminder.objects.exists()


@pytest.mark.parametrize(
    ("when", "due"),
    [
        (at(2025, 3, 4, 16, 59), False),  # 48 h and a minute before
        (at(2025, 3, 4, 17, 0), True),  # exactly 48 h before
        (at(2025, 3, 6, 16, 59), True),  # a minute before the session
        (at(2025, 3, 6, 17, 0), False),  # the session has started
    ],
)
def test_the_before_session_reminder_is_due_from_the_lead_until_the_session(
    clock, cohort, fellow, when, due
):
    sweep(clock, when)

    assert (BEFORE in kinds_for(fellow)) is due


def test_the_lead_is_set_per_cohort(clock, cohort, fellow):
    cohort.reminder_lead_hours = 12
    cohort.save()

    sweep(clock, at(2025, 3, 5, 10))
    assert kinds_for(fellow) == []
    sweep(clock, at(2025, 3, 6, 9))
    assert kinds_for(fellow) == [BEFORE]


def test_a_second_sweep_records_nothing_new(clock, cohort, fellow):
    sweep(clock, at(2025, 3, 5, 10))
    again = sweep(clock, at(2025, 3, 5, 10, 15))

    assert again.created == 0
    assert Reminder.objects.count() == 1


def test_a_moved_session_yields_a_new_reminder_and_nothing_else_does(clock, cohort, fellow):
    session = _first_session(cohort)
    sweep(clock, at(2025, 3, 5, 10))
    session.unit.title = "Renamed"
    session.unit.save()
    ReadingProgress.objects.create(
        user=fellow, reading=session.unit.readings.filter(tier=Reading.Tier.CORE).first()
    )
    sweep(clock, at(2025, 3, 5, 10, 15))
    assert Reminder.objects.count() == 1

    session.starts_at = at(2025, 3, 7, 17)
    session.save()
    sweep(clock, at(2025, 3, 5, 17, 30))

    keys = sorted(Reminder.objects.values_list("key", flat=True))
    assert [k.split(":", 4)[-1] for k in keys] == [
        "2025-03-06T17:00:00+00:00",
        "2025-03-07T17:00:00+00:00",
    ]


def test_the_lead_counts_real_hours_across_a_dst_change(clock):
    # London goes to summer time on Sunday 30 March 2025. The session on Monday 31 March is at
    # 17:00 BST (16:00 UTC); 48 real hours before is Saturday 29 March 16:00 UTC (16:00 GMT).
    cohort = cohort_on(dt.date(2025, 3, 31), tz="Europe/London")
    fellow = fellow_in(cohort)
    assert _first_session(cohort).starts_at == at(2025, 3, 31, 16)

    sweep(clock, at(2025, 3, 29, 15, 59))
    assert kinds_for(fellow) == []
    sweep(clock, at(2025, 3, 29, 16))
    assert kinds_for(fellow) == [BEFORE]


def test_the_window_is_the_recipients_local_daytime_across_a_dst_change(clock):
    cohort = cohort_on(dt.date(2025, 3, 31), tz="Europe/London")
    fellow = fellow_in(cohort)
    # Sunday 30 March 08:30 UTC is 09:30 BST: inside the window only because the clocks changed.
    sweep(clock, at(2025, 3, 30, 7, 59))  # 08:59 BST
    assert kinds_for(fellow) == []
    sweep(clock, at(2025, 3, 30, 8, 30))
    assert kinds_for(fellow) == [BEFORE]


def test_the_window_follows_the_fellows_own_timezone_over_the_cohorts(clock, cohort):
    tokyo = fellow_in(cohort, timezone="Asia/Tokyo")
    london = fellow_in(cohort)  # no timezone of their own: the cohort's (UTC)

    sweep(clock, at(2025, 3, 5, 10))  # 19:00 in Tokyo
    assert (kinds_for(tokyo), kinds_for(london)) == ([], [BEFORE])
    sweep(clock, at(2025, 3, 6, 0, 30))  # 09:30 in Tokyo, 00:30 UTC
    assert kinds_for(tokyo) == [BEFORE]


def test_someone_outside_the_window_is_caught_by_a_later_sweep(clock, cohort):
    night_owl = fellow_in(cohort, timezone="America/Los_Angeles")
    # Due from Tuesday 17:00 UTC (09:00 PST): every sweep until 18:00 PST may record it.
    sweep(clock, at(2025, 3, 4, 16, 45))  # 08:45 PST
    assert kinds_for(night_owl) == []
    sweep(clock, at(2025, 3, 5, 1, 45))  # 17:45 PST
    assert kinds_for(night_owl) == [BEFORE]


def test_it_offers_the_quiz_after_the_session_to_fellows_who_have_not_taken_it(clock, cohort):
    took_it, did_not = fellow_in(cohort), fellow_in(cohort)
    session = _first_session(cohort)
    _read(took_it, session.unit, 4), _read(did_not, session.unit, 4)
    quiz = QuizFactory(unit=session.unit)
    Attempt.objects.create(quiz=quiz, user=took_it, number=1, submitted_at=at(2025, 3, 6, 12))

    sweep(clock, at(2025, 3, 6, 18, 29))  # the 90-minute session is still on
    assert kinds_for(did_not) == []
    sweep(clock, at(2025, 3, 7, 10))

    assert (kinds_for(took_it), kinds_for(did_not)) == ([], [QUIZ])
    assert Reminder.objects.get(recipient=did_not).payload["quiz_id"] == quiz.pk


def test_the_quiz_reminder_stops_a_few_days_after_the_session(clock, cohort, fellow):
    _read(fellow, _first_session(cohort).unit, 4)
    QuizFactory(unit=_first_session(cohort).unit)

    sweep(clock, at(2025, 3, 9, 18, 31))  # three days after the session ended

    assert QUIZ not in kinds_for(fellow)


def test_it_shows_a_fellow_where_they_left_off_after_a_week_without_activity(clock, cohort):
    quiet, busy = fellow_in(cohort), fellow_in(cohort)
    clock.move_to(at(2025, 3, 10, 12), tick=False)
    _read(busy, _first_session(cohort).unit, 1)

    sweep(clock, at(2025, 3, 12, 10))

    assert INACTIVE in kinds_for(quiet)
    assert INACTIVE not in kinds_for(busy)
    reminder = Reminder.objects.get(recipient=quiet, kind=INACTIVE)
    # This week's unit (week 2 opened at the first session) and its unread core readings.
    assert reminder.payload["week"] == 2
    assert len(reminder.payload["readings"]) == 4


def test_a_spell_of_inactivity_is_reminded_once_and_a_new_spell_again(clock, cohort, fellow):
    sweep(clock, at(2025, 3, 12, 10))
    sweep(clock, at(2025, 3, 13, 10))
    assert kinds_for(fellow).count(INACTIVE) == 1

    clock.move_to(at(2025, 3, 13, 12), tick=False)
    _read(fellow, _first_session(cohort).unit, 1)
    sweep(clock, at(2025, 3, 17, 10))
    assert kinds_for(fellow).count(INACTIVE) == 1
    sweep(clock, at(2025, 3, 20, 12, 15))
    assert kinds_for(fellow).count(INACTIVE) == 2


def test_facilitators_get_a_digest_24_hours_before_each_session(clock, cohort, fellow):
    facilitator = facilitator_of(cohort)

    sweep(clock, at(2025, 3, 5, 16, 59))
    assert kinds_for(facilitator) == []
    sweep(clock, at(2025, 3, 5, 17))

    assert kinds_for(facilitator) == [DIGEST]
    assert kinds_for(fellow) == [BEFORE]


@pytest.mark.parametrize(
    "status",
    [Enrollment.Status.DROPPED, Enrollment.Status.DEFERRED, Enrollment.Status.COMPLETED],
)
def test_nobody_who_left_the_cohort_is_reminded(clock, cohort, status):
    fellow, facilitator = fellow_in(cohort), facilitator_of(cohort)
    set_status(fellow, cohort, status)
    set_status(facilitator, cohort, status)

    sweep(clock, at(2025, 3, 5, 17))

    assert not Reminder.objects.exists()


def test_nobody_with_a_deactivated_account_or_unverified_email_is_reminded(clock, cohort):
    fellow_in(cohort, is_active=False)
    fellow_in(cohort, verified=False)
    changed = fellow_in(cohort)
    # Verified an old address, then changed to an address they have not verified.
    changed.email = "new-address@example.org"
    changed.save()
    EmailAddress.objects.create(user=changed, email=changed.email, verified=False)

    sweep(clock, at(2025, 3, 5, 10))

    assert not Reminder.objects.exists()


def test_a_kind_turned_off_is_not_recorded_and_the_others_still_are(clock, cohort, fellow):
    NotificationPreferences.objects.create(user=fellow, before_session=False)
    QuizFactory(unit=_first_session(cohort).unit)

    sweep(clock, at(2025, 3, 5, 10))
    sweep(clock, at(2025, 3, 7, 10))

    assert kinds_for(fellow) == [QUIZ]
