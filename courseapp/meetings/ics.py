"""Sessions as iCalendar feeds: a facilitator's download of one cohort, and each person's
private feed of every cohort they are in.

Times are written in UTC. A session's start is stored as an instant (the cohort's local time
turned into UTC when it was scheduled), so a calendar app shows it at the same local time on
both sides of a daylight-saving change; a TZID would need a VTIMEZONE block per zone for the
same result."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vDuration

from courseapp.models import Cohort, Session

# How often a subscribed calendar app should fetch the feed again.
REFRESH = timedelta(hours=1)


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Fellowship//Cohort sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    return calendar


def _unit_url(session: Session) -> str:
    return settings.SITE_URL + session.unit.get_absolute_url()


def session_event(session: Session, *, host: str, stamp: datetime) -> Event:
    """One session: a UID that stays the same when the session moves, start in UTC, the
    cohort's session length, and where to meet (the call link, the room, or both). Needs
    session.unit and session.cohort.course loaded."""
    cohort = session.cohort
    join_url, place = session.join_url, session.place
    event = Event()
    event.add("uid", f"session-{session.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("duration", timedelta(minutes=cohort.session_minutes))
    event.add("summary", f"Week {session.unit.week}: {session.unit.title}")
    if place or join_url:
        event.add("location", place or join_url)
    event.add("url", join_url or _unit_url(session))
    lines = [f"{cohort.course.title} · {cohort.name}"]
    if join_url:
        lines.append(f"Join the call: {join_url}")
    if place:
        lines.append(f"Meeting place: {place}")
    lines.append(f"Unit page: {_unit_url(session)}")
    event.add("description", "\n".join(lines))
    return event


def release_event(session: Session, *, host: str, stamp: datetime) -> Event:
    """The moment a weekly cohort's unit opens: a marker that does not block time."""
    cohort = session.cohort
    event = Event()
    event.add("uid", f"release-{session.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", session.opens_at.astimezone(UTC))
    event.add("duration", timedelta(0))
    event.add("transp", "TRANSPARENT")
    event.add("summary", f"Week {session.unit.week} opens: {session.unit.title}")
    event.add("url", _unit_url(session))
    event.add(
        "description",
        f"{cohort.course.title} · {cohort.name}\n"
        f"The readings of week {session.unit.week} are open.\n"
        f"Unit page: {_unit_url(session)}",
    )
    return event


def sessions_calendar(*, cohort: Cohort, sessions: list[Session]) -> bytes:
    """One VEVENT per session of one cohort (the facilitator's download)."""
    host, stamp = _host(), timezone.now().astimezone(UTC)
    calendar = _calendar(f"{cohort.course.title} · {cohort.name}")
    for session in sessions:
        session.cohort = cohort  # the caller's cohort, course loaded: no query per session
        calendar.add_component(session_event(session, host=host, stamp=stamp))
    return calendar.to_ical()


def person_calendar(*, name: str, sessions: Iterable[Session]) -> bytes:
    """A person's private feed: every session of their cohorts, and in weekly-release cohorts
    the moment each unit opens. Sessions need unit and cohort__course loaded."""
    host, stamp = _host(), timezone.now().astimezone(UTC)
    calendar = _calendar(name)
    for session in sessions:
        calendar.add_component(session_event(session, host=host, stamp=stamp))
        if session.cohort.pacing == Cohort.Pacing.WEEKLY:
            calendar.add_component(release_event(session, host=host, stamp=stamp))
    return calendar.to_ical()
