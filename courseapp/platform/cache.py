"""Django's Redis cache, failing soft: when Redis is unreachable, reads miss and writes are
dropped (logged), instead of every page that touches the cache answering 500.

Nothing this app keeps in the cache is the only copy of anything: it holds copies of sessions
(courseapp.platform.sessions; the database keeps them), the content token of the fellows' page
ETags (courseapp.platform.pagecache; a new one only makes pages render again), allauth's
rate-limit counters and TOTP "code already used" markers. While Redis is down the last two are
not enforced (fail open, see SECURITY.md); /healthz reports Redis down so that it is noticed
and fixed.
`clear()` still raises: it is an operator's action, and they should know it did nothing.
"""

import logging
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _soft(fallback):
    """Call the method; on a connection error log it and return `fallback(*args)`."""

    def decorate(method):
        @wraps(method)
        def call(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as error:
                logger.warning("Cache unreachable, %s skipped: %r", method.__name__, error)
                return fallback(*args, **kwargs)

        return call

    return decorate


def _default(key, default=None, *args, **kwargs):
    return default


class FailSoftRedisCache(RedisCache):
    # add() answers True ("stored"): callers that use it as a lock or a once-only marker
    # (allauth's rate limiter, TOTP replay check) then proceed rather than refuse everyone.
    add = _soft(lambda *a, **k: True)(RedisCache.add)
    get = _soft(_default)(RedisCache.get)
    set = _soft(lambda *a, **k: None)(RedisCache.set)
    touch = _soft(lambda *a, **k: False)(RedisCache.touch)
    delete = _soft(lambda *a, **k: False)(RedisCache.delete)
    get_many = _soft(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _soft(lambda *a, **k: False)(RedisCache.has_key)
    incr = _soft(lambda key, delta=1, *a, **k: delta)(RedisCache.incr)
    set_many = _soft(lambda data, *a, **k: list(data))(RedisCache.set_many)
    delete_many = _soft(lambda *a, **k: None)(RedisCache.delete_many)
