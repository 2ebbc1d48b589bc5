from django.db.models import QuerySet

from accounts.models import User
from courseapp.models import CalendarFeed, Enrollment, Session


def feed_by_token(*, token: str) -> CalendarFeed | None:
    """The feed this secret opens, with its owner; None for an unknown or reset secret, or an
    account that is inactive or deleted. One query."""
    return (
        CalendarFeed.objects.select_related("user")
        .filter(token=token, user__is_active=True, user__retired_at=None)
        .first()
    )


def calendar_enrollments(*, user: User) -> QuerySet[Enrollment]:
    """The cohorts whose sessions go into this person's feed: every enrolment but dropped ones,
    as fellow or facilitator."""
    return (
        Enrollment.objects.filter(user=user)
        .exclude(status=Enrollment.Status.DROPPED)
        .select_related("cohort__course")
        .order_by("cohort__start_date", "cohort__name", "pk")
    )


def calendar_sessions(*, user: User) -> list[Session]:
    """Every session of this person's cohorts on a published, live unit, in time order, with
    unit, cohort and course loaded. One query whatever the number of cohorts and sessions."""
    cohorts = calendar_enrollments(user=user).order_by().values("cohort_id")
    return list(
        Session.objects.on_live_units()
        .filter(cohort__in=cohorts)
        .select_related("unit", "cohort__course")
        .order_by("starts_at", "pk")
    )
