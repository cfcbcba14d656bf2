"""The reservation's hot statements as SQL text: the one place in the budget services that writes
SQL (issue 13 allows one such module). Each is the same text on PostgreSQL and SQLite, reads only
whole numbers, names and — the parameters — decimals as text (no value that would need the ORM's
converters), writes values adapted by the connection's own operations (dates, times, JSON) and stands
for an ORM statement at a fraction of its cost in Python — every reservation of a programme waits on
the Python of the others (one process's threads share one interpreter lock), so this cost bounds how
many reservations a second the portal makes (bench/bench_budget.py):

    rows_to_draw   BudgetPool.objects.filter(programme_id=…, fiscal_year=…).values_list("pk"),
                   BudgetCounter.objects.filter(programme_id=…, enterprise_id__in=… or None)
                       .values_list("pk", "kind", "enterprise_id", "fiscal_year", "line"),
                   counters._holding(programme_id).filter(enterprise_id__in=…)
                       .values_list("enterprise_id").distinct()
                   and selectors.parameters_in_force(programme=…, on=basis), in one statement
    awards_insert  Award.objects.bulk_create([...]) (portal.inserts: one INSERT … RETURNING each)
    ledger_append  LedgerEntry.objects.bulk_create([...])
    counter_create BudgetCounter.objects.bulk_create([...]) of counters starting from zero, a counter a
                       concurrent reservation created meanwhile left as it is (ON CONFLICT DO NOTHING)
    pool_draw      BudgetPool.objects.filter(pk=pk, amount__gte=F("reserved") + F("committed") + need)
                       .update(reserved=F("reserved") + need, updated_at=now)
    counter_draw   BudgetCounter.objects.filter(pk=pk, used__lte=limit - need)
                       .update(used=F("used") + need, limit=limit, updated_at=now)

A draw touches one row only if the draw fits and answers by its row count.
tests/vouchers/test_budget_statements.py compares the answers and the rows left with the ORM's on
both databases, and that the inserts name every column of their tables (awards: portal.inserts). The
CheckConstraints of the tables remain the backstop."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from portal.inserts import insert_row

from ...models import Award, ParameterValue
from .common import HOLDING

ROWS_TO_DRAW = (
    """SELECT 'pool', "id", NULL, "fiscal_year", '', NULL FROM "vouchers_budgetpool" """
    """WHERE "programme_id" = %s AND "fiscal_year" = %s """
    """UNION ALL SELECT "kind", "id", "enterprise_id", "fiscal_year", "line", NULL FROM "vouchers_budgetcounter" """
    """WHERE "programme_id" = %s AND ("enterprise_id" IS NULL OR "enterprise_id" IN ({places})) """
    """UNION ALL SELECT 'held', NULL, "enterprise_id", 0, '', NULL FROM "vouchers_award" """
    """WHERE "programme_id" = %s AND "enterprise_id" IN ({places}) """
    """AND ("status" IN (%s, %s) OR ("status" = %s AND "disbursed" > 0)) """
    'GROUP BY "enterprise_id" '
    # the parameters in force on the basis date: each name's value of the latest date not after it
    """UNION ALL SELECT 'param', NULL, NULL, 0, p."name", CAST(p."value" AS TEXT) FROM "vouchers_parametervalue" p """
    """WHERE p."programme_id" = %s AND p."effective_from" = (SELECT MAX(q."effective_from") """
    """FROM "vouchers_parametervalue" q WHERE q."programme_id" = p."programme_id" AND q."name" = p."name" """
    """AND q."effective_from" <= %s)"""
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


COUNTER_CREATE = (
    'INSERT INTO "vouchers_budgetcounter" ("programme_id", "kind", "enterprise_id", "fiscal_year", "line", '
    '"used", "limit", "updated_at") VALUES (%s, %s, %s, %s, %s, 0, NULL, %s) ON CONFLICT DO NOTHING RETURNING "id"'
)


def _run(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


CounterRow = tuple[int, str, int | None, int, str]  # pk, kind, enterprise_id, fiscal_year, line
# read as text, quantized to the stored decimal places (what the ORM's converter gives)
PARAMETER_PLACES = Decimal(1).scaleb(-ParameterValue._meta.get_field("value").decimal_places)


@dataclass(frozen=True)
class Rows:
    """What a reservation draws on, read in one statement (rows_to_draw)."""

    pool_id: int | None  # the programme's pool of the year, None if there is none
    counters: list[CounterRow]  # the programme's counters, programme-wide or of these enterprises
    held: set[int]  # which of these enterprises have awards of the programme that hold budget
    parameters: dict[str, Decimal]  # the programme's parameters in force on the basis date


def rows_to_draw(programme_id: int, fiscal_year: int, enterprise_ids: list[int], basis: dt.date) -> Rows:
    """The pool of the programme and year; the programme's counters that are programme-wide or of these
    enterprises; which of these enterprises have awards of the programme that hold budget
    (counters._holding: a new counter of any other starts from zero); and the parameters in force on
    `basis` (as selectors.parameters_in_force)."""
    places = ", ".join("%s" for _ in enterprise_ids) or "NULL"
    statuses = [str(status) for status in (*HOLDING, Award.Status.RELEASED)]
    params: list = [
        programme_id,
        fiscal_year,
        programme_id,
        *enterprise_ids,
        programme_id,
        *enterprise_ids,
        *statuses,
        programme_id,
        connection.ops.adapt_datefield_value(basis),
    ]
    with connection.cursor() as cursor:
        cursor.execute(ROWS_TO_DRAW.format(places=places), params)
        rows = cursor.fetchall()
    pools = sorted(pk for kind, pk, _e, _y, _l, _v in rows if kind == "pool")
    return Rows(
        pool_id=pools[0] if pools else None,
        counters=[
            (pk, kind, ent, year, line)
            for kind, pk, ent, year, line, _v in rows
            if kind not in ("pool", "held", "param")
        ],
        held={ent for kind, _pk, ent, _y, _l, _v in rows if kind == "held"},
        parameters={
            name: Decimal(value).quantize(PARAMETER_PLACES)
            for kind, _pk, _e, _y, name, value in rows
            if kind == "param"
        },
    )


def awards_insert(rows: list[dict]) -> list[Award]:
    """Insert awards (each a dict of every field's value but the id, by attribute name), one statement
    each (portal.inserts), and return them as loaded."""
    return [insert_row(Award, row) for row in rows]  # one or two (an award per line)


def ledger_append(rows: list[tuple]) -> None:
    """Append ledger rows: (pool_id, award_id, kind, amount, reference, idempotency_key, released_from,
    actor_id, created_at)."""
    with connection.cursor() as cursor:
        for row in rows:  # one or two (an award per line)
            cursor.execute(LEDGER_APPEND, [*row[:8], connection.ops.adapt_datetimefield_value(row[8])])


def counter_create(
    programme_id: int, kind: str, enterprise_id: int | None, fiscal_year: int, line: str, now: dt.datetime
) -> int | None:
    """Create a counter starting from zero; its id, or None when a concurrent reservation created the
    same counter meanwhile (the unique constraints meet it: nothing is written)."""
    with connection.cursor() as cursor:
        cursor.execute(
            COUNTER_CREATE,
            [programme_id, kind, enterprise_id, fiscal_year, line, connection.ops.adapt_datetimefield_value(now)],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def pool_draw(pool_id: int, need: Decimal, now: dt.datetime) -> bool:
    """Add `need` to the pool's reserved figure if it fits in what is left; whether it did."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    return _run(POOL_DRAW, [need, stamp, pool_id, need]) == 1


def counter_draw(counter_id: int, need: Decimal, limit: Decimal, now: dt.datetime) -> bool:
    """Add `need` to an amount counter (and record the limit in force) if it stays within `limit`;
    whether it did."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    return _run(COUNTER_DRAW, [need, limit, stamp, counter_id, limit - need]) == 1
