"""拨付 and 追回: paying a tranche of a committed award, and recovering money paid out. Tranches never
sum above the award (the award's CheckConstraint as backstop); each is idempotent per payment
reference."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.limits import max_length
from portal.permissions import is_bureau_admin, is_provider_user

from ...models import Award, LedgerEntry
from .awards import _reference
from .common import award_json, fmt_yuan, lock_award, lock_pool, money, require_admin, user_or_none
from .counters import counters_free


def may_pay(actor, award: Award) -> bool:
    """The bureau pays awards (None: the system); a compute provider redeeming a voucher is paid
    from the voucher's award."""
    return actor is None or is_bureau_admin(actor) or (is_provider_user(actor) and award.programme.is_voucher)


def _key(kind: str, award: Award, reference: str) -> str:
    """The ledger's idempotency key of a payment or a recovery: cut to the key's field as it always was
    (the keys already written are cut so; a retry must find them)."""
    return f"{kind}:{award.pk}:{reference}"[: max_length(LedgerEntry, "idempotency_key")]


def _check_reference(reference: str) -> str:
    longest = max_length(LedgerEntry, "reference")
    if len(reference) > longest:
        raise ValidationError({"reference": _("凭证号不能超过 %(n)s 个字符。") % {"n": longest}})
    return reference


def tranche_disburse(*, actor, award: Award, amount, paid_on: dt.date, reference: str) -> LedgerEntry:
    """拨付 pay a tranche of a committed award. Idempotent per (award, reference): the same payment
    reference returns the entry already written."""
    amount = money(amount)
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _("请填写拨付凭证号。")})
    if paid_on is None:
        raise ValidationError({"paid_on": _("请填写拨付日期。")})
    _check_reference(reference)
    key = _key("disburse", award, reference)
    with transaction.atomic():
        award = lock_award(award)
        if not may_pay(actor, award):
            raise PermissionDenied(_("仅主管部门管理员可以登记拨付。"))
        done = LedgerEntry.objects.filter(idempotency_key=key).first()
        if done is not None:
            if done.amount != amount:
                raise ValidationError(
                    {
                        "reference": _("凭证号 %(ref)s 已登记过一笔 %(amount)s 的拨付。")
                        % {"ref": reference, "amount": fmt_yuan(done.amount)}
                    }
                )
            return done
        if award.status != Award.Status.COMMITTED:
            raise ValidationError(_("奖励尚未核定生效（公示期满）或已释放，不能拨付。"))
        left = award.amount - award.disbursed
        if amount > left:
            raise ValidationError(
                {
                    "amount": _("拨付金额超过奖励未拨付部分：核定 %(amount)s，已拨付 %(paid)s，剩余 %(left)s。")
                    % {"amount": fmt_yuan(award.amount), "paid": fmt_yuan(award.disbursed), "left": fmt_yuan(left)}
                }
            )
        pool = lock_pool(award.pool_id)
        entry = LedgerEntry.objects.create(
            pool=pool,
            award=award,
            kind=LedgerEntry.Kind.DISBURSE,
            amount=amount,
            paid_on=paid_on,
            reference=reference,
            idempotency_key=key,
            actor=user_or_none(actor),
        )
        award.disbursed += amount
        award.save(update_fields=["disbursed"])
        pool.disbursed += amount
        pool.save(update_fields=["disbursed", "updated_at"])
        audit_record(
            actor=actor,
            action="budget.tranche_disburse",
            target=award,
            after={
                "amount": str(amount),
                "paid_on": paid_on.isoformat(),
                "reference": reference,
                "award": award_json(award),
            },
        )
    return entry


def award_clawback(*, actor, award: Award, amount, reference: str) -> LedgerEntry:
    """追回 recover money paid out on an award. On a released award the recovered amount also leaves
    the committed figure (it goes back to the pool and frees the caps)."""
    require_admin(actor, allow_system=True)
    amount = money(amount)
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _("请填写追回依据或凭证号。")})
    _check_reference(reference)
    key = _key("clawback", award, reference)
    with transaction.atomic():
        award = lock_award(award)
        done = LedgerEntry.objects.filter(idempotency_key=key).first()
        if done is not None:
            if done.amount != amount:
                raise ValidationError(
                    {
                        "reference": _("凭证号 %(ref)s 已登记过一笔 %(amount)s 的追回。")
                        % {"ref": reference, "amount": fmt_yuan(done.amount)}
                    }
                )
            return done
        if amount > award.disbursed:
            raise ValidationError(
                {"amount": _("追回金额超过已拨付金额 %(paid)s。") % {"paid": fmt_yuan(award.disbursed)}}
            )
        award.disbursed -= amount
        if award.status == Award.Status.RELEASED:  # the counters before the pool (the one order)
            counters_free(award, amount, unit_gone=award.disbursed == 0)
        pool = lock_pool(award.pool_id)
        entry = LedgerEntry.objects.create(
            pool=pool,
            award=award,
            kind=LedgerEntry.Kind.CLAWBACK,
            amount=amount,
            reference=reference,
            idempotency_key=key,
            actor=user_or_none(actor),
        )
        pool.disbursed -= amount
        if award.status == Award.Status.RELEASED:
            LedgerEntry.objects.create(
                pool=pool,
                award=award,
                kind=LedgerEntry.Kind.RELEASE,
                amount=amount,
                released_from=LedgerEntry.Figure.COMMITTED,
                reference=_reference(f"追回后释放 {reference}"),
                actor=user_or_none(actor),
            )
            pool.committed -= amount
        award.save(update_fields=["disbursed"])
        pool.save(update_fields=["committed", "disbursed", "updated_at"])
        audit_record(
            actor=actor,
            action="budget.award_clawback",
            target=award,
            after={"amount": str(amount), "reference": reference, "award": award_json(award)},
        )
    return entry
