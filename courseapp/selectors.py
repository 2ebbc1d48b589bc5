from django.db.models import QuerySet

from accounts.models import User

from .models import Enrollment


def enrollments_for_user(*, user: User) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(user=user)
        .select_related("cohort", "cohort__course")
        .order_by("cohort__start_date", "cohort__name")
    )
