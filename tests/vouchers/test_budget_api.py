"""/api/v1/budget/pools/ and the ledger: administrators only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.models import AuditEvent
from vouchers.models import BudgetPool
from vouchers.services.budget import award_commit, award_release, pool_set_amount

from .test_budget_helpers import make_app, reserve

D = Decimal


@pytest.fixture
def voucher(catalogue):
    return catalogue["hp-compute-voucher"]


@pytest.fixture
def pool(voucher, bureau_admin):
    return pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount=D("500000"))


def test_outsiders_refused_everywhere(pool, voucher, api_for, owner_a, agent_a, reviewer, expert, provider_user):
    urls = ["/api/v1/budget/pools/", f"/api/v1/budget/pools/{pool.pk}/", f"/api/v1/budget/pools/{pool.pk}/ledger/"]
    for user in (None, owner_a, agent_a, reviewer, expert, provider_user):
        c = api_for(user)
        for url in urls:
            assert c.get(url).status_code in (401, 403), (user, url)
        assert c.post(
            urls[0], {"programme": voucher.code, "fiscal_year": 2027, "amount": "1"}, format="json"
        ).status_code in (401, 403)
        assert c.patch(urls[1], {"amount": "1"}, format="json").status_code in (401, 403)
    pool.refresh_from_db()
    assert pool.amount == D("500000") and BudgetPool.objects.count() == 1


def test_list_detail_and_ledger(pool, voucher, enterprise_a, owner_a, api_for, bureau_admin):
    [a] = reserve(make_app(voucher, enterprise_a, owner_a), "1000.10")
    award_commit(actor=None, award=a)
    award_release(actor=bureau_admin, award=a, reason="异议成立")
    c = api_for(bureau_admin)
    data = c.get("/api/v1/budget/pools/", {"fiscal_year": 2026}).json()
    [row] = data["results"]
    assert row["programme"] == "hp-compute-voucher" and row["amount"] == "500000.00"
    assert row["remaining"] == "500000.00" and row["reserved"] == "0.00"
    assert c.get("/api/v1/budget/pools/", {"fiscal_year": 2031}).json()["count"] == 0
    assert c.get(f"/api/v1/budget/pools/{pool.pk}/").json()["policy"] == "hp2025"
    ledger = c.get(f"/api/v1/budget/pools/{pool.pk}/ledger/").json()["results"]
    assert [e["kind"] for e in ledger] == ["release", "commit", "reserve"]
    assert ledger[0]["released_from"] == "committed" and ledger[2]["amount"] == "1000.10"
    assert ledger[2]["application"] == a.application.reference
    assert c.get("/api/v1/budget/pools/99999/ledger/").status_code == 404


def test_set_amount_via_api(pool, voucher, enterprise_a, owner_a, api_for, bureau_admin):
    reserve(make_app(voucher, enterprise_a, owner_a), "300000")
    c = api_for(bureau_admin)
    r = c.patch(f"/api/v1/budget/pools/{pool.pk}/", {"amount": "299999.99"}, format="json")
    assert r.status_code == 400 and "300,000.00" in str(r.json())
    pool.refresh_from_db()
    assert pool.amount == D("500000")
    r = c.patch(f"/api/v1/budget/pools/{pool.pk}/", {"amount": "350000"}, format="json")
    assert r.status_code == 200 and r.json()["remaining"] == "50000.00"
    r = c.post("/api/v1/budget/pools/", {"programme": voucher.code, "fiscal_year": 2027, "amount": "10"}, format="json")
    assert r.status_code == 201 and BudgetPool.objects.get(fiscal_year=2027).amount == D("10")
    r = c.post("/api/v1/budget/pools/", {"programme": "nope", "fiscal_year": 2027, "amount": "-1"}, format="json")
    assert r.status_code == 400 and set(r.json()) == {"programme", "amount"}
    assert AuditEvent.objects.filter(action__in=["budget.pool_set_amount", "budget.pool_create"]).count() == 3
