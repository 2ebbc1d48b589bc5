"""Demo attendance: the demo cohorts' sessions that have already started, taken by their
facilitator. Everyone came, except the last fellow of each cohort, who missed the most recent
session (so the cohort page shows "Missed the last session" as an at-risk reason).

Idempotent and never overwrites a mark: a second run, or one after a facilitator changed a
mark by hand, leaves every existing mark as it is. Sessions still to come get nothing, so on
a fresh seed (cohort A's first session is tomorrow) this records marks only once a session
has passed and the seed is run again.
"""

from django.utils import timezone

from courseapp.models import Attendance, Cohort, Course, Enrollment, Session

from .accounts import FACILITATORS, FELLOWS, demo_user


def seed_attendance(course: Course) -> list[str]:
    summary = []
    for letter, facilitator in FACILITATORS.items():
        cohort = Cohort.objects.filter(course=course, name=f"Cohort {letter}").first()
        if cohort is None:
            continue
        created = _take(cohort, demo_user(facilitator, display_name=""), FELLOWS[letter])
        if created:
            summary.append(f"{cohort.name}: {created} attendance marks")
    return summary


def _take(cohort: Cohort, facilitator, emails: list[str]) -> int:
    held = list(
        Session.objects.filter(cohort=cohort, starts_at__lte=timezone.now()).order_by(
            "starts_at", "pk"
        )
    )
    fellows = list(
        Enrollment.objects.filter(
            cohort=cohort, role=Enrollment.Role.FELLOW, user__email__in=emails
        )
        .exclude(status=Enrollment.Status.DROPPED)
        .order_by("user__email")
        .values_list("user_id", flat=True)
    )
    created = 0
    for session in held:
        for user_id in fellows:
            missed = session == held[-1] and user_id == fellows[-1]
            status = Attendance.Status.ABSENT if missed else Attendance.Status.PRESENT
            _, new = Attendance.objects.get_or_create(
                session=session,
                user_id=user_id,
                defaults={"status": status, "recorded_by": facilitator},
            )
            created += new
    return created
