"""Keep cohort schedules in step with the syllabus.

Post-save hooks rather than explicit calls, because units are added from several places (the
Django admin, the syllabus importer, the demo seed) and cohorts from the admin and the seed: one
hook covers them all. Bulk operations (`bulk_create`, `QuerySet.update`) bypass these hooks;
callers that add units that way call `services.cohort_schedule_sessions` themselves.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from courseapp.models import Cohort, Unit

from . import services


@receiver(post_save, sender=Cohort, dispatch_uid="cohort_schedule_on_save")
def cohort_saved(sender, instance: Cohort, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    if created:
        services.cohort_schedule_sessions(cohort=instance)
    else:
        # One UPDATE; cheap enough to run on every save instead of tracking the old lead.
        services.cohort_sessions_reopen(cohort=instance)


@receiver(post_save, sender=Unit, dispatch_uid="unit_schedule_on_save")
def unit_saved(sender, instance: Unit, raw: bool = False, **kwargs) -> None:
    if raw or not instance.published or instance.archived_at is not None:
        return
    for cohort in Cohort.objects.filter(course_id=instance.course_id).exclude(
        sessions__unit=instance
    ):
        services.cohort_schedule_sessions(cohort=cohort)
