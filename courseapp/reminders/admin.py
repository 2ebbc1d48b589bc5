from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from courseapp.models import Reminder

from . import services


@admin.action(description="Retry the selected failed reminders", permissions=["change"])
def retry_failed(modeladmin, request, queryset):
    count = services.reminders_retry(reminders=queryset)
    modeladmin.message_user(request, f"Queued {count} failed reminder(s) to send again.")
    if queryset.exclude(status=Reminder.Status.FAILED).exists():
        modeladmin.message_user(
            request, "Only failed reminders are retried; the others were left alone.", messages.INFO
        )


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "status", "cohort", "attempts", "created_at", "sent_at",
                    "short_error"]  # fmt: skip
    list_filter = ["status", "kind", "cohort__course"]
    list_select_related = ["recipient", "cohort__course"]
    search_fields = ["recipient__email", "recipient__display_name", "key"]
    date_hierarchy = "created_at"
    actions = [retry_failed]
    readonly_fields = ["recipient", "sender", "kind", "cohort", "session", "key", "payload",
                       "status", "attempts", "last_error", "send_after", "claimed_at", "sent_at",
                       "created_at"]  # fmt: skip

    def get_urls(self):
        sweep = self.admin_site.admin_view(self.sweep_view)
        return [path("sweep/", sweep, name="courseapp_reminder_sweep"), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra = {"can_sweep": self.has_change_permission(request)}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    @method_decorator(require_POST)
    def sweep_view(self, request: HttpRequest) -> HttpResponse:
        """Run one reminders sweep now, as beat does every 15 minutes (the button on the list)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        result = services.reminders_sweep()
        self.message_user(
            request,
            f"Reminders sweep: recorded {result.created} reminder(s) and queued "
            f"{result.queued} email(s); queued {result.recovered} lost send(s) again.",
        )
        return redirect("admin:courseapp_reminder_changelist")

    def has_add_permission(self, request) -> bool:
        # Reminders are recorded by the sweep and by nudges; a hand-made one has no key rule.
        return False

    @admin.display(description="Last error")
    def short_error(self, reminder: Reminder) -> str:
        return reminder.last_error[:80]
