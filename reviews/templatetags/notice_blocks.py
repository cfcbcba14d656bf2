"""{% recent_notices %}: the latest public notices (公示公告) for the home page."""

from __future__ import annotations

from django import template

from reviews.selectors import public_notices

register = template.Library()


@register.inclusion_tag("guide/_recent_notices.html")
def recent_notices(limit: int = 5) -> dict:
    return {"notices": list(public_notices()[:limit])}
