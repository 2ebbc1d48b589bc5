"""Whether to show the "Facilitate" link in the header, without a query on every page.

Pages pin their query counts, so the answer is kept in the session: worked out at login and
again when it is older than FRESH_FOR (so someone who becomes a facilitator mid-session sees the
link within minutes, and one whose role ends loses it).
"""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from courseapp.platform.security import has_staff_powers

from .selectors import is_facilitator

SESSION_KEY = "facilitate_nav"
FRESH_FOR = 600


def remember(request: HttpRequest, user) -> bool:
    value = is_facilitator(user=user)
    request.session[SESSION_KEY] = [value, int(time.time())]
    return value


def show_facilitate_link(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if has_staff_powers(user):
        return True
    stored = request.session.get(SESSION_KEY)
    if stored and time.time() - stored[1] < FRESH_FOR:
        return stored[0]
    return remember(request, user)


@receiver(user_logged_in, dispatch_uid="facilitate_nav_on_login")
def _on_login(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        remember(request, user)
