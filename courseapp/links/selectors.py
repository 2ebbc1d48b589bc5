from django.db.models import Q, QuerySet

from courseapp.models import Course, LinkStatus, Reading


def course_link_problems(*, course: Course) -> QuerySet[Reading]:
    """The course's live readings whose link is broken or missing, or that fellows reported,
    in syllabus order, without the hosted chapters' text. One query."""
    return (
        Reading.objects.filter(unit__course=course, unit__archived_at=None, archived_at=None)
        .filter(Q(link_status__in=[LinkStatus.BROKEN, LinkStatus.MISSING]) | Q(link_reports__gt=0))
        .select_related("unit")
        .defer("body", "meta", "note")
        .order_by("unit__week", "unit__position", "tier", "position", "pk")
    )
