from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {
        "SITE_NAME": "Fellowship",
        "SITE_URL": settings.SITE_URL,
        "OPEN_SIGNUP": settings.OPEN_SIGNUP,
    }
