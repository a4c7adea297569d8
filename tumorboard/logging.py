"""One JSON object per log line, for production (LOG_FORMAT=json).

A line carries the time (UTC, ISO 8601), the level, the logger, the message and, for an
exception, its type only: exception text and tracebacks can quote values (a patient's name in a
failed query), so they stay out of production logs. Messages themselves carry ids, never names
(see the loggers pinned in settings.LOGGING).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# Attributes a LogRecord always has; anything else was passed with `extra=` and is kept if it is
# a plain scalar (ids, counts, durations).
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and (
                value is None or isinstance(value, str | int | float | bool)
            ):
                entry.setdefault(key, value)
        return json.dumps(entry, ensure_ascii=False, default=str)
