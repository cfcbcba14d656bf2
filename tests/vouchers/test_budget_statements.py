"""The reservation's SQL statements (vouchers.services.budget.statements) give the ORM's answers on
the database under test — run on SQLite by default and on PostgreSQL with DATABASE_URL: each draw is
applied to one row by the statement and to a twin row by the ORM's conditional update, and both the
answers (drawn or not) and the rows left must agree, at the edge of what fits and past it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from vouchers.models import BudgetCounter, BudgetPool
from vouchers.services.budget import statements

pytestmark = pytest.mark.django_db

D = Decimal


def _orm_pool_draw(pool_id: int, need: Decimal, now) -> bool:
    return bool(
        BudgetPool.objects.filter(pk=pool_id, amount__gte=F("reserved") + F("committed") + need).update(
            reserved=F("reserved") + need, updated_at=now
        )
    )


def _orm_counter_draw(counter_id: int, need: Decimal, limit: Decimal, now) -> bool:
    return bool(
        BudgetCounter.objects.filter(pk=counter_id, used__lte=limit - need).update(
            used=F("used") + need, limit=limit, updated_at=now
        )
    )


POOL_DRAWS = [D("0.01"), D("333.33"), D("0.10"), D("0.20"), D("566.33"), D("0.01"), D("100.00")]


def test_the_pool_draw_answers_as_the_orm(catalogue):
    programme, other = catalogue["hp-compute-voucher"], catalogue["hp-data-space"]
    mine = BudgetPool.objects.create(programme=programme, fiscal_year=2026, amount=D("1000.00"), committed=D("100.02"))
    twin = BudgetPool.objects.create(programme=other, fiscal_year=2026, amount=D("1000.00"), committed=D("100.02"))
    answers = []
    for need in POOL_DRAWS:
        now = timezone.now()
        answers.append((statements.pool_draw(mine.pk, need, now), _orm_pool_draw(twin.pk, need, now)))
        mine.refresh_from_db()
        twin.refresh_from_db()
        assert (mine.reserved, mine.committed, mine.updated_at) == (twin.reserved, twin.committed, twin.updated_at)
    assert [a for a, _ in answers] == [b for _, b in answers]
    # 1000 - 100.02 = 899.98 holds 0.01 + 333.33 + 0.10 + 0.20 + 566.33 + 0.01 to the cent; no more
    assert [a for a, _ in answers] == [True, True, True, True, True, True, False]
    assert mine.reserved == D("899.98")


@pytest.mark.parametrize("limit", [D("500.00"), D("1000000.00")])
def test_the_counter_draw_answers_as_the_orm(catalogue, enterprise_a, limit):
    programme = catalogue["hp-compute-voucher"]
    rows = {}
    for line in ("", "supplier"):
        rows[line] = BudgetCounter.objects.create(
            programme=programme,
            kind=BudgetCounter.Kind.ENTERPRISE_PERIOD,
            enterprise=enterprise_a,
            fiscal_year=0,
            line=line,
            used=D("0.30"),
        )
    mine, twin = rows[""], rows["supplier"]
    for need in (D("199.70"), D("0.10"), D("299.90"), D("0.01"), D("1e5"), D("0.01")):
        now = timezone.now()
        assert statements.counter_draw(mine.pk, need, limit, now) == _orm_counter_draw(twin.pk, need, limit, now)
        mine.refresh_from_db()
        twin.refresh_from_db()
        assert (mine.used, mine.limit, mine.updated_at) == (twin.used, twin.limit, twin.updated_at)
    assert mine.used <= limit


def test_a_draw_on_a_missing_row_draws_nothing(catalogue):
    now = timezone.now()
    assert statements.pool_draw(987654, D("1.00"), now) is False
    assert statements.counter_draw(987654, D("1.00"), D("10.00"), now) is False


def test_the_statements_name_the_models_tables():
    assert '"vouchers_budgetpool"' in statements.POOL_DRAW
    assert BudgetPool._meta.db_table == "vouchers_budgetpool"
    assert '"vouchers_budgetcounter"' in statements.COUNTER_DRAW
    assert BudgetCounter._meta.db_table == "vouchers_budgetcounter"
