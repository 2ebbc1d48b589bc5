from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

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
