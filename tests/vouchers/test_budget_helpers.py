"""Helpers shared by the budget tests (no tests here)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from applications.models import Application
from vouchers.models import Award, BudgetCounter, BudgetPool, LedgerEntry
from vouchers.services.budget import award_reserve

DECIDED = dt.date(2026, 3, 2)
_seq = itertools.count(1)


def make_app(programme, enterprise, user, *, state: str = "bureau_review") -> Application:
    n = next(_seq)
    return Application.objects.create(
        reference=f"T{programme.pk:03d}-{n:06d}-{enterprise.pk}",
        enterprise=enterprise,
        programme=programme,
        created_by=user,
        state=state,
        title=f"测试项目{n}",
    )


def reserve(app, amount, *, actor=None, on: dt.date = DECIDED, key: str | None = None, lines=None):
    lines = lines or [{"enterprise_id": app.enterprise_id, "line": "", "amount": Decimal(str(amount))}]
    return award_reserve(
        actor=actor,
        application=app,
        lines=lines,
        decided_on=on,
        parameters={"rate": "1.00"},
        explanation=[{"label": "测试", "amount": str(amount)}],
        idempotency_key=key if key is not None else f"approve:{app.pk}",
    )


def ledger_sums(pool: BudgetPool) -> dict[str, Decimal]:
    sums = {k: Decimal("0") for k in LedgerEntry.Kind.values}
    rel = {"reserved": Decimal("0"), "committed": Decimal("0")}
    for e in LedgerEntry.objects.filter(pool=pool):
        sums[e.kind] += e.amount
        if e.kind == "release":
            rel[e.released_from] += e.amount
    return {
        "reserved": sums["reserve"] - sums["commit"] - rel["reserved"],
        "committed": sums["commit"] - rel["committed"],
        "disbursed": sums["disburse"] - sums["clawback"],
    }


def assert_balanced(pool: BudgetPool) -> None:
    pool.refresh_from_db()
    sums = ledger_sums(pool)
    assert (pool.reserved, pool.committed, pool.disbursed) == (sums["reserved"], sums["committed"], sums["disbursed"])
    held = Award.objects.filter(pool=pool, status__in=["reserved", "committed"])
    assert pool.reserved == sum((a.amount for a in held if a.status == "reserved"), Decimal("0"))
    assert pool.amount >= pool.reserved + pool.committed


def counters_match() -> None:
    from vouchers.services.budget import counter_actual

    for c in BudgetCounter.objects.all():
        assert c.used == counter_actual(c), (c, c.used, counter_actual(c))
