"""The reservation's hot statements as SQL text: the one place in the budget services that writes
SQL (issue 13 allows one such module). Each is the same text on PostgreSQL and SQLite, reads only
whole numbers and names (no value that would need the ORM's converters) and stands for an ORM
statement, at a fraction of its cost in Python — every reservation of a programme waits on the
Python of the others (one process's threads share one interpreter lock), so this cost bounds how
many reservations a second the portal makes:

    rows_to_draw   BudgetPool.objects.filter(programme_id=…, fiscal_year=…).values_list("pk"),
                   BudgetCounter.objects.filter(programme_id=…, enterprise_id__in=… or None)
                       .values_list("pk", "kind", "enterprise_id", "fiscal_year", "line")
                   and counters._holding(programme_id).filter(enterprise_id__in=…)
                       .values_list("enterprise_id").distinct()
    ledger_append  LedgerEntry.objects.bulk_create([...])
    pool_draw      BudgetPool.objects.filter(pk=pk, amount__gte=F("reserved") + F("committed") + need)
                       .update(reserved=F("reserved") + need, updated_at=now)
    counter_draw   BudgetCounter.objects.filter(pk=pk, used__lte=limit - need)
                       .update(used=F("used") + need, limit=limit, updated_at=now)

A draw touches one row only if the draw fits and answers by its row count.
tests/vouchers/test_budget_statements.py compares the answers and the rows left with the ORM's on
both databases. The CheckConstraints of the tables remain the backstop."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection

from ...models import Award
from .common import HOLDING

ROWS_TO_DRAW = (
    """SELECT 'pool', "id", NULL, "fiscal_year", '' FROM "vouchers_budgetpool" """
    """WHERE "programme_id" = %s AND "fiscal_year" = %s """
    """UNION ALL SELECT "kind", "id", "enterprise_id", "fiscal_year", "line" FROM "vouchers_budgetcounter" """
    """WHERE "programme_id" = %s AND ("enterprise_id" IS NULL OR "enterprise_id" IN ({places})) """
    """UNION ALL SELECT 'held', NULL, "enterprise_id", 0, '' FROM "vouchers_award" """
    """WHERE "programme_id" = %s AND "enterprise_id" IN ({places}) """
    """AND ("status" IN (%s, %s) OR ("status" = %s AND "disbursed" > 0)) """
    'GROUP BY "enterprise_id"'
)
LEDGER_APPEND = (
    'INSERT INTO "vouchers_ledgerentry" ("pool_id", "award_id", "kind", "amount", "reference", "paid_on", '
    '"idempotency_key", "released_from", "actor_id", "created_at") VALUES (%s, %s, %s, %s, %s, NULL, %s, %s, %s, %s)'
)

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


CounterRow = tuple[int, str, int | None, int, str]  # pk, kind, enterprise_id, fiscal_year, line


def rows_to_draw(
    programme_id: int, fiscal_year: int, enterprise_ids: list[int]
) -> tuple[int | None, list[CounterRow], set[int]]:
    """The pool of the programme and year (None if there is none); the programme's counters that are
    programme-wide or of these enterprises; and which of these enterprises have awards of the
    programme that hold budget (counters._holding: a new counter of any other starts from zero)."""
    places = ", ".join("%s" for _ in enterprise_ids) or "NULL"
    statuses = [str(status) for status in (*HOLDING, Award.Status.RELEASED)]
    params: list[int | str] = [
        programme_id,
        fiscal_year,
        programme_id,
        *enterprise_ids,
        programme_id,
        *enterprise_ids,
        *statuses,
    ]
    with connection.cursor() as cursor:
        cursor.execute(ROWS_TO_DRAW.format(places=places), params)
        rows = cursor.fetchall()
    pools = sorted(pk for kind, pk, _e, _y, _l in rows if kind == "pool")
    counters = [(pk, kind, ent, year, line) for kind, pk, ent, year, line in rows if kind not in ("pool", "held")]
    held = {ent for kind, _pk, ent, _y, _l in rows if kind == "held"}
    return (pools[0] if pools else None), counters, held


def ledger_append(rows: list[tuple]) -> None:
    """Append ledger rows: (pool_id, award_id, kind, amount, reference, idempotency_key, released_from,
    actor_id, created_at)."""
    with connection.cursor() as cursor:
        for row in rows:  # one or two (an award per line)
            cursor.execute(LEDGER_APPEND, [*row[:8], connection.ops.adapt_datetimefield_value(row[8])])


def pool_draw(pool_id: int, need: Decimal, now: dt.datetime) -> bool:
    """Add `need` to the pool's reserved figure if it fits in what is left; whether it did."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    return _run(POOL_DRAW, [need, stamp, pool_id, need]) == 1


def counter_draw(counter_id: int, need: Decimal, limit: Decimal, now: dt.datetime) -> bool:
    """Add `need` to an amount counter (and record the limit in force) if it stays within `limit`;
    whether it did."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    return _run(COUNTER_DRAW, [need, limit, stamp, counter_id, limit - need]) == 1
