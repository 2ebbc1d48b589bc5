"""Sessions as iCalendar feeds."""

from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from courseapp.models import Cohort, Session


def sessions_calendar(*, cohort: Cohort, sessions: list[Session]) -> bytes:
    """One VEVENT per session: a UID that stays the same when the session moves, start in UTC,
    the cohort's session length, and a link to the unit."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", "-//Fellowship//Cohort sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{cohort.course.title} · {cohort.name}")
    stamp = timezone.now().astimezone(UTC)
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("duration", timedelta(minutes=cohort.session_minutes))
        event.add("summary", f"Week {session.unit.week}: {session.unit.title}")
        event.add("url", settings.SITE_URL + session.unit.get_absolute_url())
        calendar.add_component(event)
    return calendar.to_ical()
