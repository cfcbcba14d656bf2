"""Deciding in tests under the four-eyes rule (四眼原则): `approve` / `decline` propose the decision as
the given actor, then walk the rest of its approval chain with other staff who may hold each step
(existing ones first: an administrator for 复核, an authorised leader for 分管领导; made when none is
free), exactly as the pages and the API would. The rule is never bypassed: a proposal refused, or a
step refused, raises as it would for a user."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping
from typing import Any

from django.apps import apps as django_apps

from portal.models import Role, User
from portal.permissions import ApprovalHolder

from .factories import UserFactory

PROPOSED = "拟予支持，经办意见。"
AGREED = "同意。"


def ensure_default_chains() -> None:
    """The default chains of migration 0007 (a transactional test's flush empties the tables the
    migrations filled): the migration's own function, run on the live models."""
    migration = importlib.import_module("reviews.migrations.0007_default_approval_chains")
    migration.seed_default_chains(django_apps)


def leader(user: User | None = None, *, title: str = "分管副局长", district: str = "huangpu") -> User:
    """Make `user` (default: a new bureau administrator of `district`) an authorised leader (分管领导)."""
    from reviews.models import AuthorisedApprover

    user = user or UserFactory(role=Role.BUREAU_ADMIN, full_name="分管领导", is_staff=True, district=district)
    AuthorisedApprover.objects.update_or_create(user=user, defaults={"title": title, "active": True})
    return user


def holder_for(step, *, held: set[int], district: str) -> User:
    """Someone of the application's district who may hold `step` and holds no other step of the decision."""
    from reviews.models import AuthorisedApprover

    if step.holder == ApprovalHolder.LEADER:
        found = (
            AuthorisedApprover.objects.filter(active=True, user__is_active=True, user__district=district)
            .exclude(user_id__in=held)
            .order_by("pk")
            .first()
        )
        return found.user if found else leader(district=district)
    roles = [Role.BUREAU_ADMIN] if step.holder == ApprovalHolder.BUREAU_ADMIN else [Role.BUREAU_ADMIN, Role.REVIEWER]
    found = (
        User.objects.filter(role__in=roles, is_active=True, district=district)
        .exclude(pk__in=held)
        .order_by("pk")
        .first()
    )
    return found or UserFactory(role=Role.BUREAU_ADMIN, full_name="复核人", is_staff=True, district=district)


def walk(proposal, *, comment: str = AGREED, until: str | None = None):
    """Approve the proposal's remaining steps (or those before the step named `until`, e.g. "leader")."""
    from reviews.services.approvals import proposal_approve

    proposal.refresh_from_db()
    while proposal.status == proposal.Status.PENDING:
        steps = list(proposal.steps.order_by("position"))
        step = next(s for s in steps if s.acted_by_id is None)
        if until is not None and step.role == until:
            break
        actor = holder_for(
            step,
            held={s.acted_by_id for s in steps if s.acted_by_id},
            district=proposal.application.programme.policy.district,
        )
        proposal = proposal_approve(actor=actor, proposal=proposal, comment=comment)
        proposal.refresh_from_db()
    return proposal


def propose(
    *,
    actor,
    application,
    outcome: str = "approve",
    amount: Any = None,
    amounts: Mapping[str, Any] | None = None,
    reason: str = "",
    comment: str = PROPOSED,
    on: dt.date | None = None,
    ip: str | None = None,
):
    from reviews.services.approvals import decision_propose

    ensure_default_chains()
    return decision_propose(
        actor=actor,
        application=application,
        outcome=outcome,
        amount=amount,
        amounts=amounts,
        reason=reason,
        comment=comment,
        on=on,
        ip=ip,
    )


def approve(
    *,
    actor,
    application,
    amount: Any = None,
    amounts: Mapping[str, Any] | None = None,
    reason: str = "",
    on: dt.date | None = None,
    ip: str | None = None,
    comment: str = PROPOSED,
):
    """核定 as `actor` proposes it, approved by the rest of the chain: the decision made."""
    proposal = walk(
        propose(
            actor=actor,
            application=application,
            amount=amount,
            amounts=amounts,
            reason=reason,
            on=on,
            ip=ip,
            comment=comment,
        )
    )
    return proposal.decision


def decline(*, actor, application, reason: str, ip: str | None = None, comment: str = "拟不予支持。"):
    """不予支持 as `actor` proposes it, approved by the rest of the chain: the decision made."""
    proposal = walk(
        propose(actor=actor, application=application, outcome="decline", reason=reason, ip=ip, comment=comment)
    )
    return proposal.decision


def walk_pending(applications, *, comment: str = AGREED) -> list:
    """Approve every step of the pending proposals of these applications (a batch commit's)."""
    from reviews.models import DecisionProposal

    pending = DecisionProposal.objects.filter(
        application__in=list(applications), status=DecisionProposal.Status.PENDING
    ).order_by("pk")
    return [walk(p, comment=comment) for p in pending]


def collective(*, actor, applications, meeting_name: str = "2026年第5次局务会议", on: dt.date | None = None):
    """集体决策 recorded for these approved applications of a competitive programme (before the notice)."""
    from django.utils import timezone

    from reviews.services.collective import collective_decision_record

    apps = list(applications)
    return collective_decision_record(
        actor=actor,
        programme=apps[0].programme,
        application_ids=[a.pk for a in apps],
        meeting_name=meeting_name,
        meeting_date=on or timezone.localdate(),
        attendees="张局长（主持）\n李副局长\n王科长",
        minutes="会议审议了拟支持名单，同意按评审排名予以支持，进入公示。",
    )
