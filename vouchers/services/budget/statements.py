"""The reservation's two conditional draws as SQL text: the one place in the budget services that
writes SQL (issue 13 allows one such module). Each statement is the same text on PostgreSQL and
SQLite, draws on one row only if the draw fits, and answers by its row count. They stand for these
ORM updates, at a fraction of their cost in Python — the reservation runs them while it holds the
programme's hot rows, so their cost is paid by every waiting reservation:

    BudgetPool.objects.filter(pk=pk, amount__gte=F("reserved") + F("committed") + need)
        .update(reserved=F("reserved") + need, updated_at=now)
    BudgetCounter.objects.filter(pk=pk, used__lte=limit - need)
        .update(used=F("used") + need, limit=limit, updated_at=now)

tests/vouchers/test_budget_statements.py compares their answers and the rows they leave with the
ORM's on both databases. The CheckConstraints on both tables remain the backstop."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection

POOL_DRAW = (
    'UPDATE "vouchers_budgetpool" SET "reserved" = "reserved" + %s, "updated_at" = %s '
    'WHERE "id" = %s AND "amount" >= "reserved" + "committed" + %s'
)
COUNTER_DRAW = (
    'UPDATE "vouchers_budgetcounter" SET "used" = "used" + %s, "limit" = %s, "updated_at" = %s '
    'WHERE "id" = %s AND "used" <= %s'
)


def _run(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def pool_draw(pool_id: int, need: Decimal, now: dt.datetime) -> bool:
    """Add `need` to the pool's reserved figure if it fits in what is left; whether it did."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    return _run(POOL_DRAW, [need, stamp, pool_id, need]) == 1


def counter_draw(counter_id: int, need: Decimal, limit: Decimal, now: dt.datetime) -> bool:
    """Add `need` to an amount counter (and record the limit in force) if it stays within `limit`;
    whether it did."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    return _run(COUNTER_DRAW, [need, limit, stamp, counter_id, limit - need]) == 1
