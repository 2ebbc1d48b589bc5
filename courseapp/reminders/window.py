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


def wants(user: User, kind: str) -> bool:
    """No preferences row means every kind is on."""
    try:
        preferences = user.notification_preferences
    except NotificationPreferences.DoesNotExist:
        return True
    return preferences.wants(kind)
