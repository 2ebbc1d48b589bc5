from courseapp.models import Enrollment, Reminder
from courseapp.reminders.services import reminders_sweep


def sweep(clock, when):
    clock.move_to(when, tick=False)
    return reminders_sweep()


def kinds_for(user) -> list[str]:
    return sorted(Reminder.objects.filter(recipient=user).values_list("kind", flat=True))


def set_status(user, cohort, status) -> None:
    Enrollment.objects.filter(user=user, cohort=cohort).update(status=status)
