"""A real HTTP receiver for webhook tests: 127.0.0.1, its own thread, scripted answers.

Loopback is refused as a webhook destination (integrations.destinations): a test that delivers
to a Receiver allow-lists it with the ``loopback_allowed`` fixture (WEBHOOK_ALLOWED_NETWORKS).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """Answers each POST with the next code of ``codes`` (the last one repeats)."""

    def __init__(self, codes: list[int], headers: dict[str, str] | None = None) -> None:
        self.codes = list(codes)
        extra = dict(headers or {})
        self.received: list[dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.received.append({"headers": dict(self.headers), "body": body})
                code = outer.codes.pop(0) if len(outer.codes) > 1 else outer.codes[0]
                self.send_response(code)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
