"""Link health in the Reading admin: a list filter, the last check on the change page, and an
action that checks the selected readings' links now (in the background)."""

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.utils.html import format_html

from courseapp.models import LinkStatus, Reading
from courseapp.platform.queueing import enqueue_on_commit

LINK_FIELDS = ["link_health", "link_reports"]


class LinkHealthFilter(admin.SimpleListFilter):
    title = "link"
    parameter_name = "link"

    def lookups(self, request, model_admin):
        return [
            ("broken", "Broken"),
            ("missing", "Missing"),
            ("ok", "OK"),
            ("unchecked", "Not checked"),
            ("reported", "Reported by fellows"),
        ]

    def queryset(self, request, queryset: QuerySet[Reading]) -> QuerySet[Reading]:
        match self.value():
            case "broken":
                return queryset.filter(link_status=LinkStatus.BROKEN)
            case "missing":
                return queryset.filter(link_status=LinkStatus.MISSING)
            case "ok":
                return queryset.filter(link_status__in=[LinkStatus.OK, LinkStatus.REDIRECTED])
            case "unchecked":
                return queryset.filter(Q(link_status="") | Q(link_checked_at=None))
            case "reported":
                return queryset.filter(link_reports__gt=0)
        return queryset


class LinkHealthAdmin:
    """The reading change page's read-only "Last link check"."""

    @admin.display(description="Last link check")
    def link_health(self, reading: Reading) -> str:
        if reading.link_checked_at is None:
            return "Not checked yet"
        parts = [reading.get_link_status_display()]
        if reading.link_error:  # "HTTP 404 Not Found", "Timed out", a connection error
            parts.append(reading.link_error)
        elif reading.link_status_code:
            parts.append(f"HTTP {reading.link_status_code}")
        if reading.link_status == LinkStatus.REDIRECTED:
            parts.append(f"ends at {reading.link_final_url}")
        return format_html(
            "{} ({} UTC)", " · ".join(parts), f"{reading.link_checked_at:%Y-%m-%d %H:%M}"
        )


@admin.action(description="Check links now")
def check_links_now(modeladmin, request, queryset: QuerySet[Reading]) -> None:
    ids = list(queryset.values_list("pk", flat=True))
    enqueue_on_commit("courseapp.links.tasks.links_check_task", ids)
    modeladmin.message_user(
        request,
        f"Checking {len(ids)} reading link(s) in the background; reload the list in a minute.",
        messages.SUCCESS,
    )
