"""What a fellow may read of their own attendance."""

from accounts.models import User
from courseapp.models import Attendance, Cohort


def attendance_for_fellow(*, user: User, cohort: Cohort) -> dict[int, str]:
    """This person's marks at the cohort's sessions: session id -> "present", "absent" or
    "excused". Sessions nobody recorded are missing. One query."""
    return dict(
        Attendance.objects.filter(user=user, session__cohort=cohort).values_list(
            "session_id", "status"
        )
    )
