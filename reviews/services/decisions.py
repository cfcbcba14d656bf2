"""实质审核 the bureau decision: approve with an amount never above the calculator's maximum for the
application on its basis date (in full, or reduced with a reason), or decline with a reason.

No decision is taken by one person: reviews.services.approvals records it as a proposal (拟办) that
walks its approval chain; when the last step approves, this module's checks run again and its writes
take effect in that transaction, followed by the one state transition. Each function here is a plain
part of that sequence — check, write — and never fires the transition itself.

从高不重复 (hp2025 第十五条): when the same project (contract, invoice or project key) is claimed under
another programme of any policy, only the highest award is kept. Approving refuses when a standing
award of that project is as high or higher; a lower pending one is declined with that reason
(transition decline_superseded) in the same transaction.

Budget: the approved lines are reserved on the programme's pool with
vouchers.services.budget.award_reserve, which refuses (nothing written) when a pool, cap or quota does
not fit; the proposal tries the reservation and rolls it back, so a proposal that cannot be paid is
refused at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from applications.models import Application, Attachment, Enterprise
from applications.selectors import consent_document
from applications.services import application_lock, application_transition, transition_check
from applications.workflow import State
from portal.amounts import amount_from
from portal.notifications import notify_enterprise
from vouchers.calculator import Estimate
from vouchers.models import Award
from vouchers.selectors import estimate_as_json
from vouchers.services.budget import award_release, award_reserve

from ..letters.services import letter_create
from ..models import Decision, PublicNoticeEntry
from ..selectors import (
    LIVE_AWARD,
    claim_filter,
    confirmed_lines,
    conflicts_json,
    decision_estimate,
    line_enterprises,
    line_label,
    project_conflicts,
)
from .common import applicant_link, portal_language, today

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DECIDED_STATES = (State.APPROVED_PENDING_NOTICE, State.IN_PUBLIC_NOTICE, State.APPROVED)


# ---------------------------------------------------------------- input


def parse_amount(raw: Any, *, field: str = "amount") -> Decimal:
    """An amount typed for the decision (0 allowed: 核定 0 元 is refused later, with its reason)."""
    return amount_from(raw, field=field, allow_zero=True)


def requested_lines(amounts: Mapping[str, Any] | None, amount: Any) -> dict[str, Decimal]:
    """The amounts typed for the decision: `amount` (single-line programmes) or `amounts` {line:
    amount} (th-scenario-demo: "supplier", "buyer")."""
    out: dict[str, Decimal] = {}
    if amounts:
        for line, raw in amounts.items():
            if raw is None or str(raw).strip() == "":
                continue
            out[str(line)] = parse_amount(raw, field=f"amount_{line}" if line else "amount")
    if amount is not None and str(amount).strip() != "":
        out[""] = parse_amount(amount)
    return out


# ---------------------------------------------------------------- approve


def conflict_ids(application: Application) -> list[int]:
    """The applications claiming the same project under another programme: an approval locks them
    with its own (in id order) since it may decline them (从高不重复)."""
    return list(
        Application.objects.filter(claim_filter(application))
        .exclude(pk=application.pk)
        .exclude(programme_id=application.programme_id)
        .values_list("pk", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class ApprovalCheck:
    """What an approval would decide, once every rule has passed: the amount per line and in total,
    the outcome (in full or reduced), who receives each line, the 从高不重复 rows (and those the
    approval supersedes) and the consent document it rests on."""

    estimate: Estimate
    lines: dict[str, Decimal]
    total: Decimal
    outcome: str
    receivers: dict[str, Enterprise | None]
    conflicts: list[dict[str, Any]]
    supersede: list[dict[str, Any]]
    consent: Attachment | None

    @property
    def maxima(self) -> dict[str, Decimal]:
        return {ln.line: ln.amount for ln in self.estimate.lines}

    def lines_json(self) -> list[dict[str, str]]:
        return [{"line": ln, "amount": str(a), "max": str(self.maxima[ln])} for ln, a in self.lines.items()]


def _amounts_within_maximum(est: Estimate, requested: Mapping[str, Decimal], reason: str) -> dict[str, Decimal]:
    maxima = {ln.line: ln.amount for ln in est.lines}
    errors: dict[str, list[str]] = {}
    for line in requested:
        if line not in maxima:
            errors.setdefault("amount", []).append(_("该项目没有“%(line)s”奖励对象。") % {"line": line})
    lines = {}
    for line, top in maxima.items():
        field = f"amount_{line}" if line else "amount"
        if line not in requested:
            errors.setdefault(field, []).append(_("请填写%(who)s核定金额。") % {"who": line_label(line)})
            continue
        if requested[line] > top:
            errors.setdefault(field, []).append(
                _("%(who)s核定金额 %(amount)s 元超过测算上限 %(max)s 元，不能核定。")
                % {"who": line_label(line), "amount": f"{requested[line]:,}", "max": f"{top:,}"}
            )
        lines[line] = requested[line]
    if errors:
        raise ValidationError(errors)
    total = sum(lines.values(), ZERO)
    if total <= 0:
        raise ValidationError({"amount": _("核定金额须大于零；不予支持请选择“不予支持”并说明理由。")})
    if total < est.amount and not reason:
        raise ValidationError(
            {"reason": _("核定金额低于测算上限 %(max)s 元（核减），须说明理由。") % {"max": f"{est.amount:,}"}}
        )
    return lines


def _consent_of(app: Application) -> Attachment | None:
    if not (app.programme.spec or {}).get("requires_consent_document"):
        return None
    # 一事一议: 经区政府同意 — the decision rests on the consent document, recorded with it
    consent = consent_document(app)
    if consent is None:
        raise ValidationError(
            {
                "amount": _("“%(p)s”须经区政府同意：申报材料中尚无区政府同意文件，不能核定支持。请退回补正或不予支持。")
                % {"p": app.programme.name_zh}
            }
        )
    return consent


def _receiver(receivers: Mapping[str, Enterprise | None], line: str) -> Enterprise:
    """The enterprise of an award line with a positive amount (_receivers_ready refuses a line without one)."""
    receiver = receivers.get(line)
    assert receiver is not None, line
    return receiver


def _receivers_ready(app: Application, lines: Mapping[str, Decimal]) -> dict[str, Enterprise | None]:
    receivers = line_enterprises(app)
    for line, amt in lines.items():
        if amt > 0 and receivers.get(line) is None:
            raise ValidationError(
                {
                    f"amount_{line}": _("%(who)s尚未在平台注册，不能核定其奖励；可将该方金额核定为 0 并说明理由。")
                    % {"who": line_label(line)}
                }
            )
    confirmed = confirmed_lines(app, receivers)
    for line, amt in lines.items():
        if amt > 0 and not confirmed.get(line, False):
            # 合作方确认: another enterprise's award line waits for it to confirm in its own account
            raise ValidationError(
                {
                    f"amount_{line}": _(
                        "%(who)s %(name)s 尚未在其账户中确认参与本项目，不能核定其奖励；请待其确认后核定，"
                        "或将该方金额核定为 0 并说明理由。"
                    )
                    % {"who": line_label(line), "name": _receiver(receivers, line).name}
                }
            )
    return receivers


def _to_supersede(conflicts: list[dict[str, Any]], total: Decimal, district: str) -> list[dict[str, Any]]:
    """从高不重复: the lower pending awards of the same project this approval declines; refuses when a
    standing award is as high, final, another enterprise's, or another district's (that district's
    bureau declines its own)."""
    supersede = []
    for c in conflicts:
        if not (c["held"] > 0 or c["state"] in DECIDED_STATES):
            continue
        if c["cross_enterprise"]:
            # two enterprises claiming one contract or invoice is a matter for the bureau to look
            # into: neither award declines the other
            raise ValidationError(
                {
                    "amount": _(
                        "同一项目（%(matched)s）已由另一企业 %(enterprise)s 在“%(programme)s”（%(ref)s）"
                        "获核定 %(held)s 元。"
                        "不同企业申报同一合同、发票或项目，不按“从高不重复”自动处理，须由主管部门核查；"
                        "核查后对不应支持的一方作不予支持决定。"
                    )
                    % {
                        "matched": "、".join(c["matched"]),
                        "enterprise": c["enterprise"],
                        "programme": c["programme"],
                        "ref": c["reference"],
                        "held": f"{c['held']:,}",
                    }
                }
            )
        if c["held"] >= total:
            raise ValidationError(
                {
                    "amount": _(
                        "同一项目（%(matched)s）已在“%(programme)s”（%(ref)s）核定 %(held)s 元，"
                        "不低于本次 %(total)s 元；"
                        "按“从高不重复”原则只保留最高一项，本申报应不予支持。"
                    )
                    % {
                        "matched": "、".join(c["matched"]),
                        "programme": c["programme"],
                        "ref": c["reference"],
                        "held": f"{c['held']:,}",
                        "total": f"{total:,}",
                    }
                }
            )
        if c["district"] != district:
            # another district's application is that district's bureau's to decline
            raise ValidationError(
                {
                    "amount": _(
                        "同一项目（%(matched)s）已在其他区域的“%(programme)s”（%(ref)s）拟支持 %(held)s 元；"
                        "按“从高不重复”原则须由该区域主管部门先行处理，不能在此核定。"
                    )
                    % {
                        "matched": "、".join(c["matched"]),
                        "programme": c["programme"],
                        "ref": c["reference"],
                        "held": f"{c['held']:,}",
                    }
                }
            )
        if c["state"] == State.APPROVED:
            raise ValidationError(
                {
                    "amount": _(
                        "同一项目已在“%(programme)s”（%(ref)s）获最终核定 %(held)s 元；如需改按本申报较高金额支持，"
                        "须先由管理员撤销该核定。"
                    )
                    % {"programme": c["programme"], "ref": c["reference"], "held": f"{c['held']:,}"}
                }
            )
        supersede.append(c)
    return supersede


def approval_check(app: Application, *, requested: Mapping[str, Decimal], reason: str) -> ApprovalCheck:
    """Every rule an approval must meet, on the application as it stands: eligible on its basis date,
    each line at most the calculator's maximum (below it, 核减, with a reason), the consent document
    where one is required, each line's enterprise registered and confirmed, 从高不重复. Raises
    ValidationError (field by field) or returns what the approval decides; writes nothing."""
    est = decision_estimate(app)
    if not est.eligible:
        raise ValidationError(
            _("测算结果为不符合支持条件：%(why)s。不能核定支持，请作不予支持处理。")
            % {"why": "；".join(est.reasons) or _("未说明")}
        )
    lines = _amounts_within_maximum(est, requested, reason)
    total = sum(lines.values(), ZERO)
    consent = _consent_of(app)
    receivers = _receivers_ready(app, lines)
    conflicts = project_conflicts(app)
    supersede = _to_supersede(conflicts, total, app.programme.policy.district)
    outcome = Decision.Outcome.APPROVE if total == est.amount else Decision.Outcome.REDUCE
    return ApprovalCheck(
        estimate=est,
        lines=lines,
        total=total,
        outcome=outcome,
        receivers=receivers,
        conflicts=conflicts,
        supersede=supersede,
        consent=consent,
    )


def _award_lines(checked: ApprovalCheck) -> list[dict[str, Any]]:
    return [
        {"enterprise_id": _receiver(checked.receivers, ln).pk, "line": ln, "amount": a}
        for ln, a in checked.lines.items()
        if a > 0
    ]


def _reserve(*, actor, app: Application, checked: ApprovalCheck, on: dt.date) -> None:
    est = checked.estimate
    award_reserve(
        actor=actor,
        application=app,
        lines=_award_lines(checked),
        decided_on=on,
        basis_date=est.on,
        parameters=dict(est.parameters),
        explanation=estimate_as_json(est)["steps"],
        idempotency_key=f"approve:{app.pk}:{on.isoformat()}",
    )


def budget_check(*, actor, app: Application, checked: ApprovalCheck, on: dt.date) -> None:
    """Would the pool, the caps and the quotas take this approval now? The reservation itself is
    tried and rolled back (the one budget rule, not a copy): ValidationError when it would not fit."""
    with transaction.atomic():
        point = transaction.savepoint()
        try:
            _reserve(actor=actor, app=app, checked=checked, on=on)
        finally:
            transaction.savepoint_rollback(point)


def approval_event_data(checked: ApprovalCheck, *, reason: str, on: dt.date) -> dict[str, Any]:
    """The approve transition's audit and timeline data (the applicant reads it: no other
    application or enterprise is named here; the 从高不重复 rows stay on the decision)."""
    est = checked.estimate
    consent = checked.consent
    return {
        "outcome": checked.outcome,
        "amount": str(checked.total),
        "max_amount": str(est.amount),
        "reason": reason,
        "decided_on": on.isoformat(),
        "basis_date": est.on.isoformat(),
        "consent_document": consent.original_name if consent is not None else None,
        "lines": checked.lines_json(),
    }


def approval_write(
    *, actor, app: Application, checked: ApprovalCheck, reason: str, on: dt.date, ip: str | None = None
) -> Decision:
    """The writes of an approval that takes effect (call under the locks of the application and of
    those sharing its project, after approval_check): the budget reserved, the decision recorded,
    lower awards of the same project superseded, the applicant told. The caller then fires the
    approve transition."""
    est = checked.estimate
    _reserve(actor=actor, app=app, checked=checked, on=on)
    Decision.objects.filter(application=app, current=True).update(current=False)
    receivers = checked.receivers
    decision = Decision.objects.create(
        application=app,
        outcome=checked.outcome,
        amount=checked.total,
        max_amount=est.amount,
        lines=[
            {
                "line": ln,
                "label": line_label(ln),
                "amount": str(a),
                "max": str(checked.maxima[ln]),
                "enterprise_id": receiver.pk if receiver is not None else None,
                "enterprise_name": receiver.name if receiver is not None else "",
            }
            for ln, a in checked.lines.items()
            for receiver in [receivers.get(ln)]
        ],
        reason=reason,
        explanation=estimate_as_json(est)["steps"],
        parameters=dict(est.parameters),
        conflicts=conflicts_json(checked.conflicts),
        decided_on=on,
        decided_by=actor,
        basis_date=est.on,
        consent_document=checked.consent,
    )
    for c in checked.supersede:
        decision_supersede(
            actor=actor,
            application=c["id"],
            ip=ip,
            reason=_(
                "从高不重复：同一项目（%(matched)s）已在“%(programme)s”（%(ref)s）"
                "获更高支持 %(total)s 元，本项不予支持。"
            )
            % {
                "matched": "、".join(c["matched"]),
                "programme": app.programme.name_zh,
                "ref": app.reference,
                "total": f"{checked.total:,}",
            },
        )
    with portal_language():
        notify_enterprise(
            enterprise_id=app.enterprise_id,
            kind="decision",
            subject=_("审核结果：申报 %(ref)s 拟予支持") % {"ref": app.reference},
            body=_("您的申报 %(ref)s（%(programme)s）经审核拟予支持，拟核定金额 %(amount)s 元，将进行公示。%(reason)s")
            % {
                "ref": app.reference,
                "programme": app.programme.name_zh,
                "amount": f"{checked.total:,}",
                "reason": (_("核减理由：%(r)s") % {"r": reason}) if reason else "",
            },
            link=applicant_link(app),
            dedupe_key=f"decision:{decision.pk}",
        )
    return decision


# ---------------------------------------------------------------- decline


def release_awards(*, actor, app: Application, reason: str) -> None:
    for award in Award.objects.filter(application=app, status__in=LIVE_AWARD).order_by("pk"):
        award_release(actor=actor, award=award, reason=reason)


def record_decline(*, actor, app: Application, reason: str, on: dt.date) -> Decision:
    Decision.objects.filter(application=app, current=True).update(current=False)
    return Decision.objects.create(
        application=app,
        outcome=Decision.Outcome.DECLINE,
        amount=ZERO,
        reason=reason,
        decided_on=on,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def notify_declined(app: Application, reason: str, decision: Decision) -> None:
    """Tell the applicant (after the commit, in the portal's language)."""
    with portal_language():
        notify_enterprise(
            enterprise_id=app.enterprise_id,
            kind="decision",
            subject=_("审核结果：申报 %(ref)s 未获支持") % {"ref": app.reference},
            body=_("您的申报 %(ref)s（%(programme)s）经审核不予支持。理由：%(reason)s")
            % {"ref": app.reference, "programme": app.programme.name_zh, "reason": reason},
            link=applicant_link(app),
            dedupe_key=f"decision:{decision.pk}",
        )


def decline_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("不予支持须说明理由。")})
    return reason


def decline_write(*, actor, app: Application, reason: str) -> Decision:
    """The writes of a decline that takes effect: the decision, its letter (不予支持通知), the
    applicant told. The caller then fires the decline transition."""
    decision = record_decline(actor=actor, app=app, reason=reason, on=today())
    letter_create(application=app, kind="decline", actor=actor, context={"reason": reason})
    notify_declined(app, reason, decision)
    return decision


def decision_supersede(*, actor, application: Application | int, reason: str, ip: str | None = None) -> Decision:
    """从高不重复: a pending award superseded by a higher one of the same project is declined and its
    budget released (called by approval_write, which holds the locks)."""
    with transaction.atomic():
        app = application_lock(application)
        transition_check(actor=actor, application=app, transition="decline_superseded")
        release_awards(actor=actor, app=app, reason=reason)
        decision = record_decline(actor=actor, app=app, reason=reason, on=today())
        PublicNoticeEntry.objects.filter(application=app).update(status=PublicNoticeEntry.Status.WITHDRAWN)
        letter_create(application=app, kind="decline", actor=actor, context={"reason": reason})  # 不予支持通知
        notify_declined(app, reason, decision)
        application_transition(
            actor=actor,
            application=app,
            transition="decline_superseded",
            message=reason,
            ip=ip,
            data={"outcome": "decline", "reason": reason},
            due_date=None,
        )
    return decision
