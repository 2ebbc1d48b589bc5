"""Accepting an emailed invitation, and facilitators inviting people to their own cohort."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.models import User
from courseapp.models import Cohort, Enrollment, Invitation
from courseapp.platform.security import has_staff_powers
from courseapp.week import selectors

from . import services
from .forms import AcceptNewAccountForm, InviteListForm

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("cohort__course"), token=token)
    context = {"invitation": invitation, "cohort": invitation.cohort}
    if problem := _invitation_problem(invitation):
        return render(request, "courseapp/invitation_unusable.html", context | problem, status=410)
    if request.user.is_authenticated:
        return _accept_signed_in(request, invitation, context)
    if User.objects.filter(email__iexact=invitation.email).exists():
        return render(request, "courseapp/invitation_accept.html", context | {"sign_in": True})
    form = AcceptNewAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user, _ = services.invitation_accept_new_user(
                invitation=invitation,
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
            )
        except (services.InvitationUnusable, ValidationError) as error:
            messages.error(request, _first_message(error))
            return redirect("invitation_accept", token=token)
        login(request, user, backend=MODEL_BACKEND)
        return _joined(request, invitation)
    return render(request, "courseapp/invitation_accept.html", context | {"form": form})


def _invitation_problem(invitation: Invitation) -> dict | None:
    if invitation.accepted_at is not None:
        return {"problem": "used"}
    if invitation.expires_at <= timezone.now():
        return {"problem": "expired"}
    return None


def _accept_signed_in(request: HttpRequest, invitation: Invitation, context: dict) -> HttpResponse:
    if request.user.email.lower() != invitation.email.lower():
        context |= {"wrong_account": True}
        return render(request, "courseapp/invitation_accept.html", context, status=403)
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except services.InvitationUnusable as error:
            messages.error(request, str(error))
            return redirect("home")
        return _joined(request, invitation)
    return render(request, "courseapp/invitation_accept.html", context | {"confirm": True})


def _joined(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    messages.success(request, f"Welcome! You have joined {invitation.cohort.name}.")
    return redirect("home")


def _first_message(error: Exception) -> str:
    return error.messages[0] if isinstance(error, ValidationError) else str(error)


@login_required
def cohort_invite(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.select_related("course"), pk=pk)
    if not selectors.facilitates(user=request.user, cohort=cohort):
        raise Http404("No such cohort.")
    staff = has_staff_powers(request.user)
    form = InviteListForm(request.POST or None, request.FILES or None, can_choose_role=staff)
    if request.method == "POST" and form.is_valid():
        results = services.invitation_bulk_create(
            cohort=cohort,
            text=form.cleaned_data["text"],
            role=form.cleaned_data.get("role", Enrollment.Role.FELLOW),
            invited_by=request.user,
        )
        for result in results:
            messages.success(request, result.message)
        return redirect("cohort_invite", pk=cohort.pk)
    pending = cohort.invitations.filter(accepted_at=None, expires_at__gt=timezone.now())
    context = {"cohort": cohort, "form": form, "pending": pending.order_by("email")}
    return render(request, "courseapp/cohort_invite.html", context)
