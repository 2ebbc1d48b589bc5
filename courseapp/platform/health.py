import redis
from django.conf import settings
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.utils import timezone

from courseapp.models import WorkerHeartbeat


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


def check_redis() -> str:
    if not settings.REDIS_URL:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return "not configured (tasks run eagerly)"
        return "not configured (tasks go through the broker at CELERY_BROKER_URL)"
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"error: {exc.__class__.__name__}"
    finally:
        client.close()
    return "ok"


def worker_last_seen() -> str:
    try:
        latest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True)[:1]
        seen_at = next(iter(latest), None)
    except DatabaseError:
        return "unknown"
    if seen_at is None:
        return "never"
    return f"{int((timezone.now() - seen_at).total_seconds())}s ago"


def health_report() -> tuple[bool, dict[str, str]]:
    report = {"database": check_database(), "redis": check_redis()}
    healthy = not any(value.startswith("error") for value in report.values())
    # The worker is informative only: a deploy without beat must not be reported down.
    report["worker_last_seen"] = worker_last_seen() if report["database"] == "ok" else "unknown"
    return healthy, report


def worker_heartbeat_record(*, hostname: str) -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"seen_at": timezone.now()}
    )
    return heartbeat
