"""Admin for attendance: who came to each session, with the change history.

Registered by `from .meetings import admin as meetings_admin` in CourseappConfig.ready.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from courseapp.models import Attendance


@admin.register(Attendance)
class AttendanceAdmin(SimpleHistoryAdmin):
    list_display = ("session", "user", "status", "recorded_by", "recorded_at")
    list_filter = ("status",)
    list_select_related = ("session__cohort", "session__unit", "user", "recorded_by")
    raw_id_fields = ("session", "user", "recorded_by")
    search_fields = ("user__email", "user__display_name")
    readonly_fields = ("recorded_at",)
