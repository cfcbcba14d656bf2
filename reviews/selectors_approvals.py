"""Reads of the approval chains (审批链) and of the decisions' proposals (拟办), scoped to the actor:
staff see the proposals of the applications they may see (applications.selectors), and "awaiting
me" lists those whose next step the actor may hold."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from applications.models import Application
from applications.selectors import applications_for_actor
from portal.models import Role, User
from portal.permissions import ApprovalHolder, district_q, is_bureau_admin, is_reviewing_staff, may_hold_approval_step
from vouchers.models import Programme

from .models import (
    ApprovalChain,
    ApprovalChainStep,
    AuthorisedApprover,
    CollectiveDecision,
    DecisionProposal,
    ProposalStep,
)


def require_reviewing_staff(actor) -> None:
    if not is_reviewing_staff(actor):
        raise PermissionDenied(_("仅审核人员或主管部门管理员可以查看。"))


# ---------------------------------------------------------------- chains and leaders


def is_authorised_leader(user) -> bool:
    """分管领导: an active entry of the table of authorised approvers, for an active user."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and AuthorisedApprover.objects.filter(user=user, active=True).exists()
    )


def leader_ids() -> set[int]:
    return set(AuthorisedApprover.objects.filter(active=True, user__is_active=True).values_list("user_id", flat=True))


def approval_chains() -> QuerySet[ApprovalChain]:
    """Every chain with its steps, the active ones first (the read-only page and API)."""
    return (
        ApprovalChain.objects.select_related("programme")
        .prefetch_related(Prefetch("steps", queryset=ApprovalChainStep.objects.order_by("position")))
        .order_by("-active", F("programme_id").asc(nulls_first=True), F("amount_above").asc(nulls_first=True), "id")
    )


def chain_for(*, programme: Programme, amount: Decimal) -> ApprovalChain | None:
    """The chain a decision of `amount` under `programme` passes: among the active chains whose range
    holds the amount, the programme's own before a general one, then the highest lower bound."""
    fits = (
        ApprovalChain.objects.filter(active=True)
        .filter(Q(programme=programme) | Q(programme__isnull=True))
        .filter(Q(amount_above__isnull=True) | Q(amount_above__lt=amount))
        .filter(Q(amount_up_to__isnull=True) | Q(amount_up_to__gte=amount))
    )
    chains = sorted(
        fits,
        key=lambda c: (c.programme_id is None, -(c.amount_above if c.amount_above is not None else Decimal(-1)), c.pk),
    )
    return chains[0] if chains else None


def authorised_leaders() -> QuerySet[AuthorisedApprover]:
    return AuthorisedApprover.objects.select_related("user").order_by("-active", "id")


# ---------------------------------------------------------------- proposals


def _with_steps(qs: QuerySet[DecisionProposal]) -> QuerySet[DecisionProposal]:
    return qs.select_related(
        "application__enterprise", "application__programme", "proposed_by", "chain", "decision"
    ).prefetch_related(Prefetch("steps", queryset=ProposalStep.objects.select_related("acted_by").order_by("position")))


def next_step(proposal: DecisionProposal) -> ProposalStep | None:
    """The first step nobody has held yet (None once the proposal is closed)."""
    if proposal.status != DecisionProposal.Status.PENDING:
        return None
    return next((s for s in proposal.steps.all() if s.acted_by_id is None), None)


def held_by(proposal: DecisionProposal) -> set[int]:
    return {s.acted_by_id for s in proposal.steps.all() if s.acted_by_id is not None}


def may_act_on(proposal: DecisionProposal, user, *, leader: bool | None = None) -> bool:
    """Whether `user` may hold the proposal's next step now (the pages show the forms by it)."""
    step = next_step(proposal)
    if step is None:
        return False
    return may_hold_approval_step(
        user,
        holder=step.holder,
        held_by=held_by(proposal),
        authorised_leader=is_authorised_leader(user) if leader is None else leader,
    )


def proposals_for(
    *, actor, scope: str = "mine", status: str = ""
) -> QuerySet[DecisionProposal] | list[DecisionProposal]:
    """拟办审批: "mine" (default) — pending, the next step one the actor may hold; "proposed" — made by
    the actor; "all" — every proposal of the applications the actor may see. `status` filters. Oldest
    first; the callers show it a page at a time ("proposed" and "all" are paged in the database)."""
    require_reviewing_staff(actor)
    qs = DecisionProposal.objects.filter(application__in=applications_for_actor(actor=actor))
    if scope == "proposed":
        qs = qs.filter(proposed_by=actor)
    elif scope != "all":
        qs = qs.filter(status=DecisionProposal.Status.PENDING)
    if status:
        qs = qs.filter(status=status)
    qs = _with_steps(qs).order_by("proposed_at", "id")
    if scope in ("proposed", "all"):
        return qs
    # Whether the actor may hold the next step is decided here (portal.permissions), so every pending
    # proposal is looked at: a cut before this filter hid those the actor may hold behind older ones
    # held by others. The pending proposals are the bureau's open work, not its history.
    leader = is_authorised_leader(actor)
    return [p for p in qs.iterator(chunk_size=500) if may_act_on(p, actor, leader=leader)]


def visible_proposal_ids(*, actor, ids: Iterable[int]) -> list[int]:
    """The ids among these of proposals the actor may see, in the order given."""
    wanted = [int(i) for i in ids]
    seen = set(
        DecisionProposal.objects.filter(pk__in=wanted, application__in=applications_for_actor(actor=actor)).values_list(
            "pk", flat=True
        )
    )
    return [i for i in wanted if i in seen]


def proposal_get_for_actor(*, actor, pk: int) -> DecisionProposal:
    require_reviewing_staff(actor)
    try:
        return _with_steps(DecisionProposal.objects.filter(application__in=applications_for_actor(actor=actor))).get(
            pk=pk
        )
    except (DecisionProposal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def pending_proposal(application: Application) -> DecisionProposal | None:
    return _with_steps(
        DecisionProposal.objects.filter(application=application, status=DecisionProposal.Status.PENDING)
    ).first()


def proposals_of(application: Application) -> list[DecisionProposal]:
    """Every proposal of the application, the latest first (the decision workspace's history)."""
    return list(_with_steps(DecisionProposal.objects.filter(application=application)))


def step_holders(step: ProposalStep, *, excluding: Iterable[int], district: str) -> list[int]:
    """Who may hold the step (to be told it waits for them): staff of the application's district, the
    people holding another step aside."""
    if step.holder == ApprovalHolder.LEADER:
        ids = set(User.objects.filter(pk__in=leader_ids(), district=district).values_list("pk", flat=True))
    else:
        roles = (
            [Role.BUREAU_ADMIN] if step.holder == ApprovalHolder.BUREAU_ADMIN else [Role.REVIEWER, Role.BUREAU_ADMIN]
        )
        ids = set(User.objects.filter(role__in=roles, is_active=True, district=district).values_list("pk", flat=True))
    return sorted(ids - set(excluding))


# ---------------------------------------------------------------- collective decisions


def collective_decisions(*, actor) -> QuerySet[CollectiveDecision]:
    """The collective decisions of the actor's district (all for the system administrator)."""
    return (
        CollectiveDecision.objects.filter(district_q(actor, "programme__policy__district"))
        .select_related("programme", "recorded_by")
        .prefetch_related("applications")
        .order_by("-meeting_date", "-id")
    )


def collective_decision_get(*, actor, pk: int) -> CollectiveDecision:
    """One collective decision (its signed minutes are downloaded through it): administrators only."""
    if not is_bureau_admin(actor):
        raise PermissionDenied(_("仅主管部门管理员可以查看集体决策记录。"))
    try:
        return collective_decisions(actor=actor).get(pk=pk)
    except (CollectiveDecision.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
