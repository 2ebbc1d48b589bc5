from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from courseapp.facilitate.nav import show_facilitate_link


def site(request: HttpRequest) -> dict:
    return {
        "SITE_NAME": "Fellowship",
        "SITE_URL": settings.SITE_URL,
        "OPEN_SIGNUP": settings.OPEN_SIGNUP,
        # Lazy: only pages that draw the header ask, and the answer is kept in the session.
        "is_facilitator": SimpleLazyObject(lambda: show_facilitate_link(request)),
    }
