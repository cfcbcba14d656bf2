"""资金池 a programme's budget for a fiscal year: setting its amount (never below what it holds, nor,
with the pools of the other years, above the programme's total over the policy period), and what a
batch would get from it (the oversubscription remedies, computed by vouchers.oversubscription)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.permissions import require_district

from ... import oversubscription
from ...models import BudgetCounter, BudgetPool, Programme
from ...selectors import parameters_in_force
from .common import ZERO, fmt_yuan, money, pool_json, require_admin
from .counters import QUOTAS, CounterKey, counter_actual


def programme_total_ceiling(programme: Programme, fiscal_year: int) -> tuple[Decimal, Decimal, Decimal] | None:
    """For a programme with a total over the policy period (政策有效期内扶持总额, e.g. hp-compute-voucher's
    10,000,000): (total, what the other years' pools take of it, the most this year's pool may
    promise), or None. A past year's pool takes what its awards hold (the rest lapsed with its year);
    this and later years' pools take their whole amount (what they promise)."""
    on = min(dt.date(fiscal_year, 12, 31), programme.policy.valid_to)
    total = parameters_in_force(programme=programme, on=on).get("programme_total_period")
    if total is None:
        return None
    this_year = timezone.localdate().year
    taken = ZERO
    for pool in BudgetPool.objects.filter(programme=programme).exclude(fiscal_year=fiscal_year):
        taken += pool.reserved + pool.committed if pool.fiscal_year < this_year else pool.amount
    return total, taken, max(total - taken, ZERO)


def _check_programme_total(programme: Programme, fiscal_year: int, amount: Decimal) -> None:
    bound = programme_total_ceiling(programme, fiscal_year)
    if bound is not None and amount > bound[2]:
        total, taken, ceiling = bound
        raise ValidationError(
            {
                "amount": _(
                    "预算额度不能超过“%(programme)s”政策有效期内扶持总额的剩余部分：总额 %(total)s，"
                    "其他年度资金池已占 %(taken)s，%(year)s年度最多 %(ceiling)s。"
                )
                % {
                    "programme": programme.name_zh,
                    "total": fmt_yuan(total),
                    "taken": fmt_yuan(taken),
                    "year": fiscal_year,
                    "ceiling": fmt_yuan(ceiling),
                }
            }
        )


def _fiscal_year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        raise ValidationError({"fiscal_year": _("请输入有效年度。")})
    return year


def pool_set_amount(*, actor, programme: Programme, fiscal_year: int, amount, ip: str | None = None) -> BudgetPool:
    """设置预算额度 create a pool or change its amount; never below what is reserved and committed."""
    require_admin(actor)
    require_district(actor, programme.policy.district)
    amount = money(amount, allow_zero=True)
    fiscal_year = _fiscal_year(fiscal_year)
    with transaction.atomic():
        pool = BudgetPool.objects.select_for_update().filter(programme=programme, fiscal_year=fiscal_year).first()
        if pool is None:
            _check_programme_total(programme, fiscal_year, amount)
            try:
                with transaction.atomic():
                    pool = BudgetPool.objects.create(programme=programme, fiscal_year=fiscal_year, amount=amount)
            except IntegrityError:  # created meanwhile by another administrator
                pool = BudgetPool.objects.select_for_update().get(programme=programme, fiscal_year=fiscal_year)
            else:
                audit_record(
                    actor=actor,
                    action="budget.pool_create",
                    target=pool,
                    ip=ip,
                    after={"programme": programme.code, "fiscal_year": fiscal_year, "amount": str(amount)},
                )
                return pool
        floor = pool.reserved + pool.committed
        _check_programme_total(programme, fiscal_year, amount)
        if amount < floor:
            raise ValidationError(
                {
                    "amount": _(
                        "预算额度不能低于已预留与已核定合计 %(floor)s（已预留 %(reserved)s，已核定 %(committed)s）。"
                    )
                    % {
                        "floor": fmt_yuan(floor),
                        "reserved": fmt_yuan(pool.reserved),
                        "committed": fmt_yuan(pool.committed),
                    }
                }
            )
        before = pool_json(pool)
        if pool.amount != amount:
            pool.amount = amount
            pool.save(update_fields=["amount", "updated_at"])
            audit_record(
                actor=actor, action="budget.pool_set_amount", target=pool, ip=ip, before=before, after=pool_json(pool)
            )
    return pool


def _used(programme: Programme, key: CounterKey) -> Decimal:
    """What a counter holds, or what it would start from if none was drawn on yet."""
    # enterprise_id=None is the IS NULL lookup (a programme-wide counter); django-stubs types it without None
    counter = BudgetCounter.objects.filter(
        programme=programme,
        kind=key.kind,
        enterprise_id=key.enterprise_id,  # type: ignore[misc]
        fiscal_year=key.fiscal_year,
        line=key.line,
    ).first()
    return (
        counter.used
        if counter is not None
        else counter_actual(
            BudgetCounter(
                programme=programme,
                kind=key.kind,
                enterprise_id=key.enterprise_id,
                fiscal_year=key.fiscal_year,
                line=key.line,
            )
        )
    )


def batch_room(*, programme: Programme, fiscal_year: int) -> tuple[BudgetPool | None, oversubscription.Room]:
    """The pool and what is left for a batch decided in `fiscal_year`: the pool's remaining amount,
    the programme's total over the period and the quotas of awardees and projects (the tightest)."""
    pool = BudgetPool.objects.filter(programme=programme, fiscal_year=fiscal_year).first()
    params = parameters_in_force(programme=programme, on=dt.date(fiscal_year, 12, 31))
    total_left = None
    if "programme_total_period" in params:
        used = _used(programme, CounterKey(BudgetCounter.Kind.PROGRAMME_TOTAL, None, 0, ""))
        total_left = max(params["programme_total_period"] - used, ZERO)
    quota_left = None
    for param, (kind, yearly) in QUOTAS.items():
        if param in params:
            used = _used(programme, CounterKey(kind, None, fiscal_year if yearly else 0, ""))
            left = int(max(params[param] - used, ZERO))
            quota_left = left if quota_left is None else min(quota_left, left)
    return pool, oversubscription.Room(
        pool=pool.remaining if pool is not None else ZERO, programme_total=total_left, quota=quota_left
    )


def batch_oversubscription(*, programme: Programme, fiscal_year: int, requests: list[dict]) -> dict[str, Any]:
    """Both remedies for a batch that asks more than is left (vouchers.oversubscription), computed
    before anything is committed. Nothing is written."""
    reqs = [
        oversubscription.Request(
            application_id=r["application_id"],
            amount=money(r.get("amount"), allow_zero=True),
            score=None if r.get("score") is None else Decimal(str(r["score"])),
        )
        for r in requests
    ]
    pool, room = batch_room(programme=programme, fiscal_year=fiscal_year)
    return {
        "programme": programme.code,
        "fiscal_year": fiscal_year,
        "pool_exists": pool is not None,
        "competitive": programme.review_path == Programme.ReviewPath.COMPETITIVE,
        **oversubscription.remedies(reqs, room),
    }
