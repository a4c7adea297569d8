"""python manage.py runstack: the web server, a Celery worker, the webhook worker, Celery
beat and the HL7 v2 ADT listener, together.

For development and demos. Ctrl-C (or any one of them dying) stops them all. Production
runs them as separate services (deploy/).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

#: How long the web server may take to listen before the stack gives up.
WEB_START_SECONDS = 120


def _listening(host: str, port: int, web: subprocess.Popen[bytes], timeout: float) -> bool:
    """Whether ``web`` accepts connections on ``host:port`` within ``timeout`` seconds (False as
    soon as it exits)."""
    deadline = time.monotonic() + timeout
    while web.poll() is None and time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=1).close()
        except OSError:
            time.sleep(0.2)
            continue
        return True
    return False


class Command(BaseCommand):
    help = "Run the web server, the Celery workers and Celery beat until Ctrl-C."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default=os.environ.get("RUN_ADDR", "127.0.0.1:8000"))
        parser.add_argument("--concurrency", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "tumorboard"]
        commands = {
            "web": [python, "manage.py", "runserver", options["addr"], "--noreload"],
            "worker": [*celery, "worker", "--loglevel=INFO", "-Q",
                       settings.CELERY_TASK_DEFAULT_QUEUE,
                       f"--concurrency={options['concurrency']}", "--hostname=worker@%h"],
            # Webhook deliveries apart, so that a slow receiver never delays an alert.
            "webhooks": [*celery, "worker", "--loglevel=INFO", "-Q",
                         settings.CELERY_WEBHOOK_QUEUE, "--pool=threads", "--concurrency=4",
                         "--hostname=webhooks@%h"],
            # The HL7 v2 ADT listener (MLLP), ADT_LISTEN_HOST:ADT_LISTEN_PORT (issue 21).
            "adt": [python, "manage.py", "adt_listener"],
            "beat": [*celery, "beat", "--loglevel=INFO",
                     f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}"],
        }
        procs: dict[str, subprocess.Popen[bytes]] = {}
        warned: set[str] = set()
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            for name, command in commands.items():
                procs[name] = subprocess.Popen(command, cwd=settings.BASE_DIR)  # noqa: S603
            host, _, port = options["addr"].rpartition(":")
            # "Running" once the web server answers: a person who opens the address at once
            # would otherwise meet a refused connection while it starts.
            if not _listening(host or "127.0.0.1", int(port), procs["web"], WEB_START_SECONDS):
                raise CommandError(f"the web server did not listen on {options['addr']} within "
                                   f"{WEB_START_SECONDS} s: the others are stopped.")
            self.stdout.write(self.style.SUCCESS(
                f"\nTumor board running at http://{host or '127.0.0.1'}:{port}/  "
                f"(web pid {procs['web'].pid}, worker pid {procs['worker'].pid}, webhook worker "
                f"pid {procs['webhooks'].pid}, beat pid {procs['beat'].pid}, ADT listener pid "
                f"{procs['adt'].pid} on {settings.ADT_LISTEN_HOST}:{settings.ADT_LISTEN_PORT})."
                f" Ctrl-C stops them all.\n"
                f"Demo logins: breast1, breast2, neuro1, neuro2, radonc1, radonc2, medonc1, "
                f"medonc2, coordinator, admin; password {settings.DEMO_PASSWORD}\n"
            ))
            while not stopping:
                dead = [name for name, proc in procs.items() if proc.poll() is not None]
                if "adt" in dead and "adt" not in warned:
                    # The ADT listener is optional in development (its port may be taken):
                    # the rest of the stack goes on without it.
                    warned.add("adt")
                    self.stderr.write("the ADT listener stopped (is ADT_LISTEN_PORT free?): "
                                      "the rest goes on without it.")
                dead = [name for name in dead if name != "adt"]
                if dead:
                    self.stderr.write(f"{', '.join(dead)} stopped: stopping the others.")
                    break
                time.sleep(0.5)
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for proc in procs.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
            self.stdout.write("Stopped web, workers and beat.")
