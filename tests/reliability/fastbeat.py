"""The project's Celery app with every beat entry every RELIABILITY_BEAT_INTERVAL seconds.

``celery -A tests.reliability.fastbeat beat`` runs the one schedule of tumorboard.celery, only
faster, so that a few minutes of a test hold hundreds of scans.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery

from tumorboard.celery import app

__all__ = ["app"]


@app.on_after_finalize.connect
def _faster(sender: Celery, **kwargs: Any) -> None:
    # Connected after tumorboard.celery's own handler, so it runs after the schedule is set.
    interval = float(os.environ.get("RELIABILITY_BEAT_INTERVAL", "1"))
    for entry in sender.conf.beat_schedule.values():
        entry["schedule"] = interval
