"""Links of a table's rows, reversed once per table and filled in for each row.

``reverse()`` resolves the URLconf on every call; a table of 50 rows asked it 50 to 150 times
(bench/RESULTS.md, issue 22). ``RowLink("cases:case-detail").to(pk)`` reverses once, with a
placeholder, and fills in each row's ids. The path is the one ``reverse`` gives, script prefix
included.
"""

from __future__ import annotations

from django.urls import reverse

_ID = 987654321  # a placeholder that no other part of a path contains
_WORD = "PLACEHOLDERWORD"


class RowLink:
    """The path of ``name`` for each row: ``to(pk)``, or ``to(pk, word)`` for a route that also
    takes a word (an action's name)."""

    def __init__(self, name: str, *, word: bool = False) -> None:
        self.path = reverse(name, args=[_ID, _WORD] if word else [_ID])

    def to(self, pk: int, word: str = "") -> str:
        return self.path.replace(str(_ID), str(int(pk))).replace(_WORD, word)
