"""python manage.py adt_listener: the HL7 v2 ADT listener (MLLP over TCP), until SIGTERM or
Ctrl-C. Host and port from ADT_LISTEN_HOST / ADT_LISTEN_PORT (or --host / --port)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from integrations.adt.listener import make_server


class Command(BaseCommand):
    help = "Listen for HL7 v2 ADT messages over MLLP and answer each with an ACK."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=None)
        parser.add_argument("--port", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        server = make_server(options["host"], options["port"])
        host, port = str(server.server_address[0]), int(server.server_address[1])

        def stop(*_: object) -> None:
            # shutdown() waits for serve_forever(): call it from another thread.
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"ADT listener (MLLP) on {host}:{port}", ending="\n")
        self.stdout.flush()
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()
        self.stdout.write("ADT listener stopped.")
