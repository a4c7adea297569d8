"""The server's own floor: a WSGI answer without Django (no middleware, session, user or
query), served by the same gunicorn settings (deploy/gunicorn.conf.py) as the application, so
that bench/run reports what the web server, the loopback and the load generator cost by
themselves beside the authenticated do-nothing endpoint (``/api/v1/ping/``).

``gunicorn -c deploy/gunicorn.conf.py bench.bare_wsgi:application``
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

BODY = b'{"ok":true}'


def application(environ: dict[str, Any],
                start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(BODY)))])
    return [BODY]
