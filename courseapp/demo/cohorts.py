"""Demo cohorts A and B for the demo course, with the demo people enrolled and some reading done."""

import datetime as dt

from django.utils import timezone

from courseapp.models import Cohort, Course, Enrollment, Reading, ReadingProgress, Session

from .accounts import FACILITATORS, FELLOWS, demo_user

COHORTS = {
    # name: (days until the first session, local session time, timezone)
    # Cohort A meets tomorrow, within the 48 hours before a session in which fellows are reminded
    # of unread core readings, at whatever hour the demo is loaded.
    "A": (1, dt.time(18), "Europe/London"),
    "B": (5, dt.time(17), "America/New_York"),
}
# Where each cohort meets: a call on the reserved example domain, and for A also a room. A's
# third session meets elsewhere, to show a session's own place.
MEETINGS = {
    "A": ("https://meet.example.org/aisf-cohort-a", "Room 2.14, 10 Example Street"),
    "B": ("https://meet.example.org/aisf-cohort-b", ""),
}
ELSEWHERE = ("A", 3, "Lecture theatre B, 12 Example Street")
# How many core readings of the first unit each demo fellow has already read.
READ_ALREADY = {"fellow.a1@example.org": 2, "fellow.a2@example.org": 1, "fellow.b1@example.org": 1}


def seed_cohorts(course: Course) -> list[str]:
    """Create (once) cohorts A and B of the course and enrol the demo people. Idempotent: a
    second run changes nothing, and never moves an existing cohort's dates."""
    cohorts = [_cohort(course, letter, *settings) for letter, settings in COHORTS.items()]
    for cohort, letter in zip(cohorts, COHORTS, strict=True):
        _enrol(cohort, FACILITATORS[letter], Enrollment.Role.FACILITATOR)
        for email in FELLOWS[letter]:
            _enrol(cohort, email, Enrollment.Role.FELLOW)
    _read_some(course)
    return [
        f"{cohort.name}: first session {cohort.start_date:%a %d %b} "
        f"{cohort.session_time:%H:%M} {cohort.timezone}, {cohort.enrollments.count()} people"
        for cohort in cohorts
    ]


def _cohort(course: Course, letter: str, days: int, time: dt.time, zone: str) -> Cohort:
    meeting_url, meeting_place = MEETINGS[letter]
    cohort, created = Cohort.objects.get_or_create(
        course=course,
        name=f"Cohort {letter}",
        defaults={
            "start_date": timezone.localdate() + dt.timedelta(days=days),
            "session_time": time,
            "timezone": zone,
            "pacing": Cohort.Pacing.WEEKLY,
            "meeting_url": meeting_url,
            "meeting_place": meeting_place,
        },
    )
    if created and letter == ELSEWHERE[0]:
        _, week, place = ELSEWHERE
        elsewhere = Session.objects.filter(cohort=cohort).order_by("starts_at")[week - 1 : week]
        for session in elsewhere:
            session.meeting_place = place
            session.save(update_fields=["meeting_place"])
    return cohort


def _enrol(cohort: Cohort, email: str, role: str) -> None:
    user = demo_user(email, display_name=email.split("@")[0].replace(".", " ").title())
    Enrollment.objects.get_or_create(cohort=cohort, user=user, defaults={"role": role})


def _read_some(course: Course) -> None:
    first = course.units.live().filter(published=True).order_by("position", "week").first()
    if first is None:
        return
    core = list(first.readings.live().filter(tier=Reading.Tier.CORE).order_by("position", "pk"))
    for email, count in READ_ALREADY.items():
        user = demo_user(email, display_name="")
        for reading in core[:count]:
            ReadingProgress.objects.get_or_create(user=user, reading=reading)
