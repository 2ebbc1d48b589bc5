"""Signed unsubscribe tokens: who, and which kinds of email, with no login and no expiry.

Salted so a token signed for anything else in the app cannot be replayed here.
"""

from django.core import signing

from accounts.models import NotificationPreferences

SALT = "courseapp.reminders.unsubscribe"


class BadUnsubscribeToken(Exception):
    """The link was altered, truncated or names a kind of email that does not exist."""


def unsubscribe_token(*, user_id: int, kinds: list[str]) -> str:
    return signing.dumps({"u": user_id, "k": sorted(set(kinds))}, salt=SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, list[str]]:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as error:
        raise BadUnsubscribeToken("This unsubscribe link is damaged.") from error
    user_id, kinds = data.get("u"), data.get("k")
    if not isinstance(user_id, int) or not isinstance(kinds, list) or not kinds:
        raise BadUnsubscribeToken("This unsubscribe link is damaged.")
    if not set(kinds) <= set(NotificationPreferences.KINDS):
        raise BadUnsubscribeToken("This unsubscribe link names an unknown kind of email.")
    return user_id, kinds
