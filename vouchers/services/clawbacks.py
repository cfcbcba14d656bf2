"""追回 recovering money paid on an award: an administrator's decision with its reason ends the award
(its tranches not yet paid are cancelled and the unpaid rest goes back to the pool, `award_release`); the
decided amount is owed by the enterprise until repaid; each repayment received is a claw-back entry of
the ledger (`award_clawback`, which on the ended award also returns the amount to the pool)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import Notification
from portal.notifications import notify_enterprise

from ..models import Award, Clawback, ClawbackRepayment
from .budget import ZERO, award_clawback, award_release, fmt_yuan, money
from .payments import award_tranches_cancel
from .payments_common import enterprise_link, portal_language, require_award_district, require_payment_admin


def _json(c: Clawback) -> dict:
    return {
        "number": c.number,
        "award": c.award_id,
        "amount": str(c.amount),
        "repaid": str(c.repaid),
        "status": c.status,
    }


def clawback_decide(
    *, actor, award: Award, amount, reason: str, due_on: dt.date | None = None, ip: str | None = None
) -> Clawback:
    """追回决定: the amount to recover (at most what was paid and is not already being recovered) and
    why. The award ends with it."""
    require_payment_admin(actor)
    amount = money(amount)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": _("请写明追回理由（事实与依据）。")})
    if len(reason) > 2000:
        raise ValidationError({"reason": _("追回理由不能超过2000字。")})
    today = timezone.localdate()
    if due_on is not None and due_on < today:
        raise ValidationError({"due_on": _("退回期限不能早于今天。")})
    with transaction.atomic():
        award = Award.objects.select_for_update(of=("self",)).select_related("programme").get(pk=award.pk)
        require_award_district(actor, award)
        if award.programme.is_voucher:
            raise ValidationError(_("算力券的款项支付给核销的服务商，不在此追回；请按核销异议处理。"))
        owed = Clawback.objects.filter(award=award).aggregate(s=Sum(F("amount") - F("repaid")))["s"] or ZERO
        recoverable = award.disbursed - owed
        if amount > recoverable:
            raise ValidationError(
                {
                    "amount": _("追回金额 %(a)s 超过可追回金额 %(r)s（已拨付 %(d)s，已决定追回未退回 %(o)s）。")
                    % {
                        "a": fmt_yuan(amount),
                        "r": fmt_yuan(max(recoverable, ZERO)),
                        "d": fmt_yuan(award.disbursed),
                        "o": fmt_yuan(owed),
                    }
                }
            )
        clawback = Clawback.objects.create(
            number=f"tmp-{timezone.now().timestamp()}-{actor.pk}",
            award=award,
            enterprise_id=award.enterprise_id,
            amount=amount,
            reason=reason,
            due_on=due_on,
            decided_by=actor,
            decided_on=today,
        )
        clawback.number = f"ZH{today.year}-{clawback.pk:06d}"
        clawback.save(update_fields=["number"])
        award_tranches_cancel(actor=actor, award=award, reason=f"追回决定 {clawback.number}")
        if award.status == Award.Status.COMMITTED:
            award_release(actor=actor, award=award, reason=f"追回决定 {clawback.number}：{reason}")
        audit_record(
            actor=actor, action="payments.clawback_decide", target=clawback, ip=ip, after=_json(clawback), note=reason
        )
        with portal_language():
            notify_enterprise(
                enterprise_id=award.enterprise_id,
                kind=Notification.Kind.DECISION,
                subject=_("追回决定：%(n)s") % {"n": clawback.number},
                body=_("主管部门决定追回已拨付的补贴资金 %(a)s（%(n)s）。理由：%(r)s。%(due)s请按通知退回。")
                % {
                    "a": fmt_yuan(amount),
                    "n": clawback.number,
                    "r": reason,
                    "due": _("退回期限：%(d)s。") % {"d": due_on} if due_on else "",
                },
                link=enterprise_link(),
                dedupe_key=f"clawback:{clawback.pk}",
            )
    return clawback


def clawback_repayment_record(
    *, actor, clawback: Clawback, amount, repaid_on: dt.date | None, voucher_number: str, ip: str | None = None
) -> ClawbackRepayment:
    """退回到账 a repayment received: the ledger's claw-back entry, and what is still owed."""
    require_payment_admin(actor)
    amount = money(amount)
    voucher = (voucher_number or "").strip()
    if not voucher:
        raise ValidationError({"voucher_number": _("请填写到账凭证号。")})
    if len(voucher) > 60:
        raise ValidationError({"voucher_number": _("凭证号不能超过60个字符。")})
    if repaid_on is None:
        raise ValidationError({"repaid_on": _("请填写到账日期。")})
    if repaid_on > timezone.localdate():
        raise ValidationError({"repaid_on": _("到账日期不能晚于今天。")})
    with transaction.atomic():
        clawback = Clawback.objects.select_for_update(of=("self",)).select_related("award").get(pk=clawback.pk)
        require_award_district(actor, clawback.award)
        if repaid_on < clawback.decided_on:
            raise ValidationError({"repaid_on": _("到账日期不能早于追回决定日期 %(d)s。") % {"d": clawback.decided_on}})
        if clawback.repayments.filter(voucher_number=voucher).exists():
            raise ValidationError({"voucher_number": _("凭证号 %(v)s 已登记过，不能重复登记。") % {"v": voucher}})
        if amount > clawback.outstanding:
            raise ValidationError(
                {
                    "amount": _("到账金额 %(a)s 超过尚欠金额 %(o)s。")
                    % {"a": fmt_yuan(amount), "o": fmt_yuan(clawback.outstanding)}
                }
            )
        entry = award_clawback(
            actor=actor, award=clawback.award, amount=amount, reference=f"{clawback.number} {voucher}"
        )
        repayment = ClawbackRepayment.objects.create(
            clawback=clawback,
            amount=amount,
            repaid_on=repaid_on,
            voucher_number=voucher,
            ledger_entry=entry,
            recorded_by=actor,
        )
        clawback.repaid += amount
        if clawback.repaid == clawback.amount:
            clawback.status = Clawback.Status.REPAID
        clawback.save(update_fields=["repaid", "status"])
        audit_record(
            actor=actor,
            action="payments.clawback_repayment",
            target=clawback,
            ip=ip,
            after={
                **_json(clawback),
                "received": str(amount),
                "voucher_number": voucher,
                "repaid_on": repaid_on.isoformat(),
            },
        )
        with portal_language():
            notify_enterprise(
                enterprise_id=clawback.enterprise_id,
                kind=Notification.Kind.DECISION,
                subject=_("追回款已到账：%(n)s") % {"n": clawback.number},
                body=_("已收到贵单位退回的 %(a)s（%(n)s），尚欠 %(o)s。")
                % {"a": fmt_yuan(amount), "n": clawback.number, "o": fmt_yuan(clawback.outstanding)},
                link=enterprise_link(),
                dedupe_key=f"repayment:{repayment.pk}",
            )
    return repayment
