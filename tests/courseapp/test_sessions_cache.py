"""Sessions in the database, read through the Redis cache (courseapp.platform.sessions): signing
out ends a session even though requests read it from the cache, losing the cached copy signs
nobody out, and a copy stays in the cache no longer than SESSION_CACHE_SECONDS."""

import pytest
import redis
from django.conf import settings
from django.contrib.sessions.models import Session as SessionRow
from django.core.cache import cache
from django.urls import reverse

from courseapp.platform.sessions import SessionStore
from tests.courseapp.test_pagecache import Browser, cached, primed, signed_in, view
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fellow(db):
    return UserFactory(display_name="Ada Fellow")


def _session_key(browser: Browser) -> str:
    return browser.cookies[settings.SESSION_COOKIE_NAME].value


def test_signing_out_ends_the_session_though_requests_read_it_from_the_cache(fellow):
    browser = signed_in(fellow)
    home = reverse("home")
    primed(browser, home)  # the repeat is revalidated with the session read from Redis
    key = _session_key(browser)

    assert browser.post(reverse("account_logout")).status_code == 302

    replayed = Browser()
    replayed.cookies[settings.SESSION_COOKIE_NAME] = key
    response = replayed.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not SessionRow.objects.filter(session_key=key).exists()


def test_a_session_survives_redis_losing_its_copy(fellow):
    browser = signed_in(fellow)
    home = reverse("home")
    primed(browser, home)

    cache.clear()

    page, queries = view(browser, home)
    assert "Ada Fellow" in page
    assert queries > 1  # the session from the database, the page rendered (a new content token)
    assert "Ada Fellow" in cached(browser, home)  # and the session is back in the cache


def test_a_cached_session_expires_from_redis_long_before_the_session_itself(fellow):
    browser = signed_in(fellow)
    store = SessionStore(_session_key(browser))
    redis_key = cache.make_and_validate_key(store.cache_key)
    server = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])

    assert 0 < server.ttl(redis_key) <= settings.SESSION_CACHE_SECONDS
    assert store.get_expiry_age() > settings.SESSION_CACHE_SECONDS

    server.delete(redis_key)  # as when the copy expires: the next read puts it back, capped again
    assert "Ada Fellow" in view(browser, reverse("home"))[0]
    assert 0 < server.ttl(redis_key) <= settings.SESSION_CACHE_SECONDS
