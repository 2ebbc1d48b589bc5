from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import NotificationPreferences, User
from courseapp.facilitate.nav import show_facilitate_link

from . import services
from .forms import PreferencesForm
from .tokens import BadUnsubscribeToken, unsubscribe_token_read

PREFERENCES = "courseapp/reminders/preferences.html"
UNSUBSCRIBE = "courseapp/reminders/unsubscribe.html"


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    current = NotificationPreferences.objects.filter(user=request.user).first()
    facilitator = show_facilitate_link(request)
    form = PreferencesForm(request.POST or None, instance=current, facilitator=facilitator)
    saved = False
    if request.method == "POST" and form.is_valid():
        services.preferences_update(user=request.user, wanted=form.cleaned_data)
        if not request.htmx:
            messages.success(request, "Your email choices were saved.")
            return redirect("notification_preferences")
        saved = True
    template = f"{PREFERENCES}#preferences-form" if request.htmx else PREFERENCES
    context = {
        "form": form,
        "saved": saved,
        "window_start": settings.REMINDER_WINDOW_START,
        "window_end": settings.REMINDER_WINDOW_END,
    }
    return render(request, template, context)


def masked_email(email: str) -> str:
    """`a***@example.org`: enough for its owner to recognise, not the address itself for anyone
    else who opens a forwarded email's link."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"


# No CSRF check here and only here: mail providers send the RFC 8058 one-click POST without a
# cookie or form token. The signed token is the authority, and all it can do is turn emails off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id, kinds = unsubscribe_token_read(token)
    except BadUnsubscribeToken as error:
        return render(request, UNSUBSCRIBE, {"error": str(error)}, status=400)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return render(request, UNSUBSCRIBE, {"error": "This account no longer exists."}, status=404)
    labels = [NotificationPreferences._meta.get_field(kind).verbose_name for kind in kinds]
    context = {"labels": labels, "email": masked_email(user.email), "token": token}
    # GET only asks: link scanners in mail filters follow links, and must not unsubscribe anyone.
    if request.method == "POST":
        services.unsubscribe(user=user, kinds=kinds)
        context["done"] = True
    return render(request, UNSUBSCRIBE, context)
