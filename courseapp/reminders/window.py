"""The recipient's local daytime window, in which reminders may be sent."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from accounts.models import NotificationPreferences, User
from courseapp.models import Cohort


def recipient_zone(*, user: User, cohort: Cohort) -> ZoneInfo:
    """The person's own timezone, else their cohort's (as everywhere else in the app)."""
    return zone_of(timezone=user.timezone, cohort=cohort)


def zone_of(*, timezone: str, cohort: Cohort) -> ZoneInfo:
    """recipient_zone for a person known only by their timezone setting ("" for none)."""
    return ZoneInfo(timezone or cohort.timezone)


def in_window(*, now: datetime, zone: ZoneInfo) -> bool:
    hour = now.astimezone(zone).hour
    return settings.REMINDER_WINDOW_START <= hour < settings.REMINDER_WINDOW_END


def next_window_start(*, now: datetime, zone: ZoneInfo) -> datetime:
    """`now` when inside the window, else the next local opening time."""
    if in_window(now=now, zone=zone):
        return now
    local = now.astimezone(zone)
    day = local.date()
    if local.hour >= settings.REMINDER_WINDOW_END:
        day += timedelta(days=1)
    # Combined in local time, so the opening is 09:00 on either side of a DST change.
    return datetime.combine(day, time(settings.REMINDER_WINDOW_START), tzinfo=zone)


# When a before-session reminder's whole lead falls at night, it goes out in this last stretch of
# the evening before: several sweeps (every 15 minutes) fall in it, so one missed sweep loses
# nothing, and it is as close to the session as the window allows.
LAST_CALL = timedelta(hours=1)


def _opening(day, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(settings.REMINDER_WINDOW_START), tzinfo=zone)


def _closing(day, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(settings.REMINDER_WINDOW_END), tzinfo=zone)


def reaches_daytime(*, since: datetime, until: datetime, zone: ZoneInfo) -> bool:
    """Whether any moment in [since, until) is inside the window."""
    if until - since >= timedelta(days=1):
        return since < until
    day, last = since.astimezone(zone).date(), until.astimezone(zone).date()
    while day <= last:
        if max(since, _opening(day, zone)) < min(until, _closing(day, zone)):
            return True
        day += timedelta(days=1)
    return False


def before_session_due(*, starts: datetime, lead: timedelta, now: datetime, zone: ZoneInfo) -> bool:
    """Whether a before-session reminder is due at `now` (the caller checks the window): from
    `lead` before the session until it starts. When no daytime falls in that stretch, instead
    from the window's opening on the session's day if the session is later that day, else in
    the evening window's LAST_CALL before it, so it still goes out, in daytime."""
    if now >= starts:
        return False
    if reaches_daytime(since=starts - lead, until=starts, zone=zone):
        return now >= starts - lead
    day = starts.astimezone(zone).date()
    if starts > _opening(day, zone):
        return now >= _opening(day, zone)
    evening = _closing(day - timedelta(days=1), zone)
    return evening - LAST_CALL <= now < evening


def wants(user: User, kind: str) -> bool:
    """No preferences row means every kind is on."""
    try:
        preferences = user.notification_preferences
    except NotificationPreferences.DoesNotExist:
        return True
    return preferences.wants(kind)
