"""The session store: Django's database sessions, except that a database that is down stays
a database that is down.

Django's ``SessionStore.save`` turns every ``DatabaseError`` of an update into ``UpdateError``,
which ``SessionMiddleware`` answers as 400 "session was deleted" (``SessionInterrupted``). While
PostgreSQL restarts, that would tell a clinician their request was bad when it was the server's:
here the connection errors are raised as they are, so ``tumorboard.dbguard`` answers 503 with
Retry-After. A session row that really was deleted (a logout in a concurrent request) is still
a 400, as Django intends.
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from tumorboard.dbguard import UNAVAILABLE


class SessionStore(DatabaseSessionStore):
    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as error:
            cause = error.__context__
            if isinstance(cause, UNAVAILABLE):
                raise cause from None
            raise
