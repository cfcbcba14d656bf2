"""{% facts_comparison app %}: on the reviewer's page, what the application declared beside the
enterprise's facts (一企一档), differences flagged. A template tag, so that reviews imports nothing of
proactive (proactive imports reviews)."""

from __future__ import annotations

from django import template

from ..selectors import declared_vs_facts

register = template.Library()


@register.inclusion_tag("proactive/_comparison.html")
def facts_comparison(application) -> dict:
    rows = declared_vs_facts(application)
    return {"rows": rows, "differences": sum(1 for r in rows if r["differs"])}
