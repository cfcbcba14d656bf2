"""Reads of 事前同意 pre-approvals, scoped to the actor: enterprise members see their enterprise's,
bureau staff (reviewers and administrators) see all. There is no other way to fetch one."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from portal.models import Role
from portal.permissions import district_q
from vouchers.models import Programme

from .models import Application, EnterpriseMember, PreApproval
from .workflow import State

BUREAU_ROLES = (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN)
# A claim that still holds its pre-approval: submitted and neither withdrawn nor declined.
NOT_LIVE = (State.DRAFT, State.WITHDRAWN, State.DECLINED)


def is_bureau(actor) -> bool:
    """A reviewer or administrator of the bureau (区科工信局), signed in and active."""
    return (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.role in BUREAU_ROLES
    )


def requires_preapproval(programme: Programme) -> bool:
    """The programme's clause asks for the bureau's consent before the event (catalogue flag)."""
    return bool((programme.spec or {}).get("requires_preapproval"))


def programmes_requiring_preapproval() -> QuerySet[Programme]:
    return (
        Programme.objects.select_related("policy")
        .filter(spec__requires_preapproval=True)
        .order_by("sort_order", "code")
    )


def preapprovals_for_actor(*, actor) -> QuerySet[PreApproval]:
    """Pre-approvals the actor may see: their own enterprise's; for bureau staff those of their
    district's programmes (all for the system administrator); none otherwise."""
    qs = PreApproval.objects.select_related("enterprise", "programme", "requested_by", "decided_by")
    if is_bureau(actor):
        return qs.filter(district_q(actor, "programme__policy__district"))
    if getattr(actor, "is_authenticated", False) and actor.is_active and actor.role == Role.ENTERPRISE:
        own = EnterpriseMember.objects.filter(user=actor).values("enterprise_id")[:1]
        return qs.filter(enterprise_id__in=own)
    return qs.none()


def preapproval_get_for_actor(*, actor, pk) -> PreApproval:
    try:
        return preapprovals_for_actor(actor=actor).get(pk=pk)
    except (PreApproval.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def preapprovals_pending(*, actor) -> QuerySet[PreApproval]:
    """待审核 the bureau's queue: pending requests, the nearest event first (they must be decided before it)."""
    return (
        preapprovals_for_actor(actor=actor)
        .filter(state=PreApproval.State.PENDING)
        .order_by("event_date", "requested_at", "id")
    )


def preapproval_claims(preapproval: PreApproval, *, exclude: int | None = None) -> QuerySet[Application]:
    """The live claims (submitted, not withdrawn or declined) that rest on this pre-approval."""
    qs = Application.objects.filter(preapproval=preapproval).exclude(state__in=NOT_LIVE)
    return qs.exclude(pk=exclude) if exclude else qs


def preapproval_options(application: Application) -> list[tuple[str, str]]:
    """What the applicant may name in a claim: the enterprise's approved pre-approvals of the
    programme that no other live claim holds (and the one already named, whatever became of it)."""
    qs = PreApproval.objects.filter(
        enterprise_id=application.enterprise_id, programme_id=application.programme_id, state=PreApproval.State.APPROVED
    ).exclude(claims__in=Application.objects.exclude(state__in=NOT_LIVE).exclude(pk=application.pk))
    chosen = list(qs.order_by("-event_date", "-id"))
    if application.preapproval_id and all(p.pk != application.preapproval_id for p in chosen):
        current = PreApproval.objects.filter(pk=application.preapproval_id, enterprise_id=application.enterprise_id)
        chosen = [*current, *chosen]
    return [(str(p.pk), preapproval_label(p)) for p in chosen]


def preapproval_label(p: PreApproval) -> str:
    state = p.get_state_display()
    if p.decided_on:
        state = f"{state} {p.decided_on.isoformat()}"
    return _("%(ref)s %(name)s（活动日期 %(date)s，%(state)s）") % {
        "ref": p.reference,
        "name": p.event_name,
        "date": p.event_date.isoformat(),
        "state": state,
    }
