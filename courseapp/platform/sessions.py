"""Sessions in the database, read through the Redis cache (`SESSION_ENGINE`).

Django's cached_db store, with one change: a session stays in the cache for at most
SESSION_CACHE_SECONDS, however long the session itself lasts. The database stays the record;
the cache saves each request a database query. While Redis is unreachable every read falls back
to the database (courseapp.platform.cache fails soft), so nobody is signed out by an outage.

Why the limit: signing out deletes the session from both. If Redis is unreachable at that very
moment, its copy survives, and a stolen cookie could be replayed until that copy expires; the
limit bounds that window (SECURITY.md).
"""

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore


class SessionStore(CachedDBStore):
    def _cache_seconds(self, expiry=None) -> int:
        age = self.get_expiry_age(expiry=expiry) if expiry else self.get_expiry_age()
        return min(age, settings.SESSION_CACHE_SECONDS)

    def load(self) -> dict:
        data = self._cache.get(self.cache_key)
        if data is not None:
            return data
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        self._cache.set(self.cache_key, data, self._cache_seconds(row.expire_date))
        return data

    def save(self, must_create: bool = False) -> None:
        super(CachedDBStore, self).save(must_create)
        self._cache.set(self.cache_key, self._session, self._cache_seconds())
