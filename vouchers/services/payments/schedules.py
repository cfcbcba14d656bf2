"""Tranche schedules 分期拨付计划 of awards and the acceptance reports (验收) that make a later tranche due."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import Notification
from portal.notifications import notify_enterprise

from ...models import AcceptanceReport, Award, PaymentBatch, PaymentLine, PaymentTranche
from ..budget import ZERO, fmt_yuan, money
from ..payments_common import (
    enterprise_id_of,
    enterprise_link,
    portal_language,
    require_award_district,
    require_payment_admin,
)

T = PaymentTranche.Status
L = PaymentLine.Status
B = PaymentBatch.Status
MAX_LINES = 500


def payable_award(award: Award) -> bool:
    """Paid in batches: committed awards of programmes that are not vouchers (算力券 are paid to the
    providers that redeem them)."""
    return award.status == Award.Status.COMMITTED and not award.programme.is_voucher


# --- schedule -------------------------------------------------------------------------------------


def _plan(award: Award, tranches: list[dict] | None, *, exact: bool) -> list[dict[str, Any]]:
    staged = award.programme.staged_payment
    if not tranches:
        if staged:
            raise ValidationError(
                {
                    "tranches": _("“%(p)s”分阶段拨付，须先确定分期计划（各期金额与拨付条件）。")
                    % {"p": award.programme.name_zh}
                }
            )
        return [
            {"label": "全额", "amount": award.amount, "condition": PaymentTranche.Condition.NONE, "condition_text": ""}
        ]
    if len(tranches) > 20:
        raise ValidationError({"tranches": _("分期不能超过20期。")})
    rows: list[dict[str, Any]] = []
    for i, t in enumerate(tranches, start=1):
        amount = money(t.get("amount"), field="tranches")
        label = str(t.get("label") or "").strip() or f"第{i}期"  # stored: the portal's language
        text = str(t.get("condition") or "").strip()
        if len(label) > 60 or len(text) > 300:
            raise ValidationError({"tranches": _("第%(n)s期的名称或条件过长。") % {"n": i}})
        wants = t.get("requires_acceptance")
        acceptance = (staged if wants is None else bool(wants)) and i > 1  # the first: on finalisation
        rows.append(
            {
                "label": label,
                "amount": amount,
                "condition_text": text,
                "condition": PaymentTranche.Condition.ACCEPTANCE if acceptance else PaymentTranche.Condition.NONE,
            }
        )
    total = sum((r["amount"] for r in rows), ZERO)
    if total > award.amount:
        raise ValidationError(
            {
                "tranches": _("分期金额合计 %(t)s 超过核定金额 %(a)s。")
                % {"t": fmt_yuan(total), "a": fmt_yuan(award.amount)}
            }
        )
    if total < award.amount:
        if exact:
            raise ValidationError(
                {
                    "tranches": _("分期金额合计 %(t)s 须等于核定金额 %(a)s。")
                    % {"t": fmt_yuan(total), "a": fmt_yuan(award.amount)}
                }
            )
        rows.append(
            {
                "label": "剩余部分",
                "amount": award.amount - total,
                "condition": PaymentTranche.Condition.ACCEPTANCE if staged else PaymentTranche.Condition.NONE,
                "condition_text": "核定通知所列分期以外的剩余部分",
            }
        )
    return rows


def _schedule_write(
    *, actor, award: Award, rows: list[dict[str, Any]], document_number: str, source: str, ip: str | None = None
) -> list[PaymentTranche]:
    today = timezone.localdate()
    made = []
    for seq, r in enumerate(rows, start=1):
        due = r["condition"] == PaymentTranche.Condition.NONE
        made.append(
            PaymentTranche.objects.create(
                award=award,
                seq=seq,
                label=r["label"],
                amount=r["amount"],
                condition=r["condition"],
                condition_text=r["condition_text"],
                document_number=document_number[:60],
                status=T.DUE if due else T.WAITING,
                due_since=today if due else None,
            )
        )
    audit_record(
        actor=actor,
        action="payments.schedule_create",
        target=award,
        ip=ip,
        after={
            "source": source,
            "document_number": document_number,
            "tranches": [
                {"seq": t.seq, "label": t.label, "amount": str(t.amount), "condition": t.condition} for t in made
            ],
        },
    )
    return made


def award_schedules_create(
    *, actor, awards: list[Award], tranches: list[dict] | None = None, document_number: str = ""
) -> list[PaymentTranche]:
    """The schedules of an application's awards when they become final (called by reviews inside the
    finalising transaction, with the approval letter's tranches and number). Idempotent: an award that
    has a schedule keeps it. The letter's tranches apply to a single award; each line of a two-party
    award is paid in one sum. A staged award without tranches waits for an administrator's schedule."""
    made: list[PaymentTranche] = []
    single = len(awards) == 1
    for award in awards:
        award = Award.objects.select_for_update(of=("self",)).select_related("programme").get(pk=award.pk)
        if not payable_award(award) or PaymentTranche.objects.filter(award=award).exists():
            continue
        given = tranches if single else None
        if not given and award.programme.staged_payment:
            continue
        made += _schedule_write(
            actor=actor,
            award=award,
            rows=_plan(award, given, exact=False),
            document_number=document_number,
            source="decision",
        )
    return made


def award_schedule_set(
    *, actor, award: Award, tranches: list[dict] | None = None, ip: str | None = None
) -> list[PaymentTranche]:
    """分期计划 an administrator sets the schedule of an award that has none (a staged programme whose
    decision named no tranches, or an award made final before schedules existed). The amounts must sum
    to the award exactly; without tranches a programme paid in one sum gets one tranche."""
    require_payment_admin(actor)
    with transaction.atomic():
        award = Award.objects.select_for_update(of=("self",)).select_related("programme").get(pk=award.pk)
        require_award_district(actor, award)
        if not payable_award(award):
            raise ValidationError(_("该奖励不是已核定生效的直接拨付奖励，不能设置分期计划。"))
        if PaymentTranche.objects.filter(award=award).exists():
            raise ValidationError(_("该奖励已有分期计划，不能重新设置。"))
        made = _schedule_write(
            actor=actor,
            award=award,
            rows=_plan(award, tranches, exact=True),
            document_number="",
            source="administrator",
            ip=ip,
        )
    return made


def award_tranches_cancel(*, actor, award: Award, reason: str) -> int:
    """The award ends (claw-back): its tranches not yet paid are cancelled. Refused while one is in a
    batch waiting for the bank's result."""
    tranches = PaymentTranche.objects.filter(award=award)
    in_batch = tranches.filter(status=T.IN_BATCH).first()
    if in_batch is not None:
        line = in_batch.lines.filter(status=L.PENDING).select_related("batch").first()
        raise ValidationError(
            _("该奖励有拨付中的款项（批次 %(b)s），请先登记该批次的拨付结果或撤销该批次。")
            % {"b": line.batch.number if line else "—"}
        )
    n = tranches.filter(status__in=[T.WAITING, T.DUE]).update(status=T.CANCELLED)
    if n:
        audit_record(actor=actor, action="payments.tranches_cancel", target=award, after={"cancelled": n}, note=reason)
    return n


# --- acceptance (验收) -----------------------------------------------------------------------------


def acceptance_submit(*, actor, tranche: PaymentTranche, summary: str, ip: str | None = None) -> AcceptanceReport:
    """The enterprise reports the stage a tranche waits for as complete."""
    summary = (summary or "").strip()
    with transaction.atomic():
        tranche = PaymentTranche.objects.select_for_update(of=("self",)).select_related("award").get(pk=tranche.pk)
        if enterprise_id_of(actor) != tranche.award.enterprise_id:
            raise PermissionDenied(_("只有获得该奖励的企业可以提交验收报告。"))
        if tranche.condition != PaymentTranche.Condition.ACCEPTANCE or tranche.status != T.WAITING:
            raise ValidationError(_("该期款项不需要或已不再等待验收（%(s)s）。") % {"s": tranche.get_status_display()})
        if tranche.acceptance_reports.filter(status=AcceptanceReport.Status.SUBMITTED).exists():
            raise ValidationError(_("该期的验收报告已提交，正在审核。"))
        if len(summary) < 10:
            raise ValidationError({"summary": _("请说明验收情况（至少10个字）：完成的建设内容、验收结论和相关文件。")})
        if len(summary) > 5000:
            raise ValidationError({"summary": _("验收情况不能超过5000字。")})
        report = AcceptanceReport.objects.create(tranche=tranche, summary=summary, submitted_by=actor)
        audit_record(
            actor=actor,
            action="payments.acceptance_submit",
            target=report,
            ip=ip,
            after={"tranche": tranche.pk, "award": tranche.award_id},
        )
    return report


def acceptance_decide(
    *, actor, report: AcceptanceReport, approve: bool, note: str = "", ip: str | None = None
) -> AcceptanceReport:
    """验收通过 makes the tranche due; 未通过 (with the reason) leaves it waiting for a new report."""
    require_payment_admin(actor)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("验收不通过须写明理由。")})
    if len(note) > 500:
        raise ValidationError({"note": _("审核意见不能超过500字。")})
    with transaction.atomic():
        report = AcceptanceReport.objects.select_for_update().get(pk=report.pk)
        tranche = (
            PaymentTranche.objects.select_for_update(of=("self",)).select_related("award").get(pk=report.tranche_id)
        )
        require_award_district(actor, tranche.award)
        if report.status != AcceptanceReport.Status.SUBMITTED:
            raise ValidationError(_("该验收报告已审核（%(s)s）。") % {"s": report.get_status_display()})
        if approve and tranche.status != T.WAITING:
            raise ValidationError(_("该期款项已不再等待验收（%(s)s）。") % {"s": tranche.get_status_display()})
        report.status = AcceptanceReport.Status.APPROVED if approve else AcceptanceReport.Status.REFUSED
        report.decided_by, report.decided_at, report.decision_note = actor, timezone.now(), note
        report.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            tranche.status, tranche.due_since = T.DUE, timezone.localdate()
            tranche.save(update_fields=["status", "due_since"])
        audit_record(
            actor=actor,
            action="payments.acceptance_decide",
            target=report,
            ip=ip,
            after={"status": report.status, "tranche": tranche.pk},
            note=note,
        )
        with portal_language():
            subject = _("验收通过：%(l)s") if approve else _("验收未通过：%(l)s")
            body = (
                _("%(l)s（%(a)s）验收通过，将编入拨付批次。")
                if approve
                else _("%(l)s（%(a)s）验收未通过：%(n)s。请完善后重新提交验收报告。")
            )
            notify_enterprise(
                enterprise_id=tranche.award.enterprise_id,
                kind=Notification.Kind.DECISION,
                subject=subject % {"l": tranche.label},
                body=body % {"l": tranche.label, "a": fmt_yuan(tranche.amount), "n": note},
                link=enterprise_link(),
                dedupe_key=f"acceptance:{report.pk}",
            )
    return report
