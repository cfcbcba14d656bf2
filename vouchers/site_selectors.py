"""What the public pages of the site show from the catalogue: the windows open now with their
closing dates (申报窗口), and the units the footer names (主办单位 the policies' issuing authorities,
受理单位 the programmes' responsible units) — read from the catalogue, never written in code."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from .models import ApplicationWindow, Policy, Programme


def windows_open_now(*, limit: int = 8) -> QuerySet[ApplicationWindow]:
    """申报批次 accepting submissions now, the soonest to close first."""
    now = timezone.now()
    return (
        ApplicationWindow.objects.filter(opens_at__lte=now, closes_at__gt=now)
        .select_related("programme__policy")
        .order_by("closes_at", "pk")[:limit]
    )


SITE_UNITS_KEY = "site-units"
SITE_UNITS_SECONDS = 600  # the backstop for catalogue writes that bypass the model signals (update())


def site_units() -> dict[str, list]:
    """The footer's units (below), read on every page: kept in the site cache, one entry per language
    (a policy's status is worded in it), dropped when a policy or programme is saved or deleted."""
    key = f"{SITE_UNITS_KEY}:{translation.get_language()}"
    units = cache.get(key)
    if units is None:
        units = _site_units()
        cache.set(key, units, SITE_UNITS_SECONDS)
    return units


def site_units_forget(**_signal) -> None:
    """Drop the cached units now and again at commit (a page read meanwhile may have cached the rows
    as they were before the change)."""

    def forget() -> None:
        cache.delete_many([f"{SITE_UNITS_KEY}:{code}" for code, _name in settings.LANGUAGES])

    forget()
    transaction.on_commit(forget)


def _site_units() -> dict[str, list]:
    """主办单位 (the issuing authorities of the policies in force) and 受理单位 (the programmes'
    responsible units, else their policy's issuing authority), each named once, in catalogue order."""
    hosts: list[str] = []
    handlers: list[str] = []
    policies = Policy.objects.exclude(status=Policy.Status.EXPIRED).prefetch_related("programmes").order_by("code")
    for policy in policies:
        for unit in policy.issuers or [policy.letter_authority]:
            if unit and unit not in hosts:
                hosts.append(unit)
        for programme in policy.programmes.all():
            unit = (programme.responsible_unit or policy.letter_authority or "").strip()
            if unit and unit not in handlers:
                handlers.append(unit)
    return {
        "hosts": hosts,
        "handlers": handlers,
        "policies": [
            {
                "title": p.title,
                "number": p.document_number,
                "status": p.get_status_display(),
                "draft": p.status == Policy.Status.DRAFT,
            }
            for p in policies
        ],
    }


SEARCH_MAX = 50  # characters of a keyword search


def catalogue_search(*, q: str) -> dict[str, list]:
    """关键词检索 the programmes and policies whose name, summary, conditions or clause mention every
    word of `q` (separated by spaces)."""
    words = [w for w in (q or "").split() if w][:5]
    if not words:
        return {"programmes": [], "policies": []}
    programmes = Programme.objects.select_related("policy")
    policies = Policy.objects.all()
    for word in words:
        programmes = programmes.filter(
            Q(name_zh__icontains=word)
            | Q(name_en__icontains=word)
            | Q(summary_zh__icontains=word)
            | Q(eligibility_zh__icontains=word)
            | Q(clause_text__icontains=word)
            | Q(responsible_unit__icontains=word)
        )
        policies = policies.filter(
            Q(title__icontains=word) | Q(document_number__icontains=word) | Q(note__icontains=word)
        )
    return {
        "programmes": list(programmes.order_by("policy__code", "sort_order", "code")[:50]),
        "policies": list(policies.order_by("code")[:20]),
    }
