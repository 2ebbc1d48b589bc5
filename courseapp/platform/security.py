"""Response headers and gates that apply to every request: the Content-Security-Policy, and
two-factor authentication for staff before any staff power (see has_staff_powers).

The policy allows no inline script anywhere (htmx is configured to match in base.html: no eval,
no injected indicator style). Styles differ by area: the site's own pages use only the
stylesheet, while the Django admin's pages carry inline <style> blocks and style attributes
(Django's widgets and our upload/preview templates), so admin pages alone allow inline styles.
Inline style cannot run code; the defence against injected markup is escaping, tested in
tests/security/test_hostile_text.py.
"""

import time
from collections.abc import Callable
from urllib.parse import urlencode

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
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
    "Staff pages need two-factor authentication. Set up an authenticator app, then open the "
    "page again."
)
EMAIL_LOCKED_MESSAGE = (
    "A staff account can change its email addresses once two-factor authentication is set up."
)

# Where an authenticator is added. Recovery codes need one of these first (allauth), and
# webauthn is listed so that turning it on in MFA_SUPPORTED_TYPES cannot open a way around.
ENROLMENT_VIEWS = {"mfa_activate_totp", "mfa_add_webauthn"}
ENROLMENT_PROOF_SESSION_KEY = "staff_mfa_enrolment_proof"
ENROLMENT_PROOF_SECONDS = 10 * 60


def staff_needs_mfa(user) -> bool:
    """Staff who may not use staff powers yet: REQUIRE_STAFF_MFA is on and they have no
    authenticator. Kept on the user object, so a request asks the database once."""
    if not (settings.REQUIRE_STAFF_MFA and user.is_authenticated and user.is_staff):
        return False
    if not hasattr(user, "_staff_mfa_enabled"):
        user._staff_mfa_enabled = is_mfa_enabled(user)
    return not user._staff_mfa_enabled


def has_staff_powers(user) -> bool:
    """The one test for staff-only powers outside the admin: every cohort, every course's units,
    the reports, facilitator invitations. Staff without an authenticator (when it is required)
    are treated as anyone else with their enrolments."""
    return user.is_staff and not staff_needs_mfa(user)


def enrolment_prove(request: HttpRequest) -> None:
    """Record that this person just typed a code emailed to their own address."""
    request.session[ENROLMENT_PROOF_SESSION_KEY] = [request.user.pk, time.time()]


def enrolment_proven(request: HttpRequest) -> bool:
    proof = request.session.get(ENROLMENT_PROOF_SESSION_KEY)
    return bool(
        proof and proof[0] == request.user.pk and time.time() - proof[1] < ENROLMENT_PROOF_SECONDS
    )


def _to_mfa_setup(request: HttpRequest) -> HttpResponse:
    messages.warning(request, STAFF_MFA_MESSAGE)
    return redirect("mfa_index")


class StaffMFAMiddleware:
    """With REQUIRE_STAFF_MFA on, staff without an authenticator:

    - are sent to set one up from any admin page (the admin checks is_staff by itself);
    - are sent there too, told why, when a page turns them away (a 404 or 403): outside the
      admin, staff powers are granted by has_staff_powers alone, so such a page may have been
      theirs with an authenticator;
    - must type a code emailed to their address before adding an authenticator, so the
      password alone does not enrol one, and cannot change their addresses meanwhile (the code
      would go to the new one).

    allauth asks for the second factor at every sign-in once one is set up."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_admin(request.path) and staff_needs_mfa(request.user):
            return _to_mfa_setup(request)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        name = request.resolver_match.url_name
        if name not in ENROLMENT_VIEWS and name != "account_email":
            return None
        if not staff_needs_mfa(request.user):
            return None
        if name == "account_email":
            if request.method == "POST" and "action_send" not in request.POST:
                messages.error(request, EMAIL_LOCKED_MESSAGE)
                return redirect("account_email")
            return None
        if enrolment_proven(request):
            return None
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('account_staff_mfa_code')}?{query}")

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, Http404 | PermissionDenied) and staff_needs_mfa(request.user):
            return _to_mfa_setup(request)
        return None
