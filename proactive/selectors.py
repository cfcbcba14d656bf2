"""Reads of proactive, scoped to the actor: an enterprise user sees their own enterprise's facts,
contests and matches; reviewing staff those of enterprises registered in their district (all for the
system administrator); nobody else anything."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from applications.models import Application, EnterpriseMember
from portal.models import Role
from portal.permissions import district_q, is_active_user, is_reviewing_staff, may_import_enterprise_facts

from . import facts as F
from .matching import fact_for
from .models import AutoAwardBatch, AutoAwardCandidate, EnterpriseFact, FactContest, FactImport, MatchRun


def _own_enterprise_id(actor) -> int | None:
    if not is_active_user(actor) or actor.role != Role.ENTERPRISE:
        return None
    return EnterpriseMember.objects.filter(user=actor).values_list("enterprise_id", flat=True).first()


def facts_for_actor(*, actor) -> QuerySet[EnterpriseFact]:
    qs = EnterpriseFact.objects.select_related("fact_import", "enterprise").order_by("enterprise_id", "kind", "-period")
    if is_reviewing_staff(actor):
        return qs.filter(district_q(actor, "enterprise__registered_district"))
    own = _own_enterprise_id(actor)
    return qs.filter(enterprise_id=own) if own else qs.none()


def fact_get_for_actor(*, actor, pk: Any) -> EnterpriseFact:
    try:
        return facts_for_actor(actor=actor).get(pk=pk)
    except (EnterpriseFact.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def contests_for_actor(*, actor) -> QuerySet[FactContest]:
    qs = FactContest.objects.select_related("fact__enterprise").order_by("-created_at", "-id")
    if is_reviewing_staff(actor):
        return qs.filter(district_q(actor, "fact__enterprise__registered_district"))
    own = _own_enterprise_id(actor)
    return qs.filter(fact__enterprise_id=own) if own else qs.none()


def contest_get_for_actor(*, actor, pk: Any) -> FactContest:
    try:
        return contests_for_actor(actor=actor).get(pk=pk)
    except (FactContest.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def imports_for_actor(*, actor) -> QuerySet[FactImport]:
    return FactImport.objects.all() if may_import_enterprise_facts(actor) else FactImport.objects.none()


def runs_for_actor(*, actor) -> QuerySet[MatchRun]:
    return MatchRun.objects.all() if may_import_enterprise_facts(actor) else MatchRun.objects.none()


def auto_batches_for_actor(*, actor) -> QuerySet[AutoAwardBatch]:
    """免申 batches: bureau administrators', of their district's programmes."""
    if not may_import_enterprise_facts(actor):
        return AutoAwardBatch.objects.none()
    return AutoAwardBatch.objects.select_related("programme__policy").filter(
        district_q(actor, "programme__policy__district")
    )


def auto_batch_get_for_actor(*, actor, pk: Any) -> AutoAwardBatch:
    try:
        return auto_batches_for_actor(actor=actor).get(pk=pk)
    except (AutoAwardBatch.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def auto_awards_for_actor(*, actor) -> QuerySet[AutoAwardCandidate]:
    """免申即享 awards listed for the actor's own enterprise (those whose notice is published)."""
    own = _own_enterprise_id(actor)
    if not own:
        return AutoAwardCandidate.objects.none()
    return (
        AutoAwardCandidate.objects.filter(enterprise_id=own, confirm_by__isnull=False)
        .select_related("batch__programme", "application", "account")
        .order_by("-confirm_by", "-pk")
    )


def auto_award_get_for_actor(*, actor, pk: Any) -> AutoAwardCandidate:
    try:
        return auto_awards_for_actor(actor=actor).get(pk=pk)
    except (AutoAwardCandidate.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def declared_vs_facts(application: Application) -> list[dict[str, Any]]:
    """What the application declared beside what the enterprise's facts say, input by input (those the
    catalogue reads from a fact); `differs` flags a difference. The facts never change the application."""
    facts: dict[str, dict[str, str]] = {}
    sources: dict[tuple[str, str], EnterpriseFact] = {}
    for fact in EnterpriseFact.objects.filter(enterprise_id=application.enterprise_id):
        facts.setdefault(fact.kind, {})[fact.period] = fact.value
        sources[(fact.kind, fact.value)] = fact
    rows = []
    for meta in application.programme.inputs:
        link = meta.get("fact")
        if not link:
            continue
        declared = (application.inputs or {}).get(meta["name"])
        known = fact_for(facts, link["kind"], link["period"])
        fact = sources.get((link["kind"], known)) if known is not None else None
        differs = (
            known is not None
            and declared not in (None, "")
            and _norm(declared) != _norm(F.as_input(link["kind"], known))
        )
        source = (application.input_sources or {}).get(meta["name"])
        rows.append(
            {
                "prefilled": isinstance(source, dict),  # 快申快享: pre-filled from facts at the start
                "prefill_changed": isinstance(source, dict) and not same_value(declared, source.get("value")),
                "input": meta["name"],
                "label": meta.get("label_zh") or meta["name"],
                "declared": declared,
                "fact": known,
                "fact_display": F.value_display(link["kind"], known) if known is not None else "",
                "source": fact.source if fact else "",
                "period": fact.period if fact else "",
                "differs": differs,
            }
        )
    return rows


def same_value(a: Any, b: Any) -> bool:
    """Two values of an input are the same (as declared_vs_facts compares them)."""
    return a is not None and b is not None and _norm(a) == _norm(b)


def _norm(value: Any) -> str:
    """Compare as values: 1200000 and "1200000.00" are the same amount, True and "true" the same answer."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    if text.lower() in ("true", "false", "是", "否"):
        return "true" if text.lower() in ("true", "是") else "false"
    try:
        return str(Decimal(text.replace(",", "")).normalize())
    except (InvalidOperation, ValueError):
        return text
