from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from accounts.models import User
from courseapp.meetings.models import new_feed_token
from courseapp.models import CalendarFeed

# A feed is fetched by calendar apps every hour or so; remembering each fetch would be a write
# per request for a date that only needs to say "recently".
FETCH_RECORD_EVERY = timedelta(hours=1)


@transaction.atomic
def calendar_feed_for(*, user: User) -> CalendarFeed:
    """This person's feed, made on first use. Two first visits at once both end up with the
    one row: get_or_create reads again when the unique user constraint refuses the second."""
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_reset(*, user: User) -> CalendarFeed:
    """A new secret for this person's feed: the old URL stops working at once."""
    feed = calendar_feed_for(user=user)
    feed.token = new_feed_token()
    feed.last_fetched_at = None
    feed.full_clean()
    feed.save(update_fields=["token", "last_fetched_at"])
    return feed


def calendar_feed_fetched(*, feed: CalendarFeed, now: datetime) -> None:
    """Remember that a calendar app fetched the feed, at most once an hour (no query at all
    when the last record is recent)."""
    since = now - FETCH_RECORD_EVERY
    if feed.last_fetched_at is not None and feed.last_fetched_at > since:
        return
    stale = Q(last_fetched_at=None) | Q(last_fetched_at__lte=since)
    CalendarFeed.objects.filter(stale, pk=feed.pk).update(last_fetched_at=now)
