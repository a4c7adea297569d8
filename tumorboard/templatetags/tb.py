"""Template helpers shared by every page."""

from django import template

register = template.Library()


@register.filter
def words(code: object) -> str:
    """An API code as words: "1_year_or_more" -> "1 year or more"."""
    return str(code).replace("_", " ") if code is not None else ""
