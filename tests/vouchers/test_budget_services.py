"""Budget services on any database: reserving, committing, releasing, paying, clawing back,
idempotent retries and refusals that write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.models import AuditEvent
from vouchers.models import Award, BudgetCounter, BudgetPool, LedgerEntry
from vouchers.services.budget import (
    award_clawback,
    award_commit,
    award_release,
    pool_set_amount,
    tranche_disburse,
)

from .test_budget_helpers import DECIDED, assert_balanced, counters_match, make_app, reserve

D = Decimal


@pytest.fixture
def voucher(catalogue):
    return catalogue["hp-compute-voucher"]


@pytest.fixture
def pool(voucher, bureau_admin):
    return pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount=D("1000000.00"))


def snapshot():
    return (
        Award.objects.count(),
        LedgerEntry.objects.count(),
        BudgetCounter.objects.filter(used__gt=0).count(),
        list(BudgetPool.objects.values_list("amount", "reserved", "committed", "disbursed")),
    )


def test_reserve_commit_pay_release_keeps_ledger_balanced(pool, voucher, enterprise_a, owner_a, reviewer, bureau_admin):
    app = make_app(voucher, enterprise_a, owner_a)
    [award] = reserve(app, "120000.50", actor=reviewer)
    assert award.status == "reserved" and award.amount == D("120000.50") and award.fiscal_year == 2026
    pool.refresh_from_db()
    assert pool.reserved == D("120000.50") and pool.remaining == D("879999.50")
    assert_balanced(pool)
    award_commit(actor=None, award=award)
    pool.refresh_from_db()
    assert (pool.reserved, pool.committed) == (D("0"), D("120000.50"))
    tranche_disburse(actor=bureau_admin, award=award, amount=D("60000"), paid_on=dt.date(2026, 4, 1), reference="P-1")
    tranche_disburse(
        actor=bureau_admin, award=award, amount=D("60000.50"), paid_on=dt.date(2026, 6, 1), reference="P-2"
    )
    award.refresh_from_db()
    assert award.disbursed == award.amount
    assert_balanced(pool)
    award_clawback(actor=bureau_admin, award=award, amount=D("120000.50"), reference="追回-1")
    award_release(actor=bureau_admin, award=award, reason="违规追回，撤销奖励")
    pool.refresh_from_db()
    assert (pool.reserved, pool.committed, pool.disbursed) == (D("0"), D("0"), D("0"))
    assert_balanced(pool)
    counters_match()
    assert AuditEvent.objects.filter(action__startswith="budget.").count() >= 6


def test_enterprise_period_cap_refused_with_what_is_left(pool, voucher, enterprise_a, owner_a):
    a1, a2 = make_app(voucher, enterprise_a, owner_a), make_app(voucher, enterprise_a, owner_a)
    reserve(a1, "450000")
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        reserve(a2, "60000")
    msg = " ".join(err.value.messages)
    assert "500,000.00" in msg and "剩余 50,000.00" in msg
    assert snapshot() == before
    reserve(a2, "50000")
    counters_match()


def test_idempotent_retry_returns_same_awards(pool, voucher, enterprise_a, owner_a):
    app = make_app(voucher, enterprise_a, owner_a)
    first = reserve(app, "1000")
    again = reserve(app, "1000")
    other_key = reserve(app, "1000", key="another-key")
    assert [a.pk for a in first] == [a.pk for a in again] == [a.pk for a in other_key]
    assert LedgerEntry.objects.filter(kind="reserve").count() == 1
    pool.refresh_from_db()
    assert pool.reserved == D("1000")


def test_missing_pool_refused(voucher, enterprise_a, owner_a):
    app = make_app(voucher, enterprise_a, owner_a)
    with pytest.raises(ValidationError, match="尚未设置2026年度资金池"):
        reserve(app, "1000")
    assert not Award.objects.exists()


def test_pool_below_commitments_refused(pool, voucher, enterprise_a, owner_a, bureau_admin):
    reserve(make_app(voucher, enterprise_a, owner_a), "300000")
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount="299999.99")
    assert "300,000.00" in str(err.value)
    assert snapshot() == before
    pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount="300000")
    pool.refresh_from_db()
    assert pool.amount == D("300000") and pool.remaining == 0


def test_pool_amount_only_by_admins(voucher, reviewer, owner_a):
    for who in (reviewer, owner_a, None):
        with pytest.raises(PermissionDenied):
            pool_set_amount(actor=who, programme=voucher, fiscal_year=2026, amount="1")
    assert not BudgetPool.objects.exists()


def test_tranche_above_award_refused(pool, voucher, enterprise_a, owner_a, bureau_admin):
    [award] = reserve(make_app(voucher, enterprise_a, owner_a), "1000")
    with pytest.raises(ValidationError):  # not committed yet
        tranche_disburse(actor=bureau_admin, award=award, amount="10", paid_on=DECIDED, reference="X")
    award_commit(actor=None, award=award)
    tranche_disburse(actor=bureau_admin, award=award, amount="600", paid_on=DECIDED, reference="T1")
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        tranche_disburse(actor=bureau_admin, award=award, amount="400.01", paid_on=DECIDED, reference="T2")
    assert "剩余 400.00 元" in str(err.value)
    assert snapshot() == before
    # the same payment reference is recorded once
    tranche_disburse(actor=bureau_admin, award=award, amount="600", paid_on=DECIDED, reference="T1")
    assert LedgerEntry.objects.filter(kind="disburse").count() == 1


@pytest.mark.parametrize("amount", ["-1", "0", "abc", "1.001", None])
def test_bad_amount_refused(pool, voucher, enterprise_a, owner_a, amount):
    app = make_app(voucher, enterprise_a, owner_a)
    before = snapshot()
    with pytest.raises(ValidationError):
        reserve(app, "0", lines=[{"enterprise_id": enterprise_a.pk, "line": "", "amount": amount}])
    assert snapshot() == before
