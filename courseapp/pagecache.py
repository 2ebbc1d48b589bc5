"""Per-person page cache for the pages fellows open all day (home, unit page).

A page is rendered once and kept in the cache under the session, the path and the code version
(one Redis round trip then fetches the session and the page together), with what it was built
from, all of which must still hold for it to be served:

- whose it is: served only when the session's signed-in user is the one it was built for, with
  the same Facilitate-link flag in the header;
- the person's `User.page_version`, which is bumped *in the same transaction* as anything that
  changes what their own pages show (reading marks, feedback, quiz answers, enrolments, their
  profile: see `person_changed` and the hooks below). The request loads the user row anyway to
  authenticate, so checking it costs nothing, and a crash or a Redis outage cannot leave it
  behind the data;
- a content token in the cache, replaced after commit whenever course content or a schedule
  changes (units, readings, objectives, quizzes, cohorts, sessions);
- a time limit: the next moment the page would render differently by itself (a unit opening,
  a session starting, a feedback window closing), and never more than PAGE_CACHE_SECONDS.

A cached page is served only if all three still hold; otherwise the view runs as usual. The CSRF
token is not cached: pages are rendered with a placeholder that each response replaces with the
request's own token. Pages with flash messages, htmx requests and anything but a 200 are never
cached. When Redis is unreachable every lookup misses (courseapp.cache fails soft) and pages are
rendered as if there were no cache.

What can still be stale, and for how long: if Redis drops the content-token write after an admin
edit (an outage at that moment), pages built before it may be served until PAGE_CACHE_SECONDS
pass. Everything a fellow does is covered by page_version, in the database.
"""

import hashlib
import logging
import time
import uuid
import zlib
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from accounts.models import User

logger = logging.getLogger(__name__)

CONTENT_TOKEN_KEY = "pages:content"
# Replaced by each request's own token; the characters are all safe in HTML and JSON.
CSRF_PLACEHOLDER = "csrf-placeholder-6f0c1d2e"
_CSRF_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
_code_version: str | None = None


def code_version() -> str:
    """A fingerprint of the templates, static files and Python code, so a deploy never serves
    pages that the previous code rendered (or that name its hashed static files). Computed once
    per process from file names, sizes and times."""
    global _code_version
    if _code_version is None:
        digest = hashlib.sha1(usedforsecurity=False)
        base = Path(settings.BASE_DIR)
        for folder in ("courseapp", "accounts", "quizzes", "templates", "static"):
            for path in sorted((base / folder).rglob("*")):
                if path.suffix in {".py", ".html", ".txt", ".css", ".js", ".svg"}:
                    stat = path.stat()
                    digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        _code_version = digest.hexdigest()[:12]
    return _code_version


def _enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


# --- Invalidation ------------------------------------------------------------------------------


def person_changed(user_ids: Iterable[int]) -> None:
    """What these people's own pages show has changed: call inside the transaction that changed
    it, so the new version commits (or rolls back) with the data."""
    ids = {int(pk) for pk in user_ids if pk is not None}
    if ids:
        User.objects.filter(pk__in=ids).update(page_version=F("page_version") + 1)


def content_changed() -> None:
    """Course content or a schedule changed: every cached page goes, once the change commits
    (earlier, a page rendered from the old rows could be stored under the new token)."""
    transaction.on_commit(_new_content_token)


def _new_content_token() -> None:
    cache.set(CONTENT_TOKEN_KEY, uuid.uuid4().hex, None)


# --- Serving -----------------------------------------------------------------------------------


def _cacheable(request: HttpRequest) -> bool:
    """Whether to look in the cache at all (before anything loads the session)."""
    return (
        _enabled()
        and request.method == "GET"
        and not getattr(request, "htmx", False)
        and "messages" not in request.COOKIES
        and bool(request.session.session_key)
    )


def _key(request: HttpRequest) -> str:
    """Pages are kept per session, so that one Redis round trip fetches the session and the
    page together; whose page it is, is checked once the session has said who is asking."""
    seen = f"{request.session.session_key}:{request.get_full_path()}"
    return f"page:{code_version()}:{hashlib.sha256(seen.encode()).hexdigest()}"


def _facilitate_link(request: HttpRequest) -> bool:
    # The header's Facilitate link follows a flag the session keeps and renews
    # (facilitate/nav.py): a kept page must show what the session would show now.
    from courseapp.facilitate.nav import show_facilitate_link

    return show_facilitate_link(request)


def _response(request: HttpRequest, body: bytes, content_type: str) -> HttpResponse:
    # Bytes throughout: decoding a unit page's 33 KB and encoding it again took longer than
    # the rest of building the response.
    token = get_token(request).encode()
    return HttpResponse(body.replace(_CSRF_PLACEHOLDER_BYTES, token), content_type)


class _Pending:
    """A page the view is rendering for the cache: what it was built from, and the result."""

    def __init__(self, key: str, token: str, person: tuple) -> None:
        self.key, self.token, self.person = key, token, person
        self.body: bytes | None = None
        self.content_type = ""
        self.until: float = 0

    def store(self) -> None:
        ttl = min(self.until - time.time(), settings.PAGE_CACHE_SECONDS)
        if self.body is not None and ttl >= 1:
            # Compressed: a unit page is about 32 KB of HTML and 6 KB deflated, per session.
            packed = zlib.compress(self.body, 6)
            entry = (self.token, self.person, self.until, self.content_type, packed)
            cache.set(self.key, entry, int(ttl))


def per_person(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's page from the cache while nothing it shows has changed. The view renders
    with `render_page` for its page to be kept; anything else it returns passes through."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key, session = _key(request), request.session
        found = cache.get_many([CONTENT_TOKEN_KEY, key, session.cache_key])
        session.prime(found.get(session.cache_key))
        if not request.user.is_authenticated or "_messages" in session:
            return view(request, *args, **kwargs)
        token, entry = found.get(CONTENT_TOKEN_KEY), found.get(key)
        # Who the page was built for and at which version of their pages; the session's
        # Facilitate-link flag.
        person = (request.user.pk, request.user.page_version, _facilitate_link(request))
        if entry and token and entry[:2] == (token, person) and entry[2] > time.time():
            return _response(request, zlib.decompress(entry[4]), entry[3])
        if token is None:
            token = uuid.uuid4().hex
            if not cache.add(CONTENT_TOKEN_KEY, token, None):
                token = cache.get(CONTENT_TOKEN_KEY)
        request._page_pending = _Pending(key, token, person) if token else None
        response = view(request, *args, **kwargs)
        pending = request._page_pending
        if pending is not None and response.status_code == 200:
            pending.store()
        return response

    return wrapped


def render_page(
    request: HttpRequest, template: str, context: dict, *, until: datetime | None
) -> HttpResponse:
    """Render like `django.shortcuts.render`; under `per_person`, keep the page until `until`
    (the next moment it would change by itself; None: no such moment)."""
    pending: _Pending | None = getattr(request, "_page_pending", None)
    if pending is None:
        return HttpResponse(render_to_string(template, context, request))
    body = render_to_string(template, context | {"csrf_token": CSRF_PLACEHOLDER}, request).encode()
    pending.body, pending.content_type = body, "text/html; charset=utf-8"
    pending.until = until.timestamp() if until else time.time() + settings.PAGE_CACHE_SECONDS
    return _response(request, body, pending.content_type)
