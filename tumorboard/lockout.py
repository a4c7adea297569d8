"""The login lockout's authentication backend (django-axes), for every login with a request.

django-axes refuses any authenticate() call without a request. A call without one is not a
login over the network (a management command, the test client's login(), a shell), so there is
no address to lock and nothing to guess from: it passes to the next backend unchecked.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
