"""Caps that hold under real concurrency (PostgreSQL, real threads): the pool, an enterprise's
per-year cap and the awardee quota each admit exactly what fits, and retries reserve once."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from applications.models import Application, Enterprise
from tests.factories import make_uscc
from vouchers.models import Award, BudgetPool, LedgerEntry, ParameterValue
from vouchers.services.budget import award_commit, pool_set_amount

from .test_budget_helpers import assert_balanced, counters_match, reserve

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 200
FITS = 37
EACH = Decimal("1000.00")
WORKERS = 16


def _enterprises(n: int, offset: int) -> list[Enterprise]:
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=f"并发测试企业{offset + i}",
                credit_code=make_uscc(500000 + offset + i),
                registered_district="huangpu",
                tax_district="huangpu",
                stats_district="huangpu",
                contact_name="联系人",
                contact_phone="020-1",
            )
            for i in range(n)
        ]
    )
    return list(Enterprise.objects.filter(name__startswith="并发测试企业").order_by("pk"))[-n:]


def _applications(programme, enterprises, user, tag: str) -> list[Application]:
    Application.objects.bulk_create(
        [
            Application(
                reference=f"C{tag}-{i:04d}",
                enterprise=e,
                programme=programme,
                created_by=user,
                state="bureau_review",
                title=f"并发{i}",
            )
            for i, e in enumerate(enterprises)
        ]
    )
    return list(Application.objects.filter(reference__startswith=f"C{tag}-").order_by("pk"))


def _race(fn, items) -> tuple[list, list]:
    """Run fn(item) for every item from WORKERS threads started together; (results, refusals)."""
    barrier = threading.Barrier(WORKERS)
    chunks = [items[i::WORKERS] for i in range(WORKERS)]
    ok, refused, errors = [], [], []
    lock = threading.Lock()

    def worker(chunk):
        try:
            barrier.wait()
            for item in chunk:
                try:
                    with transaction.atomic():  # the caller's transaction (the approve transition)
                        r = fn(item)
                    with lock:
                        ok.append(r)
                except ValidationError as e:
                    with lock:
                        refused.append(e)
                except Exception as e:  # noqa: BLE001 — surfaced below
                    with lock:
                        errors.append(e)
        finally:
            connection.close()

    with ThreadPoolExecutor(WORKERS) as ex:
        list(ex.map(worker, chunks))
    assert not errors, errors[:3]
    return ok, refused


def _commit_all(awards):
    ok, refused = _race(lambda a: award_commit(actor=None, award=a), awards)
    assert not refused and len(ok) == len(awards)


@pytest.mark.parametrize("round_no", [1, 2, 3])
def test_pool_fits_exactly_37_of_200(catalogue, bureau_admin, reviewer, owner_a, round_no):
    voucher = catalogue["hp-compute-voucher"]
    year = 2025 + round_no
    pool = pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=year, amount=EACH * FITS)
    apps = _applications(voucher, _enterprises(ATTEMPTS, round_no * 1000), owner_a, f"p{round_no}")
    on = dt.date(year, 5, 6)
    ok, refused = _race(lambda app: reserve(app, EACH, actor=reviewer, on=on), apps)
    assert len(ok) == FITS and len(refused) == ATTEMPTS - FITS
    assert all("资金池余额不足" in " ".join(e.messages) for e in refused)
    assert Award.objects.filter(pool=pool).count() == FITS
    assert LedgerEntry.objects.filter(pool=pool, kind="reserve").count() == FITS
    pool.refresh_from_db()
    assert pool.reserved == EACH * FITS and pool.remaining == 0
    _commit_all([a for (a,) in ok])
    pool.refresh_from_db()
    assert (pool.reserved, pool.committed) == (0, EACH * FITS)
    assert_balanced(pool)
    counters_match()


@pytest.mark.parametrize("round_no", [1, 2, 3])
def test_enterprise_year_cap_fits_exactly_37(catalogue, bureau_admin, reviewer, owner_a, enterprise_a, round_no):
    programme = catalogue["hp-data-trading"]  # cap_per_enterprise_year
    year = 2025 + round_no
    ParameterValue.objects.create(
        programme=programme, name="cap_per_enterprise_year", value=EACH * FITS, effective_from=dt.date(year, 1, 1)
    )
    pool = pool_set_amount(actor=bureau_admin, programme=programme, fiscal_year=year, amount=EACH * ATTEMPTS)
    apps = _applications(programme, [enterprise_a] * ATTEMPTS, owner_a, f"y{round_no}")
    on = dt.date(year, 7, 1)
    ok, refused = _race(lambda app: reserve(app, EACH, actor=reviewer, on=on), apps)
    assert len(ok) == FITS and len(refused) == ATTEMPTS - FITS
    assert all("年度奖励上限不足" in " ".join(e.messages) for e in refused)
    assert sum(a.amount for a in Award.objects.filter(enterprise=enterprise_a, fiscal_year=year)) == EACH * FITS
    _commit_all([a for (a,) in ok])
    assert_balanced(pool)
    counters_match()


@pytest.mark.parametrize("round_no", [1, 2, 3])
def test_awardee_quota_fits_exactly_37(catalogue, bureau_admin, reviewer, owner_a, round_no):
    programme = catalogue["hp-vertical-model-compute"]  # awardee_quota_period (10 → 37 from 2026)
    ParameterValue.objects.create(
        programme=programme, name="awardee_quota_period", value=FITS, effective_from=dt.date(2026, 1, 1)
    )
    pool = pool_set_amount(actor=bureau_admin, programme=programme, fiscal_year=2026, amount=EACH * ATTEMPTS)
    apps = _applications(programme, _enterprises(ATTEMPTS, round_no * 1000), owner_a, f"q{round_no}")
    ok, refused = _race(lambda app: reserve(app, EACH, actor=reviewer, on=dt.date(2026, 8, 3)), apps)
    assert len(ok) == FITS and len(refused) == ATTEMPTS - FITS
    assert all("支持主体名额已满" in " ".join(e.messages) for e in refused)
    assert Award.objects.filter(programme=programme).values("enterprise").distinct().count() == FITS
    _commit_all([a for (a,) in ok])
    pool.refresh_from_db()
    assert pool.committed == EACH * FITS
    assert_balanced(pool)
    counters_match()


def test_concurrent_retries_reserve_once(catalogue, bureau_admin, reviewer, owner_a, enterprise_a):
    voucher = catalogue["hp-compute-voucher"]
    pool = pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount="100000")
    [app] = _applications(voucher, [enterprise_a], owner_a, "r")
    ok, refused = _race(lambda _: reserve(app, "5000", actor=reviewer), list(range(64)))
    assert not refused and len(ok) == 64
    assert len({a.pk for (a,) in ok}) == 1
    assert LedgerEntry.objects.filter(kind="reserve").count() == 1
    pool.refresh_from_db()
    assert pool.reserved == Decimal("5000")
    assert_balanced(pool)


def test_concurrent_pool_changes_never_undercut_reservations(catalogue, bureau_admin, reviewer, owner_a):
    """Administrators lowering the pool while reservations run: the pool never ends below what is held."""
    voucher = catalogue["hp-compute-voucher"]
    pool = pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount=EACH * 100)
    apps = _applications(voucher, _enterprises(60, 9000), owner_a, "s")
    items = [("reserve", a) for a in apps] + [("cut", EACH * n) for n in range(60, 20, -2)]

    def act(item):
        kind, x = item
        if kind == "reserve":
            return reserve(x, EACH, actor=reviewer)
        return pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount=x)

    _race(act, items)
    pool.refresh_from_db()
    assert pool.amount >= pool.reserved + pool.committed
    assert pool.reserved == EACH * Award.objects.filter(pool=pool).count()
    assert_balanced(pool)
    assert BudgetPool.objects.count() == 1
