import time
from urllib.parse import urlencode

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.account.forms import ConfirmLoginCodeForm
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from courseapp.platform.redirects import safe_next
from courseapp.platform.security import enrolment_prove, staff_needs_mfa

from . import services
from .forms import AccountDeleteForm, ProfileForm
from .models import AuditEvent, User


@require_GET
@login_required
def account_data(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/data.html")


def export_response(user: User) -> JsonResponse:
    """The person's data as a JSON file download (shared with the admin's export action)."""
    response = JsonResponse(
        services.user_data_export(user=user),
        encoder=DjangoJSONEncoder,
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    filename = f"fellowship-data-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@never_cache
@login_required
def account_data_export(request: HttpRequest) -> HttpResponse:
    response = export_response(request.user)
    services.audit_record(actor=request.user, action=AuditEvent.Action.EXPORT, subject=request.user)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_retire(user=request.user, actor=request.user)
        logout(request)
        messages.success(request, "Your account was deleted and your personal data removed.")
        return redirect("account_login")
    return render(request, "accounts/delete.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, "Your profile was saved.")
        return redirect("account_profile")
    return render(request, "accounts/profile.html", {"form": form})


ENROLMENT_CODE_SESSION_KEY = "staff_mfa_enrolment_code"


def _pending_code(request: HttpRequest) -> dict | None:
    pending = request.session.get(ENROLMENT_CODE_SESSION_KEY)
    fresh = (
        pending
        and pending["user"] == request.user.pk
        and time.time() - pending["at"] < account_settings.LOGIN_BY_CODE_TIMEOUT
    )
    return pending if fresh else None


def _code_page(next_url: str) -> str:
    return f"{reverse('account_staff_mfa_code')}?{urlencode({'next': next_url})}"


def _send_enrolment_code(request: HttpRequest, email: str, next_url: str) -> HttpResponse:
    # The same limits as allauth's sign-in codes: the same cost, the same inbox.
    if not ratelimit.consume(request, action="request_login_code", key=email.lower()):
        messages.error(request, "Too many codes were asked for. Wait a minute, then ask again.")
        return redirect(_code_page(next_url))
    adapter = get_adapter(request)
    code = adapter.generate_login_code()
    request.session[ENROLMENT_CODE_SESSION_KEY] = {
        "user": request.user.pk,
        "code": code,
        "at": time.time(),
        "failed": 0,
    }
    adapter.send_mail("accounts/email/staff_mfa_code", email, {"code": code})
    messages.success(request, f"We sent a code to {email}.")
    return redirect(_code_page(next_url))


def _count_failed_code(request: HttpRequest, pending: dict) -> None:
    failed = pending["failed"] + 1
    if failed >= account_settings.LOGIN_BY_CODE_MAX_ATTEMPTS:
        del request.session[ENROLMENT_CODE_SESSION_KEY]
        messages.error(request, "That was the last try for this code. Ask for a new one.")
    else:
        request.session[ENROLMENT_CODE_SESSION_KEY] = pending | {"failed": failed}


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def staff_mfa_code(request: HttpRequest) -> HttpResponse:
    """Staff without an authenticator type a code emailed to their account's address before
    they may add one (StaffMFAMiddleware sends them here): whoever knows only the password
    cannot enrol their own second factor and pass the staff gate with it."""
    if not staff_needs_mfa(request.user):
        return redirect("mfa_index")
    email = EmailAddress.objects.get_primary_email(request.user)
    next_url = safe_next(request, reverse("mfa_activate_totp"))
    if request.method == "POST" and "send" in request.POST:
        return _send_enrolment_code(request, email, next_url)
    pending = _pending_code(request)
    data = request.POST if request.method == "POST" else None
    form = ConfirmLoginCodeForm(data, code=pending["code"] if pending else "")
    if data is not None and form.is_valid():
        del request.session[ENROLMENT_CODE_SESSION_KEY]
        enrolment_prove(request)
        return redirect(next_url)
    if data is not None and pending:
        _count_failed_code(request, pending)
        pending = _pending_code(request)
    next_value = request.POST.get("next") or request.GET.get("next", "")
    context = {"email": email, "form": form, "pending": pending, "next": next_value}
    return render(request, "accounts/staff_mfa_code.html", context)
