from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from courseapp.models import ReadingProgress

from . import selectors


@transaction.atomic
def reading_mark(*, user: User, reading_id: int, done: bool) -> bool:
    """Mark a reading read (done=True) or unread. Idempotent; returns the final state.

    Raises PermissionDenied for a reading this person may not open (not enrolled, unit not yet
    released, reading or unit archived, no such reading). A double click or a second tab lands
    on the unique (user, reading) constraint, which get_or_create turns into the existing row.
    The person's page version is bumped by the row's save and delete hooks (pagecache_hooks),
    in this transaction, and only when a row was written or removed.
    """
    if not user.is_authenticated or not selectors.reading_open_to(user=user, reading_id=reading_id):
        raise PermissionDenied("This reading is not open to you.")
    if done:
        ReadingProgress.objects.get_or_create(user=user, reading_id=reading_id)
    else:
        ReadingProgress.objects.filter(user=user, reading_id=reading_id).delete()
    return done
