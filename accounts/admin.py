from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from . import services
from .models import AuditEvent, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "timezone", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "timezone"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    readonly_fields = ["retired_at"]
    # Plain labelled multiple selects: the admin's JavaScript filter boxes name an icon with
    # aria-label on a <span>, which axe refuses (aria-prohibited-attr).
    filter_horizontal = ()
    actions = ["export_data", "retire"]

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.retired_at:
            return [*fieldsets, ("Deleted", {"fields": ["retired_at"]})]
        return fieldsets

    @admin.action(description="Export data (JSON) of the selected person", permissions=["change"])
    def export_data(self, request: HttpRequest, queryset) -> HttpResponse | None:
        from .views import export_response

        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one person to export.", messages.ERROR)
            return None
        user = queryset.get()
        response = export_response(user)
        services.audit_record(actor=request.user, action=AuditEvent.Action.EXPORT, subject=user)
        return response

    @admin.action(description="Retire (delete personal data)", permissions=["change"])
    def retire(self, request: HttpRequest, queryset) -> TemplateResponse | None:
        people = list(queryset.filter(retired_at=None).exclude(pk=request.user.pk))
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "Delete the personal data of these people?",
                "people": people,
                "skipped": queryset.count() - len(people),
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/accounts/user/retire_confirmation.html", context
            )
        for person in people:
            try:
                services.user_retire(user=person, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{person}: {error.messages[0]}", messages.ERROR)
        self.message_user(request, f"Deleted the personal data of {len(people)} people.")
        return None


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    filter_horizontal = ()  # as on UserAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only. Search takes an email address and finds the events about it by its hash."""

    list_display = ["at", "action", "actor", "subject_hash"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    search_fields = ["subject_hash"]
    fields = readonly_fields = ["at", "action", "actor", "subject_hash", "details"]

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        if "@" in search_term:
            return queryset.filter(subject_hash=services.email_hash(search_term)), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
