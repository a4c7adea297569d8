"""``{% minutes_signoff meeting as signoff %}``: the meeting page shows the chair's sign-off
without the meetings views knowing of this app (DESIGN.md, Layers)."""

from __future__ import annotations

from typing import Any

from django import template

from ..models import MinutesSignoff

register = template.Library()


@register.simple_tag
def minutes_signoff(meeting: Any) -> MinutesSignoff | None:
    return MinutesSignoff.objects.filter(meeting_id=meeting.pk).select_related(
        "signed_by").first()
