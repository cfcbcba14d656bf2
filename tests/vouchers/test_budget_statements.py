"""The reservation's SQL statements (vouchers.services.budget.statements) give the ORM's answers on
the database under test — run on SQLite by default and on PostgreSQL with DATABASE_URL: each draw is
applied to one row by the statement and to a twin row by the ORM's conditional update, and both the
answers (drawn or not) and the rows left must agree, at the edge of what fits and past it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F, Q
from django.utils import timezone

from tests.factories import EnterpriseFactory
from vouchers.models import Award, BudgetCounter, BudgetPool, LedgerEntry, ParameterValue
from vouchers.selectors import parameters_in_force
from vouchers.services.budget import statements
from vouchers.services.budget.counters import _holding

from .test_budget_helpers import make_app

pytestmark = pytest.mark.django_db

D = Decimal
ON = dt.date(2026, 6, 1)


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


def test_the_rows_to_draw_are_the_orms(catalogue, enterprise_a, enterprise_b):
    programme, other = catalogue["hp-compute-voucher"], catalogue["hp-data-space"]
    pool = BudgetPool.objects.create(programme=programme, fiscal_year=2026, amount=D("10.00"))
    BudgetPool.objects.create(programme=programme, fiscal_year=2027, amount=D("10.00"))
    BudgetPool.objects.create(programme=other, fiscal_year=2026, amount=D("10.00"))
    Kind = BudgetCounter.Kind
    for prog, kind, ent, year, line in [
        (programme, Kind.PROGRAMME_TOTAL, None, 0, ""),
        (programme, Kind.PROJECTS, None, 2026, ""),
        (programme, Kind.ENTERPRISE_PERIOD, enterprise_a, 0, ""),
        (programme, Kind.ENTERPRISE_YEAR, enterprise_a, 2026, "supplier"),
        (programme, Kind.ENTERPRISE_PERIOD, enterprise_b, 0, ""),
        (other, Kind.PROGRAMME_TOTAL, None, 0, ""),
        (other, Kind.ENTERPRISE_PERIOD, enterprise_a, 0, ""),
    ]:
        BudgetCounter.objects.create(programme=prog, kind=kind, enterprise=ent, fiscal_year=year, line=line)

    def orm(enterprise_ids):
        pool_id = BudgetPool.objects.filter(programme=programme, fiscal_year=2026).values_list("pk", flat=True).first()
        counters = BudgetCounter.objects.filter(programme=programme).filter(
            Q(enterprise_id__in=enterprise_ids) | Q(enterprise_id=None)
        )
        return pool_id, sorted(counters.values_list("pk", "kind", "enterprise_id", "fiscal_year", "line"))

    for ids in ([enterprise_a.pk], [enterprise_a.pk, enterprise_b.pk], [987654]):
        rows = statements.rows_to_draw(programme.pk, 2026, ids, ON)
        assert (rows.pool_id, sorted(rows.counters)) == orm(ids)
        assert rows.pool_id == pool.pk
        assert rows.held == set()
    assert statements.rows_to_draw(programme.pk, 2031, [enterprise_a.pk], ON).pool_id is None


def test_the_enterprises_holding_budget_are_the_orms(catalogue, enterprise_a, enterprise_b, owner_a):
    """Which enterprises have awards of the programme that hold budget (a new counter of any other
    starts from zero): reserved and committed awards, and released ones for what was paid out."""
    programme, other = catalogue["hp-compute-voucher"], catalogue["hp-data-space"]
    enterprise_c = EnterpriseFactory(name="广州丙算力有限公司")
    pool = BudgetPool.objects.create(programme=programme, fiscal_year=2026, amount=D("1000"))
    other_pool = BudgetPool.objects.create(programme=other, fiscal_year=2026, amount=D("1000"))
    Status = Award.Status
    for n, (prog, p, ent, status, disbursed) in enumerate(
        [
            (programme, pool, enterprise_a, Status.RELEASED, D("0")),  # released, nothing paid: holds nothing
            (other, other_pool, enterprise_b, Status.RESERVED, D("0")),  # another programme's
            (programme, pool, enterprise_c, Status.RELEASED, D("0.01")),  # released after a payment
        ]
    ):
        app = make_app(prog, ent, owner_a)
        Award.objects.create(
            application=app,
            enterprise=ent,
            programme=prog,
            pool=p,
            fiscal_year=2026,
            amount=D("10"),
            disbursed=disbursed,
            status=status,
            decided_on=dt.date(2026, 3, n + 1),
        )
    ids = [enterprise_a.pk, enterprise_b.pk, enterprise_c.pk]

    def orm():
        return set(_holding(programme.pk).filter(enterprise_id__in=ids).values_list("enterprise_id", flat=True))

    assert statements.rows_to_draw(programme.pk, 2026, ids, ON).held == orm() == {enterprise_c.pk}
    for ent, status in ((enterprise_a, Status.RESERVED), (enterprise_b, Status.COMMITTED)):
        app = make_app(programme, ent, owner_a)
        Award.objects.create(
            application=app,
            enterprise=ent,
            programme=programme,
            pool=pool,
            fiscal_year=2026,
            amount=D("10"),
            status=status,
            decided_on=dt.date(2026, 4, 1),
        )
        assert statements.rows_to_draw(programme.pk, 2026, ids, ON).held == orm()
    assert orm() == set(ids)


def test_a_ledger_row_appended_reads_as_one_the_orm_made(catalogue, bureau_admin):
    pool = BudgetPool.objects.create(programme=catalogue["hp-compute-voucher"], fiscal_year=2026, amount=D("10"))
    now = timezone.now()
    statements.ledger_append(
        [
            (
                pool.pk,
                None,
                LedgerEntry.Kind.RESERVE.value,
                D("1234.56"),
                "R-1 核定拟支持",
                "k:1",
                "",
                bureau_admin.pk,
                now,
            ),
            (pool.pk, None, LedgerEntry.Kind.RESERVE.value, D("0.10"), "R-2", "k:2", "", None, now),
        ]
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                pool=pool,
                kind=LedgerEntry.Kind.RESERVE,
                amount=D("1234.56"),
                reference="R-1 核定拟支持",
                idempotency_key="o:1",
                actor=bureau_admin,
                created_at=now,
            ),
            LedgerEntry(
                pool=pool,
                kind=LedgerEntry.Kind.RESERVE,
                amount=D("0.10"),
                reference="R-2",
                idempotency_key="o:2",
                created_at=now,
            ),
        ]
    )
    fields = ("pool_id", "award_id", "kind", "amount", "reference", "paid_on", "released_from", "actor_id")
    mine = list(LedgerEntry.objects.filter(idempotency_key__startswith="k:").order_by("idempotency_key"))
    orms = list(LedgerEntry.objects.filter(idempotency_key__startswith="o:").order_by("idempotency_key"))
    assert [[getattr(e, f) for f in fields] for e in mine] == [[getattr(e, f) for f in fields] for e in orms]
    assert [e.created_at for e in mine] == [now, now]
    assert [e.amount for e in mine] == [D("1234.56"), D("0.10")]


def test_the_parameters_read_are_those_in_force(catalogue):
    """The parameters read beside the rows to draw are selectors.parameters_in_force's, on any date:
    each name's value of the latest date not after it, exact to the fourth decimal place."""
    programme = catalogue["hp-compute-voucher"]
    for name, value, on in [
        ("cap_per_enterprise_year", D("123456.7891"), dt.date(2026, 3, 1)),
        ("cap_per_enterprise_year", D("0.0001"), dt.date(2026, 7, 1)),
        ("rate", D("0.3"), dt.date(2026, 3, 1)),
        ("programme_total_period", D("99999999999.9999"), dt.date(2030, 1, 1)),
    ]:
        ParameterValue.objects.update_or_create(
            programme=programme, name=name, effective_from=on, defaults={"value": value}
        )
    days = [
        dt.date(2020, 1, 1),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 1),
        ON,
        dt.date(2026, 7, 1),
        dt.date(2031, 1, 1),
    ]
    seen = []
    for on in days:
        mine = statements.rows_to_draw(programme.pk, 2026, [], on).parameters
        assert mine == parameters_in_force(programme=programme, on=on)
        assert {k: str(v) for k, v in mine.items()} == {
            k: str(v.quantize(D("0.0001"))) for k, v in parameters_in_force(programme=programme, on=on).items()
        }
        seen.append(mine.get("cap_per_enterprise_year"))
    assert seen[2:5] == [D("123456.7891"), D("123456.7891"), D("0.0001")]


def test_an_award_inserted_reads_as_one_the_orm_made(catalogue, enterprise_a, owner_a):
    programme = catalogue["hp-compute-voucher"]
    pool = BudgetPool.objects.create(programme=programme, fiscal_year=2026, amount=D("1000"))
    now = timezone.now()
    values = {
        "line": "",
        "enterprise_id": enterprise_a.pk,
        "programme_id": programme.pk,
        "pool_id": pool.pk,
        "fiscal_year": 2026,
        "amount": D("1234.56"),
        "disbursed": D("0"),
        "status": Award.Status.RESERVED,
        "decided_on": dt.date(2026, 6, 1),
        "basis_date": None,
        "parameters": {"rate": "0.3", "名称": "算力券"},
        "explanation": [{"step": "上限", "amount": "1234.56"}],
        "created_at": now,
    }
    (mine,) = statements.awards_insert([{**values, "application_id": make_app(programme, enterprise_a, owner_a).pk}])
    orm = Award.objects.create(**{**values, "application_id": make_app(programme, enterprise_a, owner_a).pk})
    fields = [f.attname for f in Award._meta.concrete_fields if f.attname not in ("id", "application_id", "created_at")]
    stored = Award.objects.get(pk=mine.pk)
    assert (mine.created_at, stored.created_at) == (now, now)
    assert [getattr(stored, f) for f in fields] == [getattr(Award.objects.get(pk=orm.pk), f) for f in fields]
    assert [getattr(mine, f) for f in fields] == [getattr(stored, f) for f in fields]
    assert not mine._state.adding and mine.pk == stored.pk
    (dated,) = statements.awards_insert(
        [
            {
                **values,
                "basis_date": dt.date(2025, 12, 31),
                "application_id": make_app(programme, enterprise_a, owner_a).pk,
            }
        ]
    )
    assert Award.objects.get(pk=dated.pk).basis_date == dt.date(2025, 12, 31)


def test_the_inserts_name_every_column_of_their_tables():
    ledger = {f.column for f in LedgerEntry._meta.concrete_fields} - {"id"}
    assert all(f'"{c}"' in statements.LEDGER_APPEND for c in ledger)
    counter = {f.column for f in BudgetCounter._meta.concrete_fields} - {"id"}
    assert all(f'"{c}"' in statements.COUNTER_CREATE for c in counter)


def test_a_counter_created_twice_is_created_once(catalogue, enterprise_a):
    """A counter starting from zero; the same counter again (a concurrent reservation got there first)
    writes nothing and answers None, for an enterprise's counter and a programme-wide one."""
    programme = catalogue["hp-compute-voucher"]
    Kind = BudgetCounter.Kind
    now = timezone.now()
    pk = statements.counter_create(programme.pk, Kind.ENTERPRISE_YEAR, enterprise_a.pk, 2026, "", now)
    assert pk is not None
    assert statements.counter_create(programme.pk, Kind.ENTERPRISE_YEAR, enterprise_a.pk, 2026, "", now) is None
    assert statements.counter_create(programme.pk, Kind.ENTERPRISE_YEAR, enterprise_a.pk, 2027, "", now) not in (
        None,
        pk,
    )
    wide = statements.counter_create(programme.pk, Kind.PROJECTS, None, 0, "", now)
    assert wide is not None
    assert statements.counter_create(programme.pk, Kind.PROJECTS, None, 0, "", now) is None
    counter = BudgetCounter.objects.get(pk=pk)
    assert (counter.used, counter.limit, counter.updated_at) == (D("0"), None, now)
    assert BudgetCounter.objects.filter(programme=programme).count() == 3
