"""E-mail backends that pause inside ``send``: the window the worker-death tests kill a worker in
(the alert row locked by referrals.alerts, nothing handed to the mail server yet).

Test code only; production has no such hook. A worker process selects the file variant with
``DJANGO_SETTINGS_MODULE=tests.reliability.slowmail_settings`` (see there); a test in the pytest
process sets ``settings.EMAIL_BACKEND`` to the in-memory variant.

``SLOW_MAIL_SECONDS`` (default 1) is the pause. When ``SLOW_MAIL_SIGNAL_DIR`` is set, each send
drops a file there as its pause begins, so that a test can wait for "inside the window" instead
of sleeping and hoping.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from django.core.mail import EmailMessage
from django.core.mail.backends import filebased, locmem


def _pause() -> None:
    signal_dir = os.environ.get("SLOW_MAIL_SIGNAL_DIR")
    if signal_dir:
        folder = Path(signal_dir)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"sending-{os.getpid()}-{uuid.uuid4().hex[:8]}").touch()
    time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "1")))


class SlowFileBackend(filebased.EmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        _pause()
        return super().send_messages(email_messages)


class SlowLocmemBackend(locmem.EmailBackend):
    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        _pause()
        return super().send_messages(messages)
