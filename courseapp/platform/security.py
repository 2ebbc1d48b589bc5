"""Response headers and gates that apply to every request: the Content-Security-Policy, and
two-factor authentication for staff before the admin.

The policy allows no inline script anywhere (htmx is configured to match in base.html: no eval,
no injected indicator style). Styles differ by area: the site's own pages use only the
stylesheet, while the Django admin's pages carry inline <style> blocks and style attributes
(Django's widgets and our upload/preview templates), so admin pages alone allow inline styles.
Inline style cannot run code; the defence against injected markup is escaping, tested in
tests/security/test_hostile_text.py.
"""

from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Where each social provider's sign-in form sends the browser: form-action covers the redirect
# that follows the POST, so a configured provider must be named or its button does nothing.
PROVIDER_FORM_ACTIONS = {
    "google": "https://accounts.google.com",
    "github": "https://github.com",
}


def content_security_policy(*, admin: bool) -> str:
    form_action = ["'self'"] + [
        origin
        for provider, origin in PROVIDER_FORM_ACTIONS.items()
        if provider in settings.SOCIALACCOUNT_PROVIDERS
    ]
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'" if admin else "'self'",
        "img-src": "'self' data: https:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "frame-src": "'none'",
        "frame-ancestors": "'none'",
        "form-action": " ".join(form_action),
        "base-uri": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _is_admin(path: str) -> bool:
    return path.startswith(reverse("admin:index"))


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(
            "Content-Security-Policy", content_security_policy(admin=_is_admin(request.path))
        )
        return response


STAFF_MFA_MESSAGE = (
    "The admin needs two-factor authentication. Set up an authenticator app, then open the "
    "admin again."
)


class StaffMFAMiddleware:
    """With REQUIRE_STAFF_MFA on, staff without an authenticator are sent to set one up before
    any admin page. allauth then asks for the second factor at every later sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.REQUIRE_STAFF_MFA
            and user.is_authenticated
            and user.is_staff
            and _is_admin(request.path)
            and not is_mfa_enabled(user)
        ):
            messages.warning(request, STAFF_MFA_MESSAGE)
            return redirect("mfa_index")
        return self.get_response(request)
