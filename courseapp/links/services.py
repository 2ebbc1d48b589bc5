"""Link health: check the readings' URLs and record what was found; fellows' broken-link reports.

The check asks for headers only (HEAD) and falls back to GET when a server refuses HEAD or the
HEAD fails; redirects are followed and the URL they end at is kept. Each host gets at most
LINK_CHECK_PER_HOST requests at a time, so a course with many readings on one site does not
hammer it, and the User-Agent names the platform and where it runs.

The URLs are typed by editors but fetched from inside the deployment, so every connection (the
first and each redirect's) first resolves the host and is refused when any of its addresses is not
on the public internet (loopback, private, link-local such as the cloud metadata service,
multicast, reserved), unless LINK_CHECK_ALLOWED_NETWORKS lists it. The socket is then opened to
the very addresses that were checked, so a second DNS answer cannot swap in an internal one;
HTTPS still checks the certificate against the host name.
"""

import functools
import http.client
import ipaddress
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
from django.core.exceptions import ImproperlyConfigured
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


class AddressRefused(OSError):
    """The link's host has an address on a private or local network."""


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@functools.cache
def _allowed_networks(cidrs: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    try:
        return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)
    except ValueError as exc:
        raise ImproperlyConfigured(f"LINK_CHECK_ALLOWED_NETWORKS: {exc}") from None


def _address_allowed(ip: IPAddress) -> bool:
    """On the public internet, with any IPv4 address it carries (IPv4-mapped, 6to4, NAT64), or
    in LINK_CHECK_ALLOWED_NETWORKS."""
    carried = [ip]
    if ip.version == 6:
        carried += [v4 for v4 in (ip.ipv4_mapped, ip.sixtofour) if v4]
        if ip in _NAT64:
            carried.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if all(a.is_global and not a.is_multicast for a in carried):
        return True
    networks = _allowed_networks(tuple(settings.LINK_CHECK_ALLOWED_NETWORKS))
    unmapped = getattr(ip, "ipv4_mapped", None) or ip
    return any(unmapped in network for network in networks)


def _connect_checked(
    address: tuple[str, int], timeout: float, source_address: tuple[str, int] | None = None
) -> socket.socket:
    """socket.create_connection, refusing a host that has any address not allowed, and then
    connecting to the addresses just checked rather than resolving the name again."""
    host, port = address
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not all(_address_allowed(ipaddress.ip_address(info[4][0])) for info in found):
        raise AddressRefused(f"Refused: {host} is on a private or local network")
    error = None
    for *_, sockaddr in found:
        try:
            return socket.create_connection(sockaddr[:2], timeout, source_address)
        except OSError as exc:
            error = exc
    raise error


class _Checked:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_checked  # how http.client opens its socket


class _HTTPConnection(_Checked, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_Checked, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_HTTPSConnection, req)


def _opener() -> urllib.request.OpenerDirector:
    """urlopen's opener with only http and https, both through the address check. No FTP (a
    redirect may point there) and no proxy from the environment: either would connect unchecked."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        _HTTPHandler,
        _HTTPSHandler,
        urllib.request.HTTPRedirectHandler,
        urllib.request.HTTPDefaultErrorHandler,
        urllib.request.HTTPErrorProcessor,
        urllib.request.UnknownHandler,
    ):
        opener.add_handler(handler())
    return opener


_OPENER = _opener()


def _request(url: str, method: str, timeout: float) -> tuple[int, str]:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": user_agent()})
    # The opener follows redirects (HEAD and GET) and raises HTTPError for 4xx and 5xx.
    with _OPENER.open(request, timeout=timeout) as response:
        return response.status, response.geturl()


def _is_timeout(exc: BaseException) -> bool:
    reason = getattr(exc, "reason", exc)
    return isinstance(exc, TimeoutError | socket.timeout) or isinstance(
        reason, TimeoutError | socket.timeout
    )


def _is_refused(exc: BaseException) -> bool:
    return isinstance(getattr(exc, "reason", exc), AddressRefused)


def _failure(exc: BaseException) -> LinkResult:
    if isinstance(exc, urllib.error.HTTPError):
        return LinkResult(LinkStatus.BROKEN, code=exc.code, error=f"HTTP {exc.code} {exc.reason}")
    if _is_timeout(exc):
        return LinkResult(LinkStatus.BROKEN, error="Timed out")
    reason = getattr(exc, "reason", exc)
    return LinkResult(LinkStatus.BROKEN, error=str(reason)[:300] or type(exc).__name__)


def link_check_url(*, url: str, timeout: float | None = None) -> LinkResult:
    """Check one http(s) URL: HEAD, then GET if HEAD was refused or failed (not if it timed
    out: a server too slow for HEAD is too slow for GET, and waiting twice is not polite; nor
    if its address was refused)."""
    timeout = settings.LINK_CHECK_TIMEOUT if timeout is None else timeout
    _allowed_networks(tuple(settings.LINK_CHECK_ALLOWED_NETWORKS))  # a typo stops the check
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return LinkResult(LinkStatus.BROKEN, error="Not a web (http or https) link")
    try:
        code, final_url = _request(url, "HEAD", timeout)
    except Exception as exc:  # noqa: BLE001 (any failure of HEAD is retried with GET)
        if _is_timeout(exc) or _is_refused(exc):
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
