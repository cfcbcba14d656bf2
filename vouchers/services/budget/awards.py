"""核定 and 释放: an award moves from reserved to committed when its public notice is over, and is
released when it is declined, an objection is upheld, the application is withdrawn or its voucher
expires unused. Each locks the award, then the counters, then the pool (the one order), writes its
ledger row and moves the pool's figures."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.limits import max_length

from ...models import Award, LedgerEntry
from .common import award_json, lock_award, lock_pool, require_decider, user_or_none
from .counters import counters_free


def award_commit(*, actor, award: Award) -> Award:
    """核定 reserved → committed (public notice over). Idempotent: a committed award is returned."""
    require_decider(actor, _("无权核定奖励。"))
    with transaction.atomic():
        award = lock_award(award)
        if award.status == Award.Status.COMMITTED:
            return award
        if award.status != Award.Status.RESERVED:
            raise ValidationError(_("该奖励已释放，不能核定。"))
        pool = lock_pool(award.pool_id)
        LedgerEntry.objects.create(
            pool=pool,
            award=award,
            kind=LedgerEntry.Kind.COMMIT,
            amount=award.amount,
            idempotency_key=f"commit:{award.pk}",
            actor=user_or_none(actor),
        )
        pool.reserved -= award.amount
        pool.committed += award.amount
        pool.save(update_fields=["reserved", "committed", "updated_at"])
        award.status = Award.Status.COMMITTED
        award.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="budget.award_commit",
            target=award,
            before={"status": Award.Status.RESERVED},
            after=award_json(award),
        )
    return award


def award_release(*, actor, award: Award, reason: str) -> Award:
    """释放 reserved or committed → released. What was already paid out stays committed (claw it back
    to free it); the rest goes back to the pool and frees the caps and the quota. Idempotent: a
    released award is returned."""
    require_decider(actor, _("无权释放奖励。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请说明释放原因。")})
    with transaction.atomic():
        award = lock_award(award)
        if award.status == Award.Status.RELEASED:
            return award
        before = award_json(award)
        free = award.amount - award.disbursed
        counters_free(award, free, unit_gone=award.disbursed == 0)
        pool = lock_pool(award.pool_id)
        if award.status == Award.Status.RESERVED:
            pool.reserved -= free
            released_from = LedgerEntry.Figure.RESERVED
        else:
            pool.committed -= free
            released_from = LedgerEntry.Figure.COMMITTED
        if free > 0:
            LedgerEntry.objects.create(
                pool=pool,
                award=award,
                kind=LedgerEntry.Kind.RELEASE,
                amount=free,
                released_from=released_from,
                idempotency_key=f"release:{award.pk}",
                reference=_reference(reason),
                actor=user_or_none(actor),
            )
        pool.save(update_fields=["reserved", "committed", "updated_at"])
        award.status = Award.Status.RELEASED
        award.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="budget.award_release",
            target=award,
            before=before,
            after=award_json(award),
            note=reason,
        )
    return award


def _reference(text: str) -> str:
    """A reason kept on the ledger row as far as its field holds it (the audit event keeps it whole)."""
    return text[: max_length(LedgerEntry, "reference")]
