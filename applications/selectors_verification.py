"""Reads of 实名核验, scoped to the actor: the bureau's verification queue (claims on credit codes and
requests to change eligibility facts), one claim or request, a document, and how each fact of an
enterprise was established. The bureau's district scoping is in `_bureau_scope`, once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from portal.models import Role
from portal.pagination import Capped
from portal.permissions import district_q, is_active_user, may_verify_enterprises

from .models import (
    EligibilityFact,
    Enterprise,
    EnterpriseClaim,
    EnterpriseMember,
    FactChangeRequest,
    FactSource,
    VerificationDocument,
)
from .uscc import credit_code_division
from .verification_facts import field_label, value_display


def _bureau_scope(actor, qs: QuerySet, *, enterprise: str = "enterprise") -> QuerySet:
    """What of `qs` the verifying actor may see: the enterprises registered in the staff member's
    district (所属区域; the system administrator sees all), for the queue, the pages and the API alike.
    An enterprise registered outside both districts is the system administrator's to see."""
    return qs.filter(district_q(actor, f"{enterprise}__registered_district"))


def _membership(actor) -> EnterpriseMember | None:
    return getattr(actor, "membership", None) if is_active_user(actor) and actor.role == Role.ENTERPRISE else None


def claims_for_actor(actor) -> QuerySet[EnterpriseClaim]:
    """Claims the actor may see: verifying staff those of the enterprises in their scope; an enterprise user
    the claims they filed (not another claimant's, even on their own enterprise)."""
    qs = EnterpriseClaim.objects.select_related("enterprise", "claimant", "decided_by")
    if may_verify_enterprises(actor):
        return _bureau_scope(actor, qs)
    if is_active_user(actor) and actor.role == Role.ENTERPRISE:
        return qs.filter(claimant=actor)
    return qs.none()


def fact_changes_for_actor(actor) -> QuerySet[FactChangeRequest]:
    """Fact-change requests: verifying staff those in their scope; members those of their enterprise."""
    qs = FactChangeRequest.objects.select_related("enterprise", "requested_by", "decided_by")
    if may_verify_enterprises(actor):
        return _bureau_scope(actor, qs)
    membership = _membership(actor)
    return qs.filter(enterprise_id=membership.enterprise_id) if membership else qs.none()


@dataclass
class VerificationQueue:
    claims: list[EnterpriseClaim]
    fact_changes: list[FactChangeRequest]
    decided_claims: list[EnterpriseClaim]
    decided_fact_changes: list[FactChangeRequest]


def verification_queue_for_actor(actor, *, limit: int = 200) -> VerificationQueue:
    """核验队列 the bureau's queue: pending claims (oldest first) and pending fact changes, and the latest
    decided of each. Empty for anyone who may not verify."""
    if not may_verify_enterprises(actor):
        return VerificationQueue([], [], [], [])
    claims, changes = claims_for_actor(actor), fact_changes_for_actor(actor)
    pending = EnterpriseClaim.State.PENDING
    return VerificationQueue(
        # each list's head, with its total (the page says how many are not shown)
        claims=Capped(claims.filter(state=pending).order_by("created_at", "id"), limit),
        fact_changes=Capped(changes.filter(state=pending).order_by("created_at", "id"), limit),
        decided_claims=Capped(claims.exclude(state=pending).order_by("-decided_at", "-id"), 30),
        decided_fact_changes=Capped(changes.exclude(state=pending).order_by("-decided_at", "-id"), 30),
    )


def _get(qs: QuerySet, pk) -> Any:
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def claim_get_for_actor(*, actor, pk: int) -> EnterpriseClaim:
    return _get(claims_for_actor(actor), pk)


def fact_change_get_for_actor(*, actor, pk: int) -> FactChangeRequest:
    return _get(fact_changes_for_actor(actor), pk)


def document_get_for_actor(*, actor, pk: int) -> VerificationDocument:
    """A document of a claim or request the actor may see: verifying staff in scope; its uploader."""
    qs = VerificationDocument.objects.all()
    if may_verify_enterprises(actor):
        qs = qs.filter(Q(claim__in=claims_for_actor(actor)) | Q(fact_change__in=fact_changes_for_actor(actor)))
    elif is_active_user(actor):
        qs = qs.filter(uploaded_by=actor)
    else:
        qs = qs.none()
    return _get(qs, pk)


# ---------------------------------------------------------------- what the pages and the API show


def fact_rows(enterprise: Enterprise) -> list[dict[str, Any]]:
    """Each eligibility fact with its value and how it was established: verified by the bureau or by
    imported department data (with its source and date), or the enterprise's own statement."""
    records = {r.fact: r for r in enterprise.fact_records.select_related("fact_import")}
    rows = []
    for fact in EligibilityFact:
        value = getattr(enterprise, fact.value)
        record = records.get(fact.value)
        # the record that establishes the value the enterprise holds now, if any
        held = (
            record
            if record is not None
            and record.source != FactSource.DECLARED
            and record.value == enterprise.fact_value(fact.value)
            else None
        )
        source = held.source if held is not None else FactSource.DECLARED
        detail = ""
        if held is not None and held.fact_import is not None:
            detail = f"{held.fact_import.source}（{held.fact_import.source_date.isoformat()}）"
        rows.append(
            {
                "fact": fact.value,
                "label": str(fact.label),
                "value": value,
                "value_display": value_display(enterprise, fact.value, value),
                "verified": held is not None,
                "source": source,
                "source_label": str(FactSource(source).label),
                "detail": detail,
                "recorded_at": held.recorded_at if held is not None else None,
            }
        )
    return rows


def claim_division(claim: EnterpriseClaim) -> dict | None:
    """The credit code's division against the district the claim states (a warning for the verifier)."""
    stated = Enterprise(
        credit_code=claim.enterprise.credit_code,
        registered_district=claim.registered_district or claim.enterprise.registered_district,
    )
    return credit_code_division(stated)


def enterprise_verification_state(enterprise: Enterprise) -> dict[str, Any]:
    """For the enterprise's pages: its registration claims (newest first), the one pending, the latest
    refused (with the bureau's reason), and a fact-change request pending."""
    claims = list(
        enterprise.claims.filter(kind=EnterpriseClaim.Kind.REGISTRATION)
        .prefetch_related("documents")
        .order_by("-created_at", "-id")
    )
    pending = next((c for c in claims if c.state == EnterpriseClaim.State.PENDING), None)
    refused = next((c for c in claims if c.state == EnterpriseClaim.State.REFUSED), None)
    return {
        "claims": claims,
        "pending_claim": pending,
        "refused_claim": refused if pending is None else None,
        "pending_fact_change": enterprise.fact_changes.filter(state=FactChangeRequest.State.PENDING)
        .prefetch_related("documents")
        .first(),
    }


def change_rows(request: FactChangeRequest) -> list[dict[str, str]]:
    """A request's changes in words: the field, the value before and the value asked for."""
    return [
        {
            "field": name,
            "label": field_label(name),
            "before": value_display(None, name, request.before.get(name)),
            "after": value_display(None, name, value),
        }
        for name, value in request.changes.items()
    ]
