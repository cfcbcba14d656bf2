"""四眼原则 no money decision by one person alone. A decision (approve with an amount, reduce, decline;
each application of a batch commit) is proposed (拟办) by the assigned reviewer or an administrator,
who holds the first step of the approval chain (经办) chosen by programme and amount; every further
step (复核, 分管领导) is held by someone else who may hold it (portal.permissions); each step records
who, when and the comment, and may send the proposal back with a reason. The decision takes effect
— award and budget reservation, decision record, state change, letters and the applicant's notice —
only when the last step approves, after every rule has been checked again (reviews.services.decisions).

Each service reads top to bottom: lock (through applications), check, write, then at most one call of
the state transition service with plain arguments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationEvent
from applications.services import (
    application_lock,
    application_transition,
    applications_lock,
    timeline_add,
    transition_check,
)
from applications.workflow import EventAction, State
from portal.audit import audit_record
from portal.models import Notification
from portal.notifications import notify_users
from portal.permissions import approval_step_refusal, require_district
from vouchers.models import Programme

from ..models import ApprovalChain, ApprovalChainStep, ApprovalStepRole, Decision, DecisionProposal, ProposalStep
from ..selectors import batch_ranking, line_label
from ..selectors_approvals import chain_for, held_by, is_authorised_leader, step_holders
from . import decisions
from .assignments import BulkResult
from .common import portal_language, require_admin, require_assigned, require_bureau, require_in_district, today

APPROVE, DECLINE = "approve", "decline"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def _required(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


def _chain_steps(*, programme: Programme, amount: Decimal) -> tuple[ApprovalChain, list[ApprovalChainStep]]:
    """The chain a decision of `amount` passes and its steps, refused when none applies or it is malformed."""
    chain = chain_for(programme=programme, amount=amount)
    if chain is None:
        raise ValidationError(
            _("没有适用于该决定（%(amount)s 元）的审批链，请系统管理员先设置审批链。") % {"amount": f"{amount:,}"}
        )
    steps = list(chain.steps.order_by("position"))
    if len(steps) < 2 or steps[0].role != ApprovalStepRole.HANDLER:
        raise ValidationError(
            _("审批链“%(name)s”须以“经办”开始，并至少还有一个由他人办理的环节（四眼原则），请系统管理员修正。")
            % {"name": chain.name}
        )
    return chain, steps


def _stale(p: DecisionProposal, app: Application) -> bool:
    """Whether the application moved since the proposal was made (its state, or any change of state
    recorded after the proposal's own timeline entry: returned for supplement and answered…)."""
    return (
        app.state != p.from_state
        or ApplicationEvent.objects.filter(application=app, pk__gt=p.opened_event_id or 0).exclude(to_state="").exists()
    )


def _lapse_stale(app: Application, *, actor) -> None:
    """A pending proposal made before the application moved on can no longer take effect: it lapses
    (已失效) when the next one is made."""
    for p in DecisionProposal.objects.filter(application=app, status=DecisionProposal.Status.PENDING):
        if not _stale(p, app):
            continue
        p.status, p.closed_at = DecisionProposal.Status.LAPSED, timezone.now()
        p.save(update_fields=["status", "closed_at"])
        audit_record(
            actor=actor,
            action="review.proposal_lapse",
            target=p,
            after={"from_state": p.from_state, "state": app.state},
        )


def _label(p: DecisionProposal) -> str:
    if p.outcome == Decision.Outcome.DECLINE:
        return _("不予支持")
    return _("拟核定 %(amount)s 元") % {"amount": f"{p.amount:,}"}


def _tell_next(p: DecisionProposal, app: Application) -> None:
    """The people who may hold the next step hear that it waits for them (after the commit)."""
    step = next((s for s in p.steps.order_by("position") if s.acted_by_id is None), None)
    if step is None:
        return
    with portal_language():
        notify_users(
            user_ids=step_holders(step, excluding=held_by(p), district=app.programme.policy.district),
            kind=Notification.Kind.APPROVAL,
            subject=_("待%(step)s：申报 %(ref)s %(what)s")
            % {"step": step.get_role_display(), "ref": app.reference, "what": _label(p)},
            body=_("申报 %(ref)s（%(programme)s，%(enterprise)s）的审核决定（%(what)s）待您%(step)s。")
            % {
                "ref": app.reference,
                "programme": app.programme.name_zh,
                "enterprise": app.enterprise.name,
                "what": _label(p),
                "step": step.get_role_display(),
            },
            link=reverse("reviews:decision", args=[app.pk]),
            dedupe_key=f"proposal:{p.pk}:{step.position}",
        )


# ---------------------------------------------------------------- propose (经办)


def decision_propose(
    *,
    actor,
    application: Application | int,
    outcome: str,
    comment: str,
    amount: Any = None,
    amounts: Mapping[str, Any] | None = None,
    reason: str = "",
    on: dt.date | None = None,
    batch_mode: str = "",
    window=None,
    ip: str | None = None,
) -> DecisionProposal:
    """拟办 propose the decision on an application: `outcome` "approve" with `amount` (or `amounts`
    {line: amount}) at most the calculator's maximum (below it, a reason), or "decline" with a reason;
    `comment` is the proposer's opinion (经办意见, required). Every rule of the decision is checked now
    (the budget by a reservation rolled back); nothing takes effect until the chain's last step
    approves. `on`: the decision date (default: the day the last step approves)."""
    require_bureau(actor)
    if outcome not in (APPROVE, DECLINE):
        raise ValidationError({"outcome": _("请选择予以支持或不予支持。")})
    requested = decisions.requested_lines(amounts, amount) if outcome == APPROVE else {}
    reason = (reason or "").strip()
    with transaction.atomic():
        app = application_lock(application)
        transition_check(actor=actor, application=app, transition=outcome)
        require_assigned(actor, app)
        comment = _required(comment, "comment", _("请填写经办意见。"))
        if outcome == APPROVE:
            checked = decisions.approval_check(app, requested=requested, reason=reason)
            decisions.budget_check(actor=actor, app=app, checked=checked, on=on or today())
            result, total, maximum = checked.outcome, checked.total, checked.estimate.amount
            lines = [{**ln, "label": line_label(ln["line"])} for ln in checked.lines_json()]
            at_stake = checked.total
        else:
            reason = decisions.decline_reason(reason)
            result, total, maximum, lines = Decision.Outcome.DECLINE, ZERO, None, []
            at_stake = app.estimate_amount or ZERO
        _lapse_stale(app, actor=actor)
        if DecisionProposal.objects.filter(application=app, status=DecisionProposal.Status.PENDING).exists():
            raise ValidationError(
                _("申报 %(ref)s 已有审批中的拟办意见：请待其办结，或退回后重新拟办。") % {"ref": app.reference}
            )
        chain, steps = _chain_steps(programme=app.programme, amount=at_stake)
        refusal = approval_step_refusal(
            actor, holder=steps[0].holder, held_by=(), authorised_leader=is_authorised_leader(actor)
        )
        if refusal:
            raise PermissionDenied(refusal)

        now = timezone.now()
        p = DecisionProposal.objects.create(
            application=app,
            outcome=result,
            amount=total,
            max_amount=maximum,
            lines=lines,
            reason=reason,
            chain=chain,
            from_state=app.state,
            batch_mode=batch_mode,
            window=window,
            decided_on=on,
            proposed_by=actor,
            proposed_at=now,
        )
        ProposalStep.objects.bulk_create(
            [
                ProposalStep(
                    proposal=p,
                    position=s.position,
                    role=s.role,
                    holder=s.holder,
                    **(
                        {
                            "acted_by": actor,
                            "acted_at": now,
                            "verdict": ProposalStep.Verdict.APPROVED,
                            "comment": comment,
                        }
                        if n == 0
                        else {}
                    ),
                )
                for n, s in enumerate(steps)
            ]
        )
        audit_record(
            actor=actor,
            action="review.decision_propose",
            target=p,
            ip=ip,
            note=comment,
            after={
                "application": app.pk,
                "outcome": result,
                "amount": total,
                "max_amount": maximum,
                "lines": lines,
                "reason": reason,
                "chain": chain.name,
                "steps": [s.role for s in steps],
            },
        )
        p.opened_event = timeline_add(
            application=app,
            actor=actor,
            action=EventAction.DECISION_PROPOSE,
            visible_to_applicant=False,
            message=_("拟办：%(what)s（%(chain)s）。经办意见：%(c)s")
            % {"what": _label(p), "chain": chain.name, "c": comment},
        )
        p.save(update_fields=["opened_event"])
        _tell_next(p, app)
    return p


# ---------------------------------------------------------------- the further steps (复核, 分管领导)


def _locked_proposal(proposal: DecisionProposal | int) -> tuple[DecisionProposal, Application]:
    """Lock the application (and, for an approval, those sharing its project: it may decline them),
    then the proposal: the same order as every decision, so two of them never deadlock."""
    pk = proposal.pk if isinstance(proposal, DecisionProposal) else int(proposal)
    found = DecisionProposal.objects.filter(pk=pk).select_related("application").first()
    if found is None:
        raise ValidationError(_("拟办意见不存在。"))
    others = decisions.conflict_ids(found.application) if found.outcome != Decision.Outcome.DECLINE else []
    app = applications_lock([found.application_id, *others])[found.application_id]
    return DecisionProposal.objects.select_for_update().get(pk=pk), app


def _open_step(p: DecisionProposal, actor, app: Application) -> tuple[ProposalStep, list[ProposalStep]]:
    require_in_district(actor, app)  # each step is held within the application's district
    if p.status != DecisionProposal.Status.PENDING:
        raise ValidationError(_("该拟办意见已办结（%(status)s），不能再审批。") % {"status": p.get_status_display()})
    steps = list(p.steps.order_by("position"))
    step = next(s for s in steps if s.acted_by_id is None)
    refusal = approval_step_refusal(
        actor,
        holder=step.holder,
        authorised_leader=is_authorised_leader(actor),
        held_by={s.acted_by_id for s in steps if s.acted_by_id is not None},
    )
    if refusal:
        raise PermissionDenied(refusal)
    return step, steps


def _hold(step: ProposalStep, *, actor, verdict: str, comment: str) -> None:
    step.acted_by, step.acted_at, step.verdict, step.comment = actor, timezone.now(), verdict, comment
    step.save(update_fields=["acted_by", "acted_at", "verdict", "comment"])


def proposal_approve(
    *, actor, proposal: DecisionProposal | int, comment: str, ip: str | None = None
) -> DecisionProposal:
    """同意 the proposal's next step, with the holder's comment (required). At the last step the
    decision takes effect: its rules are checked again on the application as it stands, then the
    award is reserved (approve) or the letter numbered (decline), the decision recorded, the
    applicant told, and the application moves on."""
    with transaction.atomic():
        p, app = _locked_proposal(proposal)
        step, steps = _open_step(p, actor, app)
        comment = _required(comment, "comment", _("请填写审批意见（如“同意”）。"))
        if app.state != p.from_state:
            raise ValidationError(
                _("申报 %(ref)s 当前状态为“%(now)s”，已不是拟办时的“%(then)s”：该拟办意见不能再同意，请退回。")
                % {"ref": app.reference, "now": app.get_state_display(), "then": State(p.from_state).label}
            )
        if _stale(p, app):
            raise ValidationError(
                _("申报 %(ref)s 在拟办后已有新的办理（如退回补正后重新提交）：该拟办意见不能再同意，请退回。")
                % {"ref": app.reference}
            )
        last = step.position == steps[-1].position
        transition = DECLINE if p.outcome == Decision.Outcome.DECLINE else APPROVE
        on = p.decided_on or today()
        if last:
            transition_check(actor=actor, application=app, transition=transition)
            if transition == APPROVE:
                requested = {ln["line"]: Decimal(ln["amount"]) for ln in p.lines}
                checked = decisions.approval_check(app, requested=requested, reason=p.reason)

        _hold(step, actor=actor, verdict=ProposalStep.Verdict.APPROVED, comment=comment)
        audit_record(
            actor=actor,
            action="review.proposal_approve",
            target=p,
            ip=ip,
            note=comment,
            after={"application": app.pk, "step": step.role, "position": step.position, "last": last},
        )
        timeline_add(
            application=app,
            actor=actor,
            action=EventAction.PROPOSAL_APPROVE,
            visible_to_applicant=False,
            message=_("%(step)s：同意。%(c)s") % {"step": step.get_role_display(), "c": comment},
        )
        if not last:
            _tell_next(p, app)
            return p
        if transition == APPROVE:
            decision = decisions.approval_write(actor=actor, app=app, checked=checked, reason=p.reason, on=on, ip=ip)
            data = decisions.approval_event_data(checked, reason=p.reason, on=on)
        else:
            decision = decisions.decline_write(actor=actor, app=app, reason=p.reason)
            data = {"outcome": "decline", "reason": p.reason}
        p.status, p.closed_at, p.decision = DecisionProposal.Status.APPROVED, timezone.now(), decision
        p.save(update_fields=["status", "closed_at", "decision"])
        application_transition(
            actor=actor, application=app, transition=transition, message=p.reason, data=data, due_date=None, ip=ip
        )
    return p


def proposal_return(*, actor, proposal: DecisionProposal | int, reason: str, ip: str | None = None) -> DecisionProposal:
    """退回 the holder of the next step sends the proposal back with a reason; nothing of the decision
    takes effect, and the proposer may propose again."""
    with transaction.atomic():
        p, app = _locked_proposal(proposal)
        step, _steps = _open_step(p, actor, app)
        reason = _required(reason, "reason", _("退回须说明理由。"))

        _hold(step, actor=actor, verdict=ProposalStep.Verdict.RETURNED, comment=reason)
        p.status, p.closed_at = DecisionProposal.Status.RETURNED, timezone.now()
        p.save(update_fields=["status", "closed_at"])
        audit_record(
            actor=actor,
            action="review.proposal_return",
            target=p,
            ip=ip,
            note=reason,
            after={"application": app.pk, "step": step.role, "position": step.position},
        )
        timeline_add(
            application=app,
            actor=actor,
            action=EventAction.PROPOSAL_RETURN,
            visible_to_applicant=False,
            message=_("%(step)s：退回。%(r)s") % {"step": step.get_role_display(), "r": reason},
        )
        with portal_language():
            notify_users(
                user_ids=[p.proposed_by_id],
                kind=Notification.Kind.APPROVAL,
                subject=_("拟办意见已退回：申报 %(ref)s") % {"ref": app.reference},
                body=_("您对申报 %(ref)s 的拟办意见（%(what)s）在%(step)s环节被退回。理由：%(r)s")
                % {"ref": app.reference, "what": _label(p), "step": step.get_role_display(), "r": reason},
                link=reverse("reviews:decision", args=[app.pk]),
                dedupe_key=f"proposal-return:{p.pk}",
            )
    return p


def proposals_approve_many(
    *, actor, proposal_ids: Iterable[int], comment: str, ip: str | None = None
) -> list[BulkResult]:
    """批量同意 the next step of several proposals with one comment, each in its own transaction and
    checked as if alone (a refusal is reported, not raised)."""
    require_bureau(actor)
    comment = _required(comment, "comment", _("请填写审批意见（如“同意”）。"))
    ids = list(dict.fromkeys(int(i) for i in proposal_ids))
    refs = dict(DecisionProposal.objects.filter(pk__in=ids).values_list("pk", "application__reference"))
    results = []
    for pk in ids:
        try:
            p = proposal_approve(actor=actor, proposal=pk, comment=comment, ip=ip)
        except (ValidationError, PermissionDenied) as exc:
            message = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            results.append(BulkResult(pk, refs.get(pk, str(pk)), False, message))
        else:
            done = p.status == DecisionProposal.Status.APPROVED
            results.append(BulkResult(pk, refs.get(pk, str(pk)), True, _("已同意，决定生效") if done else _("已同意")))
    return results


# ---------------------------------------------------------------- batch (competitive ranking)


def _split(lines: Mapping[str, Decimal], give: Decimal) -> dict[str, Decimal]:
    """Scale the lines of one application so they sum to `give` (to the cent, remainder to the last)."""
    total = sum(lines.values(), ZERO)
    if total <= 0 or give >= total:
        return dict(lines)
    out, left = {}, give
    keys = list(lines)
    for key in keys[:-1]:
        out[key] = (lines[key] * give / total).quantize(CENT, rounding=ROUND_DOWN)
        left -= out[key]
    out[keys[-1]] = left
    return out


def batch_propose(
    *, actor, window, application_ids: Iterable[int], comment: str, mode: str = "rank", ip: str | None = None
) -> list[BulkResult]:
    """批量核定 propose the chosen applications of a batch as the ranking (择优, by expert mean against
    the quota and the pool) or the pro-rata option (按比例核减) computes them; each is its own
    proposal, with the administrator's comment, and walks its own chain."""
    require_admin(actor)
    require_district(actor, window.programme.policy.district)
    if mode not in ("rank", "pro_rata"):
        raise ValidationError({"mode": _("请选择按排名择优或按比例核减。")})
    comment = _required(comment, "comment", _("请填写经办意见。"))
    ranking = batch_ranking(window=window)
    chosen = {int(i) for i in application_ids}
    rows = {r["application"].pk: r for r in ranking["rows"]}
    results = []
    for pk in sorted(chosen, key=lambda i: rows[i]["rank"] if i in rows else 10**9):
        row = rows.get(pk)
        if row is None or row["application"].state != State.BUREAU_REVIEW:
            ref = row["application"].reference if row else str(pk)
            results.append(BulkResult(pk, ref, False, _("不在本批次待决定的申报中。")))
            continue
        app = row["application"]
        give = row["rank_award"] if mode == "rank" else row["pro_rata_award"]
        if give is None or give <= 0:
            results.append(BulkResult(pk, app.reference, False, _("未进入择优名额或资金池已无余额。")))
            continue
        reason = ""
        if give < row["max_amount"]:
            reason = (
                _("按排名择优，资金池余额不足，核减至 %(give)s 元。")
                if mode == "rank"
                else _("资金池不足，按比例核减（比例 %(ratio)s），核减至 %(give)s 元。")
            ) % {"give": f"{give:,}", "ratio": ranking["pro_rata_ratio"]}
        try:
            decision_propose(
                actor=actor,
                application=app,
                outcome=APPROVE,
                amounts=_split(row["max_lines"], give),
                reason=reason,
                comment=comment,
                batch_mode=mode,
                window=window,
                ip=ip,
            )
        except (ValidationError, PermissionDenied) as exc:
            msg = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            results.append(BulkResult(pk, app.reference, False, msg))
        else:
            results.append(BulkResult(pk, app.reference, True, _("已拟办 %(give)s 元，待审批") % {"give": f"{give:,}"}))
    return results
