"""Conditional GET for the pages fellows open all day (home, unit page).

The browser keeps these pages (`Cache-Control: private, no-cache`: only the person's own
browser keeps them, and it asks before each use) and sends back the page's ETag. The ETag
names everything the page is built from, so while it matches, the answer is 304 Not Modified
and nothing is rendered:

- who is asking and their `User.page_version`, which is bumped *in the same transaction* as
  anything that changes what their own pages show (reading marks, feedback, quiz answers,
  enrolments, their profile: `person_changed`, called by the model hooks in pagecache_hooks and
  by the few bulk writes). The request loads the user row anyway, so this costs nothing, and a
  crash or a Redis outage cannot leave it behind the data;
- a content token in the cache, replaced after commit whenever course content or a schedule
  changes (units, readings, objectives, quizzes, cohorts, sessions);
- what else the view names (the fellow's pages: the next moment the person's schedule changes
  by itself, and the header's Facilitate-link flag). A value like the first, worked out by a
  query from the person's data and the content, is kept in the cache by `kept_for_person` under
  the same version and token, so a revalidation does not run its query again;
- the session's CSRF secret (the page carries tokens made from it);
- the code version: the project's files and every installed distribution, so a deploy or a
  dependency upgrade never revalidates a page the old code rendered.

The ETag is worked out before the page is read from the database, so a change that lands while
the page is built can only make the page newer than its ETag, never older: the next request
renders it again. Flash messages and htmx requests get no ETag. While Redis is unreachable the
content token is new on every request, so every page is rendered.
"""

import hashlib
import uuid
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition
from django.views.decorators.vary import vary_on_headers

from accounts.models import User

CONTENT_TOKEN_KEY = "pages:content"
# The content token is replaced at least this often: if Redis was unreachable when an edit
# replaced it, pages from before the edit are revalidated for no longer than this.
CONTENT_TOKEN_SECONDS = 600
_code_version: str | None = None


def code_version() -> str:
    """A fingerprint of the project's files and the installed distributions, computed once
    per process."""
    global _code_version
    if _code_version is None:
        digest = hashlib.sha1(usedforsecurity=False)
        base = Path(settings.BASE_DIR)
        for folder in ("courseapp", "accounts", "quizzes", "templates", "static"):
            for path in sorted((base / folder).rglob("*")):
                if path.suffix in {".py", ".html", ".txt", ".css", ".js", ".svg"}:
                    stat = path.stat()
                    digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        installed = sorted(f"{d.name}=={d.version}" for d in metadata.distributions())
        digest.update("\n".join(installed).encode())
        _code_version = digest.hexdigest()[:12]
    return _code_version


# --- Invalidation ------------------------------------------------------------------------------


def person_changed(user_ids: Iterable[int]) -> None:
    """What these people's own pages show has changed: call inside the transaction that changed
    it, so the new version commits (or rolls back) with the data."""
    ids = {int(pk) for pk in user_ids if pk is not None}
    if ids:
        User.objects.filter(pk__in=ids).update(page_version=F("page_version") + 1)


def content_changed() -> None:
    """Course content or a schedule changed: every page's ETag changes once the change commits
    (earlier, a page rendered from the old rows could be revalidated under the new token)."""
    transaction.on_commit(_new_content_token)


def _new_content_token() -> None:
    cache.set(CONTENT_TOKEN_KEY, uuid.uuid4().hex, CONTENT_TOKEN_SECONDS)


def content_token() -> str:
    return cache.get_or_set(CONTENT_TOKEN_KEY, lambda: uuid.uuid4().hex, CONTENT_TOKEN_SECONDS)


T = TypeVar("T")


def kept_for_person(
    *, user: User, token: str, name: str, work_out: Callable[[], T], fresh: Callable[[T], bool]
) -> T:
    """`work_out()`, kept in the cache under this person's page version and the content token:
    any change to their data or to the content misses it, as it changes the ETag. A kept value
    is used only while `fresh(value)` holds (say, until the moment it names has passed)."""
    key = f"pages:{name}:{user.pk}:{user.page_version}:{token}"
    kept = cache.get(key)
    if kept is not None and fresh(kept[0]):
        return kept[0]
    value = work_out()
    cache.set(key, (value,), CONTENT_TOKEN_SECONDS)
    return value


# --- Serving -----------------------------------------------------------------------------------


def _has_messages(request: HttpRequest) -> bool:
    return "messages" in request.COOKIES or "_messages" in request.session


def per_person(state: Callable[[HttpRequest, str], tuple]) -> Callable:
    """A view decorator: answer 304 while nothing the page shows has changed; the page is kept by
    the person's browser only. `state(request, content_token)` names what else the page is built
    from."""

    def etag(request: HttpRequest, *args, **kwargs) -> str | None:
        user = request.user
        htmx = request.headers.get("HX-Request")
        if not user.is_authenticated or htmx or _has_messages(request):
            return None
        token = content_token()
        built_from = (
            code_version(),
            request.get_full_path(),
            user.pk,
            user.page_version,
            token,
            request.META.get("CSRF_COOKIE", ""),
            *state(request, token),
        )
        return hashlib.sha256(repr(built_from).encode()).hexdigest()[:32]

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        conditional = condition(etag_func=etag)(view)
        private = cache_control(private=True, no_cache=True)
        return private(vary_on_headers("HX-Request")(conditional))

    return decorate
