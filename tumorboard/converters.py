"""The path converter of every id in a URL (pages and API): an integer that fits a database key.

Django's ``int`` converter takes any run of digits, and a 40-digit id reached the database as an
overflow (a 500). Longer than 18 digits does not match the URL: a 404, like any other unknown id.
"""

from __future__ import annotations

MAX_ID = 10**18 - 1


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
