"""Link health: check the readings' URLs and record what was found; fellows' broken-link reports.

The check asks for headers only (HEAD) and falls back to GET when a server refuses HEAD or the
HEAD fails; redirects are followed and the URL they end at is kept. Each host gets at most
LINK_CHECK_PER_HOST requests at a time, so a course with many readings on one site does not
hammer it, and the User-Agent names the platform and where it runs.
"""

import socket
import threading
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import zip_longest
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from courseapp.models import LinkStatus, Reading, ReadingLinkReport


@dataclass(frozen=True)
class LinkResult:
    status: str
    code: int | None = None
    error: str = ""
    final_url: str = ""


def user_agent() -> str:
    return f"FellowshipPlatform-LinkCheck/1.0 (+{settings.SITE_URL})"


def _request(url: str, method: str, timeout: float) -> tuple[int, str]:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": user_agent()})
    # urlopen follows redirects (HEAD and GET) and raises HTTPError for 4xx and 5xx.
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) only)
        return response.status, response.geturl()


def _is_timeout(exc: BaseException) -> bool:
    reason = getattr(exc, "reason", exc)
    return isinstance(exc, TimeoutError | socket.timeout) or isinstance(
        reason, TimeoutError | socket.timeout
    )


def _failure(exc: BaseException) -> LinkResult:
    if isinstance(exc, urllib.error.HTTPError):
        return LinkResult(LinkStatus.BROKEN, code=exc.code, error=f"HTTP {exc.code} {exc.reason}")
    if _is_timeout(exc):
        return LinkResult(LinkStatus.BROKEN, error="Timed out")
    reason = getattr(exc, "reason", exc)
    return LinkResult(LinkStatus.BROKEN, error=str(reason)[:300] or type(exc).__name__)


def link_check_url(*, url: str, timeout: float | None = None) -> LinkResult:
    """Check one http(s) URL: HEAD, then GET if HEAD was refused or failed (not if it timed
    out: a server too slow for HEAD is too slow for GET, and waiting twice is not polite)."""
    timeout = settings.LINK_CHECK_TIMEOUT if timeout is None else timeout
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return LinkResult(LinkStatus.BROKEN, error="Not a web (http or https) link")
    try:
        code, final_url = _request(url, "HEAD", timeout)
    except Exception as exc:  # noqa: BLE001 (any failure of HEAD is retried with GET)
        if _is_timeout(exc):
            return _failure(exc)
        try:
            code, final_url = _request(url, "GET", timeout)
        except Exception as exc2:  # noqa: BLE001 (every failure is recorded, none raised)
            return _failure(exc2)
    status = LinkStatus.REDIRECTED if final_url != url else LinkStatus.OK
    return LinkResult(status, code=code, final_url=final_url)


def links_check_urls(*, urls: list[str]) -> dict[str, LinkResult]:
    """Check each distinct URL once, a few at a time and at most LINK_CHECK_PER_HOST at a time
    on any one host."""
    by_host: dict[str, list[str]] = defaultdict(list)
    for url in dict.fromkeys(urls):
        by_host[urlsplit(url).netloc.lower()].append(url)
    # Hosts taken in turn, so the workers are not all queued behind one host's limit.
    distinct = [url for turn in zip_longest(*by_host.values()) for url in turn if url]
    per_host = {host: threading.Semaphore(settings.LINK_CHECK_PER_HOST) for host in by_host}

    def check(url: str) -> tuple[str, LinkResult]:
        with per_host[urlsplit(url).netloc.lower()]:
            return url, link_check_url(url=url)

    if not distinct:
        return {}
    with ThreadPoolExecutor(max_workers=min(settings.LINK_CHECK_WORKERS, len(distinct))) as pool:
        return dict(pool.map(check, distinct))


def links_check(*, readings: QuerySet[Reading] | None = None) -> dict[str, int]:
    """Check the links of these live readings (default: all) and record the results. A
    reading with no link and no hosted text is recorded as missing. Returns counts by status."""
    readings = (Reading.objects.all() if readings is None else readings).filter(archived_at=None)
    now = timezone.now()
    counts: dict[str, int] = defaultdict(int)
    missing = readings.filter(url="", body="").update(
        link_status=LinkStatus.MISSING,
        link_status_code=None,
        link_error="",
        link_final_url="",
        link_checked_at=now,
    )
    counts[LinkStatus.MISSING] += missing
    rows = list(readings.exclude(url="").values_list("pk", "url"))
    results = links_check_urls(urls=[url for _, url in rows])
    by_url: dict[str, list[int]] = defaultdict(list)
    for pk, url in rows:
        by_url[url].append(pk)
    checked_at = timezone.now()
    for url, pks in by_url.items():
        result = results[url]
        Reading.objects.filter(pk__in=pks).update(
            link_status=result.status,
            link_status_code=result.code,
            link_error=result.error[:300],
            link_final_url=result.final_url[:1000],
            link_checked_at=checked_at,
        )
        counts[result.status] += len(pks)
    return dict(counts)


class ReportRefused(Exception):
    """The fellow has reported too many links in the last hour."""


def _report_rate_key(user_id: int) -> str:
    return f"links:reports:{user_id}"


@transaction.atomic
def reading_link_report(*, user, reading: Reading) -> bool:
    """Record that this fellow finds this reading's link broken. Counted once per fellow and
    reading: returns False if they had already reported it. At most LINK_REPORTS_PER_HOUR new
    reports a fellow an hour (ReportRefused beyond)."""
    if ReadingLinkReport.objects.filter(user=user, reading=reading).exists():
        return False
    key = _report_rate_key(user.pk)
    cache.add(key, 0, timeout=3600)
    try:
        made = cache.incr(key)
    except ValueError:  # expired (or the cache dropped it) between add and incr
        cache.set(key, 1, timeout=3600)
        made = 1
    if made > settings.LINK_REPORTS_PER_HOUR:
        raise ReportRefused
    try:
        with transaction.atomic():
            ReadingLinkReport.objects.create(user=user, reading=reading)
    except IntegrityError:  # the same fellow's second click, at the same moment
        return False
    Reading.objects.filter(pk=reading.pk).update(link_reports=F("link_reports") + 1)
    return True
