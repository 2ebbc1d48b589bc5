"""Admin for cohorts, their sessions and enrolments, and invitations (with a paste-a-list view)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from courseapp.models import Cohort, Enrollment, Invitation, Session

from . import services
from .forms import AdminInviteForm

# A meeting link typed without a scheme ("meet.example.org/x") is taken as https, Django 6's
# default; saying so also keeps Django 5.2 from warning each time a cohort form is built.
MEETING_LINK_FIELD = {models.URLField: {"assume_scheme": "https"}}


class SessionInline(admin.TabularInline):
    model = Session
    formfield_overrides = MEETING_LINK_FIELD
    extra = 0
    fields = ["unit", "starts_at", "opens_at", "meeting_url", "meeting_place"]
    readonly_fields = ["opens_at"]
    ordering = ["starts_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "cohort")


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    fields = ["user", "role", "status"]
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "course", "start_date", "session_time", "timezone", "pacing"]
    list_filter = ["course", "pacing"]
    search_fields = ["name", "course__title"]
    list_select_related = ["course"]
    inlines = [SessionInline, EnrollmentInline]
    formfield_overrides = MEETING_LINK_FIELD
    fieldsets = [
        (None, {"fields": ["course", "name", "pacing"]}),
        (
            "Schedule",
            {
                "fields": ["timezone", "start_date", "session_time", "session_minutes"],
                "description": "Sessions are created weekly from the start date when the cohort "
                "is saved; existing sessions never move (edit them below one by one).",
            },
        ),
        (
            "Meeting",
            {
                "fields": ["meeting_url", "meeting_place"],
                "description": "Where every session meets: a video call link, a place, or both. "
                "A session below can have its own.",
            },
        ),
        ("Release and reminders", {"fields": ["release_lead_hours", "reminder_lead_hours"]}),
    ]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["user", "cohort", "role", "status", "created_at"]
    list_filter = ["role", "status", "cohort"]
    search_fields = ["user__email", "user__display_name", "cohort__name"]
    list_select_related = ["user", "cohort__course"]
    raw_id_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "cohort", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "cohort"]
    search_fields = ["email"]
    list_select_related = ["cohort__course"]
    readonly_fields = ["token", "created_at", "accepted_at", "accepted_by", "invited_by"]
    fields = ["cohort", "email", "role", "expires_at", *readonly_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Invitations are created through the invite view, which also sends the email.
        return False

    def get_urls(self):
        invite = self.admin_site.admin_view(self.invite_view)
        return [path("invite/", invite, name="courseapp_invitation_invite"), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra = {"invite_url": reverse("admin:courseapp_invitation_invite")}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def invite_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("courseapp.add_enrollment"):
            raise PermissionDenied
        form = AdminInviteForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            results = services.invitation_bulk_create(
                cohort=form.cleaned_data["cohort"],
                text=form.cleaned_data["text"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
            for result in results:
                messages.info(request, result.message)
            return redirect("admin:courseapp_invitation_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Invite people to a cohort",
            "form": form,
        }
        return TemplateResponse(request, "admin/courseapp/invitation/invite.html", context)
