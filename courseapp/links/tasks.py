from celery import shared_task

from courseapp.models import Reading

from . import services


@shared_task(ignore_result=True)
def links_check_task(reading_ids: list[int] | None = None) -> None:
    """Check these readings' links (default: every live reading's)."""
    readings = None if reading_ids is None else Reading.objects.filter(pk__in=reading_ids)
    services.links_check(readings=readings)
