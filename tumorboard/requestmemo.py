"""What may be computed once per request and reused by every query of it (issue 22).

The access rule (``cases.access``) is a condition of several subqueries that Django builds in
a few milliseconds; a home page asked for it nine times. ``memoized`` keeps a value for the rest
of the current request only: outside a request (a task, a shell, a test calling a selector) it
computes every time, so nothing outlives the request that computed it. Keep here only what
holds for the whole request, and call ``forget_all`` when what it was built from changes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("tumorboard_request_memo",
                                                             default=None)


def memoized(key: Hashable, build: Callable[[], T]) -> T:
    """``build()``, computed once per request for ``key``; every time outside a request."""
    memo = _memo.get()
    if memo is None:
        return build()
    if key not in memo:
        memo[key] = build()
    return memo[key]


def forget_all() -> None:
    """Drop what the current request computed so far (what it was built from changed)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()


@contextmanager
def scope() -> Iterator[None]:
    """A memo of its own for the block, as a request has (the middleware below; a test that
    acts as one request)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


class RequestMemoMiddleware:
    """Opens an empty memo for each request and drops it at the end."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with scope():
            return self.get_response(request)
