"""The session store: sessions kept in the database and read from Redis, and a database that is
down stays a database that is down.

**Reads without a database round trip.** A session is read from the ``sessions`` cache (Redis
when ``REDIS_URL`` is set) and from the database only when the cache does not have it (Django's
``cached_db`` store). The inactivity timeout slides on every request
(``SESSION_SAVE_EVERY_REQUEST``): the cache entry's lifetime is renewed on every request, and
the database row, which outlives a Redis restart, is rewritten when the session's data changed
(login, logout, a message) or when its expiry was last written more than
``SESSION_DB_REFRESH_SECONDS`` ago (60 s). So an authenticated request that changes nothing
costs no query for its session, and a Redis that lost its data costs a clinician at most that
minute of their idle time, never a session that outlives its timeout or a logout: a logout
deletes the row and the cache entry together, and every process reads the one shared cache.
Without ``REDIS_URL`` the cache is Django's dummy one and every read and save is the
database's, as before (a per-process memory cache would keep a session alive in one worker after
its logout in another).

**Database down.** Django's ``SessionStore.save`` turns every ``DatabaseError`` of an update into
``UpdateError``, which ``SessionMiddleware`` answers as 400 "session was deleted"
(``SessionInterrupted``). While PostgreSQL restarts, that would tell a clinician their request
was bad when it was the server's: here the connection errors are raised as they are, so
``tumorboard.dbguard`` answers 503 with Retry-After. A session row that really was deleted (a
logout in a concurrent request) is still a 400, as Django intends. A cache that is down is
skipped (the database answers), never an error, except when a signed-in session is deleted
(a logout, a login over it) and its cache entry cannot be: that request fails rather than leave
a session alive in the cache.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbSessionStore
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.cache.backends.base import BaseCache
from django.utils import timezone

from tumorboard.dbguard import UNAVAILABLE
from tumorboard.errors import SessionCacheUnavailable

logger = logging.getLogger(__name__)
_FORMAT = "tb-session-1"


class SessionStore(CachedDbSessionStore):
    _flushing_login = False
    if TYPE_CHECKING:  # Django's own attributes, which its stubs leave out
        _cache: BaseCache
        _session: dict[str, Any]

        def _get_session_from_db(self) -> Any: ...

    def load(self) -> dict[str, Any]:
        try:
            cached = self._cache.get(self.cache_key)
        except Exception:  # Redis away, or a key it refuses: the database answers
            cached = None
        if isinstance(cached, tuple) and len(cached) == 3 and cached[0] == _FORMAT:
            _, expires, data = cached
            if expires > timezone.now().timestamp():
                return data
            # Past its inactivity timeout, whatever the cache's own clock says; the row's
            # expiry is never later than the entry's, so the database has nothing either.
            self._session_key = None
            return {}
        row = self._get_session_from_db()
        if not row:
            return {}
        data = self.decode(row.session_data)
        self._cache_set(data, self.get_expiry_age(expiry=row.expire_date))
        return data

    def exists(self, session_key: str) -> bool:
        """Whether a new key is taken (a login): the cache, else the database that answers."""
        try:
            if self.cache_key_prefix + session_key in self._cache:
                return True
        except Exception:  # Redis away, or a key it refuses: the database answers
            logger.warning("session cache unavailable; a new session key checked in the database")
        return DatabaseSessionStore.exists(self, session_key)

    def save(self, must_create: bool = False) -> None:
        if must_create or self.modified or self._database_expiry_is_stale():
            self._save_to_database(must_create)
        self._cache_set(self._session, self.get_expiry_age())

    def _save_to_database(self, must_create: bool) -> None:
        try:
            super(CachedDbSessionStore, self).save(must_create=must_create)
        except UpdateError as error:
            cause = error.__context__
            if isinstance(cause, UNAVAILABLE):
                raise cause from None
            raise

    def _database_expiry_is_stale(self) -> bool:
        """True at most once per ``SESSION_DB_REFRESH_SECONDS`` per session (an atomic
        ``SET NX`` with that lifetime), and always when the cache cannot say."""
        if self.session_key is None:
            return True
        try:
            return bool(self._cache.add(f"{self.cache_key}:db", 1,
                                        settings.SESSION_DB_REFRESH_SECONDS))
        except Exception:  # Redis away, or a key it refuses: the database answers
            return True

    def _cache_set(self, data: dict[str, Any], age: int) -> None:
        # The expiry travels with the data: checked on every read, not left to the cache's TTL.
        entry = (_FORMAT, timezone.now().timestamp() + age, data)
        try:
            self._cache.set(self.cache_key, entry, age)
        except Exception:  # Redis away, or a key it refuses: the database answers
            logger.warning("session cache unavailable; the database keeps the session")

    def flush(self) -> None:
        # clear() empties the data before delete() runs: remember whether it was signed in.
        self._flushing_login = SESSION_KEY in self._session
        try:
            super().flush()
        finally:
            self._flushing_login = False

    def delete(self, session_key: str | None = None) -> None:
        signed_in = self._flushing_login or SESSION_KEY in getattr(self, "_session_cache", {})
        DatabaseSessionStore.delete(self, session_key)
        session_key = session_key or self.session_key
        if session_key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:  # Redis away, or a key it refuses: the database answers
            if signed_in:  # never leave a signed-in session alive in the cache: 503, retry
                raise SessionCacheUnavailable("the session cache could not forget a session") \
                    from None
            logger.warning("session cache unavailable; an anonymous session left in it")
