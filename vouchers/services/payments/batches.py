"""Payment batches 拨付批次: prepared by one administrator, approved by another, exported, and the bank's
result of each line recorded — paid (a ledger disbursement) or failed (the tranche is due again)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import Notification
from portal.notifications import notify_enterprise

from ...models import Award, PaymentBatch, PaymentLine, PaymentTranche, ReceivingAccount
from ..accounts import account_in_force, account_payable
from ..budget import ZERO, fmt_yuan, tranche_disburse
from ..payments_common import (
    award_scope_q,
    enterprise_link,
    portal_language,
    require_batch_district,
    require_payment_admin,
)
from .schedules import payable_award

T = PaymentTranche.Status
L = PaymentLine.Status
B = PaymentBatch.Status
MAX_LINES = 500


# --- batches --------------------------------------------------------------------------------------


def _purpose(tranche: PaymentTranche, award: Award) -> str:
    """用途 of the payment file, in Chinese whoever prepares the batch: programme, tranche, the letter."""
    basis = f"依据{tranche.document_number}" if tranche.document_number else f"申报编号{award.application.reference}"
    return f"{award.programme.name_zh}补贴资金 {tranche.label} {basis}"[:200]


def _left_on_award(award: Award, *, extra: Decimal = ZERO) -> Decimal:
    """What of the award is neither paid nor on a line waiting for the bank."""
    pending = PaymentLine.objects.filter(award=award, status=L.PENDING).aggregate(s=Sum("amount"))["s"] or ZERO
    return award.amount - award.disbursed - pending - extra


def batch_prepare(*, actor, tranche_ids: list[int], note: str = "", ip: str | None = None) -> PaymentBatch:
    """编制拨付批次 the due tranches chosen, each to the payee's verified account; nothing is written
    when one of them cannot be paid (each reason is named)."""
    require_payment_admin(actor)
    ids = list(dict.fromkeys(int(i) for i in tranche_ids or []))
    if not ids:
        raise ValidationError({"tranches": _("请至少选择一笔待拨付款项。")})
    if len(ids) > MAX_LINES:
        raise ValidationError({"tranches": _("一个批次最多 %(n)s 笔。") % {"n": MAX_LINES}})
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": _("说明不能超过300字。")})
    with transaction.atomic():
        # the awards first, then their tranches: the order the claw-back takes them in
        award_ids = set(PaymentTranche.objects.filter(pk__in=ids).values_list("award_id", flat=True))
        awards = {
            a.pk: a
            for a in Award.objects.select_for_update(of=("self",))
            .select_related("programme", "enterprise", "application")
            .filter(pk__in=award_ids)
            .order_by("pk")
        }
        # another district's tranches are not the actor's to pay: as unknown as those that do not exist
        found = {
            t.pk: t
            for t in PaymentTranche.objects.select_for_update()
            .filter(award_scope_q(actor, "award__"), pk__in=ids)
            .order_by("pk")
        }
        unknown = [i for i in ids if i not in found]
        if unknown:
            raise ValidationError(
                {"tranches": _("没有这些待拨付款项：%(ids)s。") % {"ids": ", ".join(map(str, unknown))}}
            )
        errors: list[str] = []
        planned: dict[int, Decimal] = {}
        accounts: dict[int, ReceivingAccount | None] = {}
        for t in found.values():
            award = awards[t.award_id]
            what = f"{award.enterprise.name} {award.application.reference} {t.label}"
            if t.status != T.DUE:
                errors.append(_("%(w)s：状态为“%(s)s”，不是待拨付。") % {"w": what, "s": t.get_status_display()})
                continue
            if not payable_award(award):
                errors.append(_("%(w)s：奖励不是已核定生效的直接拨付奖励。") % {"w": what})
                continue
            if award.enterprise_id not in accounts:
                accounts[award.enterprise_id] = account_in_force(enterprise_id=award.enterprise_id)
            why = account_payable(accounts[award.enterprise_id], enterprise=award.enterprise)
            if why:
                errors.append(f"{what}：{why}")
                continue
            left = _left_on_award(award, extra=planned.get(award.pk, ZERO))
            if t.amount > left:
                errors.append(
                    _("%(w)s：金额 %(t)s 超过奖励剩余未拨付部分 %(l)s。")
                    % {"w": what, "t": fmt_yuan(t.amount), "l": fmt_yuan(max(left, ZERO))}
                )
                continue
            planned[award.pk] = planned.get(award.pk, ZERO) + t.amount
        if errors:
            raise ValidationError(errors)
        batch = PaymentBatch.objects.create(
            number=f"tmp-{timezone.now().timestamp()}-{actor.pk}", prepared_by=actor, note=note
        )
        batch.number = f"BF{timezone.localdate().year}-{batch.pk:06d}"
        order = sorted(found.values(), key=lambda t: (t.award_id, t.seq))
        lines = []
        for seq, t in enumerate(order, start=1):
            award, account = awards[t.award_id], accounts[awards[t.award_id].enterprise_id]
            assert account is not None  # checked above (account_payable)
            lines.append(
                PaymentLine(
                    batch=batch,
                    seq=seq,
                    tranche=t,
                    award=award,
                    pool_id=award.pool_id,
                    enterprise_id=award.enterprise_id,
                    amount=t.amount,
                    account=account,
                    payee_name=account.account_name,
                    account_number=account.account_number,
                    bank_name=account.bank_name,
                    branch_name=account.branch_name,
                    purpose=_purpose(t, award),
                )
            )
        PaymentLine.objects.bulk_create(lines)
        PaymentTranche.objects.filter(pk__in=[t.pk for t in order]).update(status=T.IN_BATCH)
        batch.total = sum((ln.amount for ln in lines), ZERO)
        batch.save(update_fields=["number", "total"])
        audit_record(
            actor=actor,
            action="payments.batch_prepare",
            target=batch,
            ip=ip,
            after={"number": batch.number, "lines": len(lines), "total": str(batch.total)},
        )
    return batch


def _lock_batch(batch: PaymentBatch) -> PaymentBatch:
    return PaymentBatch.objects.select_for_update().get(pk=batch.pk)


def batch_approve(*, actor, batch: PaymentBatch, ip: str | None = None) -> PaymentBatch:
    """审批 by an administrator other than the one who prepared it (四眼原则). Each line's account must
    still be the payee's verified account."""
    require_payment_admin(actor)
    with transaction.atomic():
        batch = _lock_batch(batch)
        require_batch_district(actor, batch)
        if batch.status != B.DRAFT:
            raise ValidationError(
                _("批次 %(b)s 不在待审批状态（%(s)s）。") % {"b": batch.number, "s": batch.get_status_display()}
            )
        if batch.prepared_by_id == actor.pk:
            raise PermissionDenied(_("四眼原则：批次 %(b)s 由您编制，须由另一名管理员审批。") % {"b": batch.number})
        errors = []
        for line in batch.lines.select_related("account", "enterprise", "award").order_by("seq"):
            why = account_payable(line.account, enterprise=line.enterprise)
            if why:
                errors.append(_("第%(n)s行：%(w)s请撤销本批次后重新编制。") % {"n": line.seq, "w": why})
            elif line.award.status != Award.Status.COMMITTED:
                errors.append(_("第%(n)s行：奖励已不再有效。") % {"n": line.seq})
        if errors:
            raise ValidationError(errors)
        batch.status, batch.approved_by, batch.approved_at = B.APPROVED, actor, timezone.now()
        batch.save(update_fields=["status", "approved_by", "approved_at"])
        audit_record(
            actor=actor,
            action="payments.batch_approve",
            target=batch,
            ip=ip,
            after={"number": batch.number, "total": str(batch.total)},
        )
    return batch


def batch_cancel(*, actor, batch: PaymentBatch, reason: str, ip: str | None = None) -> PaymentBatch:
    """撤销 a batch none of whose lines has a result yet; its tranches are due again."""
    require_payment_admin(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请说明撤销原因。")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("撤销原因不能超过300字。")})
    with transaction.atomic():
        batch = _lock_batch(batch)
        require_batch_district(actor, batch)
        if batch.status not in (B.DRAFT, B.APPROVED):
            raise ValidationError(
                _("批次 %(b)s 已%(s)s，不能撤销。") % {"b": batch.number, "s": batch.get_status_display()}
            )
        if batch.lines.exclude(status=L.PENDING).exists():
            raise ValidationError(
                _("批次 %(b)s 已登记部分拨付结果，不能撤销；请登记其余明细的结果。") % {"b": batch.number}
            )
        tranche_ids = list(batch.lines.values_list("tranche_id", flat=True))
        batch.lines.update(status=L.CANCELLED)
        PaymentTranche.objects.filter(pk__in=tranche_ids, status=T.IN_BATCH).update(status=T.DUE)
        batch.status, batch.cancel_reason = B.CANCELLED, reason
        batch.save(update_fields=["status", "cancel_reason"])
        audit_record(
            actor=actor,
            action="payments.batch_cancel",
            target=batch,
            ip=ip,
            note=reason,
            after={"number": batch.number},
        )
    return batch


def batch_export_record(*, actor, batch: PaymentBatch, fmt: str, ip: str | None = None) -> PaymentBatch:
    """Only an approved batch becomes a payment file; each export is audited."""
    require_payment_admin(actor)
    with transaction.atomic():
        batch = _lock_batch(batch)
        require_batch_district(actor, batch)
        if batch.status not in (B.APPROVED, B.CLOSED):
            raise ValidationError(_("批次 %(b)s 尚未审批（或已撤销），不能导出支付文件。") % {"b": batch.number})
        if batch.exported_at is None:
            batch.exported_at = timezone.now()
            batch.save(update_fields=["exported_at"])
        audit_record(actor=actor, action="payments.batch_export", target=batch, ip=ip, after={"format": fmt})
    return batch


@dataclass(frozen=True)
class LineResult:
    """The bank's answer for one line: paid (date and voucher number) or failed (reason)."""

    seq: int
    paid: bool
    paid_on: dt.date | None = None
    voucher_number: str = ""
    reason: str = ""


def result_problems(*, batch: PaymentBatch, lines: dict[int, PaymentLine], result: LineResult) -> list[str]:
    """What is wrong with one result (empty: it may be recorded). The return-file import names the
    row and column of each; the services refuse the whole set when any is wrong."""
    line = lines.get(result.seq)
    if line is None:
        return [_("批次 %(b)s 没有序号为 %(n)s 的明细。") % {"b": batch.number, "n": result.seq}]
    if line.status != L.PENDING:
        done = (
            _("已登记为已拨付（%(d)s，凭证号 %(v)s）") % {"d": line.paid_on, "v": line.voucher_number}
            if line.status == L.PAID
            else _("已登记为%(s)s") % {"s": line.get_status_display()}
        )
        return [_("序号 %(n)s %(d)s，不能重复登记。") % {"n": result.seq, "d": done}]
    problems = []
    if result.paid:
        if result.paid_on is None:
            problems.append(_("序号 %(n)s：请填写拨付日期。") % {"n": result.seq})
        elif result.paid_on > timezone.localdate():
            problems.append(_("序号 %(n)s：拨付日期 %(d)s 晚于今天。") % {"n": result.seq, "d": result.paid_on})
        elif batch.approved_at and result.paid_on < timezone.localdate(batch.approved_at):
            problems.append(_("序号 %(n)s：拨付日期 %(d)s 早于批次审批日期。") % {"n": result.seq, "d": result.paid_on})
        if not result.voucher_number.strip():
            problems.append(_("序号 %(n)s：请填写凭证号。") % {"n": result.seq})
        elif len(result.voucher_number.strip()) > 60:
            problems.append(_("序号 %(n)s：凭证号不能超过60个字符。") % {"n": result.seq})
    else:
        if not result.reason.strip():
            problems.append(_("序号 %(n)s：拨付失败须写明原因。") % {"n": result.seq})
        elif len(result.reason.strip()) > 300:
            problems.append(_("序号 %(n)s：失败原因不能超过300字。") % {"n": result.seq})
    return problems


def batch_lines_for_results(batch: PaymentBatch) -> dict[int, PaymentLine]:
    return {ln.seq: ln for ln in batch.lines.select_related("award", "tranche").order_by("seq")}


def batch_results_record(
    *, actor, batch: PaymentBatch, results: list[LineResult], source: str = "manual", ip: str | None = None
) -> PaymentBatch:
    """登记拨付结果 paid lines become ledger disbursements and their tranches paid; failed lines send
    their tranches back to due. All or nothing. The batch is complete when no line waits any more."""
    require_payment_admin(actor)
    if not results:
        raise ValidationError(_("请至少登记一笔明细的结果。"))
    with transaction.atomic():
        batch = _lock_batch(batch)
        require_batch_district(actor, batch)
        if batch.status != B.APPROVED:
            raise ValidationError(
                _("批次 %(b)s 为“%(s)s”，不能登记拨付结果。") % {"b": batch.number, "s": batch.get_status_display()}
            )
        lines = {ln.seq: ln for ln in PaymentLine.objects.select_for_update().filter(batch=batch)}
        awards = Award.objects.in_bulk({ln.award_id for ln in lines.values()})
        tranches = PaymentTranche.objects.in_bulk({ln.tranche_id for ln in lines.values()})
        for ln in lines.values():  # the award and tranche for the ledger and the notice
            ln.award, ln.tranche = awards[ln.award_id], tranches[ln.tranche_id]
        errors, seen = [], set()
        for r in results:
            if r.seq in seen:
                errors.append(_("序号 %(n)s 重复登记。") % {"n": r.seq})
                continue
            seen.add(r.seq)
            errors += result_problems(batch=batch, lines=lines, result=r)
        if errors:
            raise ValidationError(errors)
        now, paid, failed = timezone.now(), 0, 0
        for r in results:
            line = lines[r.seq]
            if r.paid:
                assert r.paid_on is not None  # checked above (result_problems)
                voucher = r.voucher_number.strip()
                line.ledger_entry = tranche_disburse(
                    actor=actor,
                    award=line.award,
                    amount=line.amount,
                    paid_on=r.paid_on,
                    reference=f"{batch.number}/{line.seq} {voucher}",
                )
                line.status, line.paid_on, line.voucher_number = L.PAID, r.paid_on, voucher
                line.tranche.status = T.PAID
                paid += 1
            else:
                line.status, line.failure_reason = L.FAILED, r.reason.strip()
                line.tranche.status = T.DUE
                failed += 1
            line.recorded_by, line.recorded_at = actor, now
            line.save(
                update_fields=[
                    "status",
                    "paid_on",
                    "voucher_number",
                    "failure_reason",
                    "ledger_entry",
                    "recorded_by",
                    "recorded_at",
                ]
            )
            line.tranche.save(update_fields=["status"])
            _notify_result(line)
        if not any(ln.status == L.PENDING for ln in lines.values()):
            batch.status, batch.closed_at = B.CLOSED, now
            batch.save(update_fields=["status", "closed_at"])
        audit_record(
            actor=actor,
            action="payments.batch_results",
            target=batch,
            ip=ip,
            after={
                "source": source,
                "paid": paid,
                "failed": failed,
                "status": batch.status,
                "lines": [{"seq": r.seq, "paid": r.paid} for r in results],
            },
        )
    return batch


def _notify_result(line: PaymentLine) -> None:
    with portal_language():
        _notify_result_now(line)


def _notify_result_now(line: PaymentLine) -> None:
    if line.status == L.PAID:
        subject = _("补贴资金已拨付：%(a)s") % {"a": fmt_yuan(line.amount)}
        body = _("%(p)s %(a)s 已于 %(d)s 拨付至贵单位账户（账号 %(n)s），凭证号 %(v)s。") % {
            "p": line.purpose,
            "a": fmt_yuan(line.amount),
            "d": line.paid_on,
            "n": line.account.masked_number,
            "v": line.voucher_number,
        }
    else:
        subject = _("补贴资金拨付未成功：%(a)s") % {"a": fmt_yuan(line.amount)}
        body = _("%(p)s %(a)s 拨付未成功：%(r)s。该笔款项恢复为待拨付；如收款账户有误，请登记新的收款账户。") % {
            "p": line.purpose,
            "a": fmt_yuan(line.amount),
            "r": line.failure_reason,
        }
    notify_enterprise(
        enterprise_id=line.enterprise_id,
        kind=Notification.Kind.DECISION,
        subject=subject,
        body=body,
        link=enterprise_link(),
        dedupe_key=f"payment:{line.pk}:{line.status}",
    )
