"""Both remedies for a batch that asks more than the pool has left: rank and pro-rata scaling
(按比例核减), exact to the cent, computed before anything is committed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vouchers.models import Award, LedgerEntry, ParameterValue
from vouchers.oversubscription import cents_pro_rata
from vouchers.services.budget import batch_oversubscription, pool_set_amount

D = Decimal


@pytest.fixture
def prog(catalogue):
    return catalogue["hp-open-source"]  # competitive, awardee_quota_period 10


@pytest.fixture
def pool(prog, bureau_admin):
    return pool_set_amount(actor=bureau_admin, programme=prog, fiscal_year=2026, amount=D("100.00"))


def test_pro_rata_exact_to_the_cent_with_deterministic_remainders(pool, prog, bureau_admin):
    reqs = [
        {"application_id": 3, "amount": D("50.00"), "score": None},
        {"application_id": 1, "amount": D("10.00"), "score": None},
        {"application_id": 2, "amount": D("10.00"), "score": None},
    ]
    pool_set_amount(actor=bureau_admin, programme=prog, fiscal_year=2026, amount=D("33.33"))
    out = batch_oversubscription(programme=prog, fiscal_year=2026, requests=reqs)
    assert out["oversubscribed"] and out["available"] == D("33.33") and out["requested"] == D("70")
    got = {r["application_id"]: r["awarded"] for r in out["pro_rata"]["rows"]}
    # 50 × 33.33/70 = 23.807…, 10 × 33.33/70 = 4.761… (twice): floors 23.80 + 4.76 + 4.76 = 33.32; the cent
    # left goes to the largest remainder (0.71 of a cent, application 3)
    assert got == {3: D("23.81"), 1: D("4.76"), 2: D("4.76")}
    assert sum(got.values()) == D("33.33") == out["pro_rata"]["total"]
    assert out["pro_rata"]["ratio"] == D("0.476142")
    assert {r["application_id"]: r["reduction"] for r in out["pro_rata"]["rows"]}[3] == D("26.19")
    # nothing written
    assert not Award.objects.exists() and not LedgerEntry.objects.exists()


def test_pro_rata_ties_go_to_the_order_given():
    out = cents_pro_rata([("b", D("10")), ("a", D("10")), ("c", D("10"))], D("10.00"))
    assert out == {"b": D("3.34"), "a": D("3.33"), "c": D("3.33")}


def test_rank_by_score_until_pool_exhausted(pool, prog):
    reqs = [
        {"application_id": 1, "amount": D("60"), "score": D("70")},
        {"application_id": 2, "amount": D("30"), "score": D("90")},
        {"application_id": 3, "amount": D("30"), "score": D("80")},
        {"application_id": 4, "amount": D("5"), "score": None},
    ]
    out = batch_oversubscription(programme=prog, fiscal_year=2026, requests=reqs)
    rows = out["rank"]["rows"]
    assert [r["application_id"] for r in rows] == [2, 3, 1, 4]
    assert [r["awarded"] for r in rows] == [D("30"), D("30"), D("40"), D("0")]
    assert [r["outcome"] for r in rows] == ["full", "full", "partial", "none"]
    assert out["rank"]["total"] == D("100") and out["competitive"]


def test_rank_respects_the_quota_left(pool, prog):
    ParameterValue.objects.create(
        programme=prog, name="awardee_quota_period", value=2, effective_from=dt.date(2026, 1, 1)
    )
    reqs = [{"application_id": i, "amount": D("10"), "score": D(100 - i)} for i in range(1, 5)]
    out = batch_oversubscription(programme=prog, fiscal_year=2026, requests=reqs)
    assert out["quota_remaining"] == 2
    assert [r["awarded"] for r in out["rank"]["rows"]] == [D("10"), D("10"), D("0"), D("0")]


def test_not_oversubscribed_keeps_amounts(pool, prog):
    reqs = [
        {"application_id": 1, "amount": D("40"), "score": None},
        {"application_id": 2, "amount": D("60"), "score": None},
    ]
    out = batch_oversubscription(programme=prog, fiscal_year=2026, requests=reqs)
    assert not out["oversubscribed"] and out["pro_rata"]["ratio"] == 1
    assert [r["awarded"] for r in out["pro_rata"]["rows"]] == [D("40"), D("60")]


def test_no_pool_means_nothing_available(prog):
    out = batch_oversubscription(programme=prog, fiscal_year=2030, requests=[{"application_id": 1, "amount": "5"}])
    assert not out["pool_exists"] and out["available"] == 0
    assert out["pro_rata"]["rows"][0]["awarded"] == 0 and out["rank"]["rows"][0]["outcome"] == "none"


cents = st.integers(min_value=1, max_value=10**9).map(lambda c: D(c) / 100)


@settings(max_examples=300, deadline=None)
@given(st.lists(cents, min_size=1, max_size=30), st.integers(min_value=0, max_value=10**9))
def test_pro_rata_properties(amounts, avail_cents):
    available = D(avail_cents) / 100
    out = cents_pro_rata(list(enumerate(amounts)), available)
    total = sum(amounts)
    if total <= available:
        assert out == dict(enumerate(amounts))
        return
    assert sum(out.values()) == available
    for i, a in enumerate(amounts):
        assert D("0") <= out[i] <= a and out[i] == out[i].quantize(D("0.01"))
        exact = a * available / total
        assert abs(out[i] - exact) < D("0.01")
    assert cents_pro_rata(list(enumerate(amounts)), available) == out  # deterministic
