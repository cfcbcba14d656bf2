"""快申快享 on the applicant's pages (applications' templates; applications imports nothing of
proactive): the pre-filled start, the sources of pre-filled values, the library files to reuse."""

from __future__ import annotations

from django import template

from applications.selectors import enterprise_of

from ..prefill import prefill_for, prefill_rows
from ..selectors_quick import library_offers

register = template.Library()


@register.inclusion_tag("proactive/_quick_start.html")
def quick_start_form(programme, carried, user) -> dict:
    """The start button: the values the enterprise's facts will pre-fill, each with its source."""
    enterprise = enterprise_of(user)
    carried_names = {name.removeprefix("in_") for name, _value in carried or []}
    prefill = prefill_for(enterprise_id=enterprise.pk, programme=programme) if enterprise is not None else {}
    return {
        "programme": programme,
        "carried": carried,
        "prefill": [p for name, p in prefill.items() if name not in carried_names],
    }


@register.inclusion_tag("proactive/_prefill_sources.html")
def prefill_sources(application) -> dict:
    return {"rows": prefill_rows(application)}


@register.inclusion_tag("proactive/_library_offer.html")
def library_offer(application, user) -> dict:
    return {"app": application, "offers": library_offers(actor=user, application=application)}
