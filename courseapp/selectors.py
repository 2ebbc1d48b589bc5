from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import User

from .models import Cohort, Enrollment, Session, Unit


def enrollments_for_user(*, user: User) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(user=user)
        .select_related("cohort", "cohort__course")
        .order_by("cohort__start_date", "cohort__name")
    )


def units_open_to(*, user: User) -> QuerySet[Unit]:
    """Units this person may open right now.

    Staff: every live unit. Others: published, live units of a course they are enrolled in
    (any status but dropped), that are open for one of their cohorts: a facilitator sees every
    unit of the course; a self-paced cohort opens everything; a weekly cohort opens a unit
    when its session's opens_at has passed.
    """
    units = Unit.objects.live()
    if user.is_staff:
        return units
    if not user.is_authenticated:
        return units.none()
    enrolled = Enrollment.objects.filter(user=user).exclude(status=Enrollment.Status.DROPPED)
    same_course = enrolled.filter(cohort__course=OuterRef("course"))
    facilitating = same_course.filter(role=Enrollment.Role.FACILITATOR)
    self_paced = same_course.filter(cohort__pacing=Cohort.Pacing.SELF_PACED)
    released = Session.objects.filter(
        unit=OuterRef("pk"),
        opens_at__lte=timezone.now(),
        cohort__in=enrolled.values("cohort"),
    )
    return units.filter(published=True).filter(
        Exists(facilitating) | Exists(self_paced) | Exists(released)
    )
