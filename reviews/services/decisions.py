"""实质审核 the bureau decision: approve with an amount never above the calculator's maximum for the
application on the decision date (in full, or reduced with a reason), or decline with a reason.

从高不重复 (hp2025 第十五条): when the same project (contract, invoice or project key) is claimed under
another programme of any policy, only the highest award is kept. Approving refuses when a standing
award of that project is as high or higher; a lower pending one is declined with that reason
(transition decline_superseded) in the same transaction.

Budget: the approved lines are reserved on the programme's pool with
vouchers.services.budget.award_reserve inside the approve transition, which refuses (nothing
written) when a pool, cap or quota does not fit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from applications.models import Application
from applications.selectors import consent_document
from applications.services import application_transition
from applications.workflow import State
from portal.amounts import decimal_from
from portal.notifications import notify_enterprise
from portal.permissions import in_district, require_district
from vouchers.models import Award
from vouchers.selectors import estimate_as_json
from vouchers.services.budget import award_release, award_reserve

from ..letters.services import letter_create
from ..models import Decision, PublicNoticeEntry
from ..selectors import (
    LIVE_AWARD,
    _claim_filter,
    batch_ranking,
    confirmed_lines,
    conflicts_json,
    decision_estimate,
    line_enterprises,
    line_label,
    project_conflicts,
)
from .assignments import BulkResult
from .common import applicant_link, assigned_guard, guards, require_admin, require_bureau, today

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DECIDED_STATES = (State.APPROVED_PENDING_NOTICE, State.IN_PUBLIC_NOTICE, State.APPROVED)


# ---------------------------------------------------------------- input

def parse_amount(raw: Any, *, field: str = "amount") -> Decimal:
    value = decimal_from(raw)  # the one reading of a typed amount (portal.amounts): " 1,0,0 " is none
    if value is None:
        raise ValidationError({field: _("请输入有效的金额（元）。")})
    if value < 0:
        raise ValidationError({field: _("金额不能为负数。")})
    if value != value.quantize(CENT):
        raise ValidationError({field: _("金额最多保留两位小数（精确到分）。")})
    if value >= Decimal("1e14"):
        raise ValidationError({field: _("金额过大。")})
    return value.quantize(CENT)


def _requested_lines(amounts: Mapping[str, Any] | None, amount: Any) -> dict[str, Decimal]:
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

def _conflict_ids(pk: int) -> list[int]:
    app = Application.objects.filter(pk=pk).first()
    if app is None:
        return []
    return list(Application.objects.filter(_claim_filter(app)).exclude(pk=pk).exclude(programme_id=app.programme_id)
                .values_list("pk", flat=True).distinct())


def decision_approve(*, actor, application: Application | int, amounts: Mapping[str, Any] | None = None,
                     amount: Any = None, reason: str = "", on: dt.date | None = None,
                     ip: str | None = None) -> Decision:
    """核定 approve: `amount` (single-line programmes) or `amounts` {line: amount} (th-scenario-demo:
    "supplier", "buyer"). Each line at most the calculator's maximum on `on` (default today); below
    it (核减) a reason is required. Reserves the budget and keeps only the highest award of the project."""
    require_bureau(actor)
    pk = application.pk if isinstance(application, Application) else int(application)
    on = on or today()
    requested = _requested_lines(amounts, amount)
    reason = (reason or "").strip()
    data: dict[str, Any] = {}
    state: dict[str, Any] = {}

    def check(app: Application) -> None:
        est = decision_estimate(app)
        if not est.eligible:
            raise ValidationError(_("测算结果为不符合支持条件：%(why)s。不能核定支持，请作不予支持处理。")
                                  % {"why": "；".join(est.reasons) or _("未说明")})
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
                    % {"who": line_label(line), "amount": f"{requested[line]:,}", "max": f"{top:,}"})
            lines[line] = requested[line]
        if errors:
            raise ValidationError(errors)
        total = sum(lines.values(), ZERO)
        if total <= 0:
            raise ValidationError({"amount": _("核定金额须大于零；不予支持请选择“不予支持”并说明理由。")})
        if total < est.amount and not reason:
            raise ValidationError({"reason": _("核定金额低于测算上限 %(max)s 元（核减），须说明理由。")
                                   % {"max": f"{est.amount:,}"}})
        consent = None
        if (app.programme.spec or {}).get("requires_consent_document"):
            # 一事一议: 经区政府同意 — the decision rests on the consent document, recorded with it
            consent = consent_document(app)
            if consent is None:
                raise ValidationError({"amount": _(
                    "“%(p)s”须经区政府同意：申报材料中尚无区政府同意文件，不能核定支持。请退回补正或不予支持。")
                    % {"p": app.programme.name_zh}})
        state["consent"] = consent
        receivers = line_enterprises(app)
        for line, amt in lines.items():
            if amt > 0 and receivers.get(line) is None:
                raise ValidationError({f"amount_{line}": _(
                    "%(who)s尚未在平台注册，不能核定其奖励；可将该方金额核定为 0 并说明理由。")
                    % {"who": line_label(line)}})
        confirmed = confirmed_lines(app, receivers)
        for line, amt in lines.items():
            if amt > 0 and not confirmed.get(line, False):
                # 合作方确认: another enterprise's award line waits for it to confirm in its own account
                raise ValidationError({f"amount_{line}": _(
                    "%(who)s %(name)s 尚未在其账户中确认参与本项目，不能核定其奖励；请待其确认后核定，"
                    "或将该方金额核定为 0 并说明理由。") % {"who": line_label(line), "name": receivers[line].name}})
        conflicts = project_conflicts(app)
        supersede = []
        for c in conflicts:
            holds = c["held"] > 0 or c["state"] in DECIDED_STATES
            if not holds:
                continue
            if c["cross_enterprise"]:
                # two enterprises claiming one contract or invoice is a matter for the bureau to look
                # into: neither award declines the other
                raise ValidationError({"amount": _(
                    "同一项目（%(matched)s）已由另一企业 %(enterprise)s 在“%(programme)s”（%(ref)s）"
                    "获核定 %(held)s 元。"
                    "不同企业申报同一合同、发票或项目，不按“从高不重复”自动处理，须由主管部门核查；"
                    "核查后对不应支持的一方作不予支持决定。")
                    % {"matched": "、".join(c["matched"]), "enterprise": c["enterprise"],
                       "programme": c["programme"], "ref": c["reference"], "held": f"{c['held']:,}"}})
            if c["held"] >= total:
                raise ValidationError({"amount": _(
                    "同一项目（%(matched)s）已在“%(programme)s”（%(ref)s）核定 %(held)s 元，不低于本次 %(total)s 元；"
                    "按“从高不重复”原则只保留最高一项，本申报应不予支持。")
                    % {"matched": "、".join(c["matched"]), "programme": c["programme"], "ref": c["reference"],
                       "held": f"{c['held']:,}", "total": f"{total:,}"}})
            if not in_district(actor, c["district"]):
                # another district's application is that district's bureau's to decline
                raise ValidationError({"amount": _(
                    "同一项目（%(matched)s）已在其他区域的“%(programme)s”（%(ref)s）拟支持 %(held)s 元；"
                    "按“从高不重复”原则须由该区域主管部门先行处理，不能在此核定。")
                    % {"matched": "、".join(c["matched"]), "programme": c["programme"], "ref": c["reference"],
                       "held": f"{c['held']:,}"}})
            if c["state"] == State.APPROVED:
                raise ValidationError({"amount": _(
                    "同一项目已在“%(programme)s”（%(ref)s）获最终核定 %(held)s 元；如需改按本申报较高金额支持，"
                    "须先由管理员撤销该核定。") % {"programme": c["programme"], "ref": c["reference"],
                                          "held": f"{c['held']:,}"}})
            supersede.append(c)
        state.update(est=est, lines=lines, total=total, receivers=receivers, conflicts=conflicts, supersede=supersede)
        est_json = estimate_as_json(est)
        data.update(outcome=Decision.Outcome.APPROVE if total == est.amount else Decision.Outcome.REDUCE,
                    amount=str(total), max_amount=str(est.amount), reason=reason, decided_on=on.isoformat(),
                    basis_date=est.on.isoformat(),
                    consent_document=consent.original_name if consent is not None else None,
                    lines=[{"line": ln, "amount": str(a), "max": str(maxima[ln])} for ln, a in lines.items()])
        # The 从高不重复 check names other applications, perhaps other enterprises': it is kept on the
        # decision (the bureau's record), never in the timeline data the applicant reads.
        state["est_json"] = est_json

    def apply(app: Application) -> None:
        est, lines, receivers = state["est"], state["lines"], state["receivers"]
        award_lines = [{"enterprise_id": receivers[ln].pk, "line": ln, "amount": a} for ln, a in lines.items() if a > 0]
        award_reserve(actor=actor, application=app, lines=award_lines, decided_on=on, basis_date=est.on,
                      parameters=dict(est.parameters), explanation=state["est_json"]["steps"],
                      idempotency_key=f"approve:{app.pk}:{on.isoformat()}")
        Decision.objects.filter(application=app, current=True).update(current=False)
        state["decision"] = Decision.objects.create(
            application=app, outcome=data["outcome"], amount=state["total"], max_amount=est.amount,
            lines=[{"line": ln, "label": line_label(ln), "amount": str(a), "max": str(m.amount),
                    "enterprise_id": receivers[ln].pk if receivers.get(ln) else None,
                    "enterprise_name": receivers[ln].name if receivers.get(ln) else ""}
                   for ln, a in lines.items() for m in est.lines if m.line == ln],
            reason=reason, explanation=state["est_json"]["steps"], parameters=dict(est.parameters),
            conflicts=conflicts_json(state["conflicts"]), decided_on=on, decided_by=actor, basis_date=est.on,
            consent_document=state["consent"])
        app.due_date = None
        for c in state["supersede"]:
            decision_supersede(actor=actor, application=c["id"], ip=ip, reason=_(
                "从高不重复：同一项目（%(matched)s）已在“%(programme)s”（%(ref)s）"
                "获更高支持 %(total)s 元，本项不予支持。")
                % {"matched": "、".join(c["matched"]), "programme": app.programme.name_zh, "ref": app.reference,
                   "total": f"{state['total']:,}"})

    def after(app: Application) -> None:
        notify_enterprise(
            enterprise_id=app.enterprise_id, kind="decision",
            subject=_("审核结果：申报 %(ref)s 拟予支持") % {"ref": app.reference},
            body=_("您的申报 %(ref)s（%(programme)s）经审核拟予支持，拟核定金额 %(amount)s 元，将进行公示。%(reason)s")
            % {"ref": app.reference, "programme": app.programme.name_zh, "amount": f"{state['total']:,}",
               "reason": (_("核减理由：%(r)s") % {"r": reason}) if reason else ""},
            link=applicant_link(app), dedupe_key=f"decision:{state['decision'].pk}")

    with transaction.atomic():
        # Lock the application and the ones sharing its project in id order (no deadlock between two
        # approvals of the same project); application_transition locks the application again.
        ids = sorted({pk, *_conflict_ids(pk)})
        list(Application.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        application_transition(actor=actor, application=pk, transition="approve", ip=ip, data=data,
                               message=reason, guard=guards(assigned_guard(actor), check), apply=apply,
                               on_commit=after)
    return state["decision"]


def _release_awards(*, actor, app: Application, reason: str) -> None:
    for award in Award.objects.filter(application=app, status__in=LIVE_AWARD).order_by("pk"):
        award_release(actor=actor, award=award, reason=reason)


def _record_decline(*, actor, app: Application, reason: str, on: dt.date) -> Decision:
    Decision.objects.filter(application=app, current=True).update(current=False)
    return Decision.objects.create(application=app, outcome=Decision.Outcome.DECLINE, amount=ZERO, reason=reason,
                                   decided_on=on, decided_by=actor if getattr(actor, "is_authenticated", False)
                                   else None)


def _notify_declined(app: Application, reason: str, decision: Decision) -> None:
    notify_enterprise(
        enterprise_id=app.enterprise_id, kind="decision",
        subject=_("审核结果：申报 %(ref)s 未获支持") % {"ref": app.reference},
        body=_("您的申报 %(ref)s（%(programme)s）经审核不予支持。理由：%(reason)s")
        % {"ref": app.reference, "programme": app.programme.name_zh, "reason": reason},
        link=applicant_link(app), dedupe_key=f"decision:{decision.pk}")


def decision_decline(*, actor, application: Application | int, reason: str, ip: str | None = None) -> Decision:
    """不予支持 decline with a reason (from formal, expert or bureau review)."""
    require_bureau(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("不予支持须说明理由。")})
    made: dict[str, Decision] = {}

    def apply(app: Application) -> None:
        made["decision"] = _record_decline(actor=actor, app=app, reason=reason, on=today())
        app.due_date = None
        letter_create(application=app, kind="decline", actor=actor, context={"reason": reason})  # 不予支持通知

    application_transition(actor=actor, application=application, transition="decline", message=reason, ip=ip,
                           data={"outcome": "decline", "reason": reason}, guard=assigned_guard(actor), apply=apply,
                           on_commit=lambda app: _notify_declined(app, reason, made["decision"]))
    return made["decision"]


def decision_supersede(*, actor, application: Application | int, reason: str, ip: str | None = None) -> Decision:
    """从高不重复: a pending award superseded by a higher one of the same project is declined and its
    budget released (called by decision_approve, which holds the locks)."""
    made: dict[str, Decision] = {}

    def apply(app: Application) -> None:
        _release_awards(actor=actor, app=app, reason=reason)
        made["decision"] = _record_decline(actor=actor, app=app, reason=reason, on=today())
        PublicNoticeEntry.objects.filter(application=app).update(status=PublicNoticeEntry.Status.WITHDRAWN)
        app.due_date = None
        letter_create(application=app, kind="decline", actor=actor, context={"reason": reason})  # 不予支持通知

    application_transition(actor=actor, application=application, transition="decline_superseded", message=reason,
                           ip=ip, data={"outcome": "decline", "reason": reason}, apply=apply,
                           on_commit=lambda app: _notify_declined(app, reason, made["decision"]))
    return made["decision"]


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


def batch_approve(*, actor, window, application_ids: Iterable[int], mode: str = "rank",
                  ip: str | None = None) -> list[BulkResult]:
    """Approve the chosen applications of a batch as the ranking (择优, by expert mean against the quota
    and the pool) or the pro-rata option (按比例核减) computes them; each is its own decision."""
    require_admin(actor)
    require_district(actor, window.programme.policy.district)
    if mode not in ("rank", "pro_rata"):
        raise ValidationError({"mode": _("请选择按排名择优或按比例核减。")})
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
        lines = _split(row["max_lines"], give)
        reason = ""
        if give < row["max_amount"]:
            reason = (_("按排名择优，资金池余额不足，核减至 %(give)s 元。") if mode == "rank"
                      else _("资金池不足，按比例核减（比例 %(ratio)s），核减至 %(give)s 元。")) \
                % {"give": f"{give:,}", "ratio": ranking["pro_rata_ratio"]}
        try:
            decision_approve(actor=actor, application=app, amounts=lines, reason=reason, ip=ip)
        except (ValidationError, PermissionDenied) as exc:
            msg = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            results.append(BulkResult(pk, app.reference, False, msg))
        else:
            results.append(BulkResult(pk, app.reference, True, _("已核定 %(give)s 元") % {"give": f"{give:,}"}))
    return results
