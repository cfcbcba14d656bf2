"""Blocks of the public site: {% site_footer %} (主办单位, 受理单位, contact from settings) and
{% open_windows %} (申报批次 open now with their closing dates)."""

from __future__ import annotations

from django import template
from django.conf import settings

from ..site_selectors import site_units, windows_open_now

register = template.Library()


@register.inclusion_tag("guide/_footer.html", takes_context=True)
def site_footer(context) -> dict:
    user = context.get("user")
    return {
        "units": site_units(),
        "contact": settings.PORTAL_SERVICE_CONTACT,
        "is_admin": bool(user is not None and getattr(user, "is_bureau_admin", False)),
    }


@register.inclusion_tag("guide/_open_windows.html")
def open_windows(limit: int = 8) -> dict:
    return {"windows": list(windows_open_now(limit=limit))}
