"""Admin for feedback. Staff who are not superusers never learn who wrote anonymous feedback:
no author, no times, no filtering or searching by person (which would identify by elimination).

Registered by `from .feedback import admin as feedback_admin` in courseapp/admin.py.
"""

from django.contrib import admin
from django.http import HttpRequest

from courseapp.models import ReadingFeedback, UnitFeedback

ANONYMOUS_LABEL = "Anonymous fellow"
PRIVATE_FIELDS = ("user", "cohort", "created_at", "updated_at")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Feedback is the fellows' own words: the admin shows it and never edits it."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(UnitFeedback)
class UnitFeedbackAdmin(ReadOnlyAdmin):
    list_select_related = ("unit", "user", "cohort")
    fields = (
        "unit",
        "user",
        "cohort",
        "rating",
        "what_worked",
        "what_to_change",
        "anonymous",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def get_list_display(self, request: HttpRequest):
        if request.user.is_superuser:
            return ("unit", "user", "cohort", "rating", "anonymous", "updated_at")
        return ("unit", "author", "rating", "anonymous")

    def get_list_filter(self, request: HttpRequest):
        if request.user.is_superuser:
            return ("anonymous", "rating", "unit__course", "cohort")
        return ("rating", "unit__course")

    def get_search_fields(self, request: HttpRequest):
        if request.user.is_superuser:
            return ("user__email", "user__display_name", "what_worked", "what_to_change")
        return ()

    def get_ordering(self, request: HttpRequest):
        return ["unit", "-updated_at"] if request.user.is_superuser else ["unit", "rating", "pk"]

    def get_fields(self, request: HttpRequest, obj=None):
        if request.user.is_superuser or obj is None or not obj.anonymous:
            return self.fields
        return tuple(name for name in self.fields if name not in PRIVATE_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return self.get_fields(request, obj)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # Filtering by person or cohort in the URL would show which rows are theirs.
        private = lookup.split("__")[0] in PRIVATE_FIELDS
        if private and not request.user.is_superuser:
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description="Fellow")
    def author(self, obj: UnitFeedback) -> str:
        return ANONYMOUS_LABEL if obj.anonymous else obj.user.name


@admin.register(ReadingFeedback)
class ReadingFeedbackAdmin(ReadOnlyAdmin):
    list_display = ("reading", "user", "useful", "comment", "updated_at")
    list_filter = ("useful", "reading__unit__course")
    list_select_related = ("reading", "user")
    search_fields = ("reading__title", "comment")
    fields = ("reading", "user", "useful", "comment", "created_at", "updated_at")
    readonly_fields = fields
