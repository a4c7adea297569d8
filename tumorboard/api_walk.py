"""DRF's walk over an answer's fields, on fields built once per serializer class (issue 22).

A serializer builds its fields for each instance, nested ones included: a deep copy of every
declared field, and for a ModelSerializer a walk over its model. For the case status, a tree
of nine serializers, that was 2.5 ms of a 15 ms answer, every request, to write out the same
fields. ``SharedFieldWalk`` keeps one instance of the class, the template, whose fields are
built on first use and kept, and runs DRF's own ``to_representation`` on it: the same walk,
the same fields, the same answer (a test holds a walk of the class's own fields beside it).

The template is shared by every request, so what it runs must not depend on one: its context
is ``NO_CONTEXT``, which refuses to be read, so a method field or a nested serializer that
reads the request fails at once instead of answering with another request's. Fields keep no
state between calls (the time zone is read on each call), so concurrent walks are safe.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NoReturn, cast

from rest_framework import serializers


class _NoContext(Mapping[str, Any]):
    """The shared template's context: reading it is a programming error, never a fallback."""

    def _refuse(self, *_: object) -> NoReturn:
        raise RuntimeError("a serializer walked by SharedFieldWalk reads its context; "
                           "walk it per instance instead (tumorboard.api_walk)")

    __getitem__ = _refuse

    def __iter__(self) -> Iterator[str]:
        self._refuse()

    def __len__(self) -> int:
        self._refuse()

    def __bool__(self) -> bool:
        return True


NO_CONTEXT: Mapping[str, Any] = _NoContext()
_templates: dict[type[serializers.Serializer], serializers.Serializer] = {}


class SharedFieldWalk(serializers.Serializer):
    """A read-only answer written by DRF's walk over fields built once for the class. For
    serializers whose fields and methods do not read ``self.context`` (``NO_CONTEXT``)."""

    def to_representation(self, instance: Any) -> Any:
        cls = type(self)
        template = _templates.get(cls)
        if template is None:
            # Built twice at worst, by two first requests at once: the same fields either way.
            # DRF's stubs ask for a dict; any mapping is read the same way.
            template = _templates[cls] = cls(context=cast(dict[str, Any], NO_CONTEXT))
        return serializers.Serializer.to_representation(template, instance)
