from django.contrib import admin, messages

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

    def has_add_permission(self, request) -> bool:
        # Reminders are recorded by the sweep and by nudges; a hand-made one has no key rule.
        return False

    @admin.display(description="Last error")
    def short_error(self, reminder: Reminder) -> str:
        return reminder.last_error[:80]
