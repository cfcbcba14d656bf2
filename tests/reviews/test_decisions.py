"""实质审核: the maximum, reductions, declines, who may decide, 从高不重复 and award lines."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from applications.workflow import State
from reviews.models import Decision
from reviews.selectors import decision_context, project_conflicts
from tests.approvals import approve, decline
from vouchers.models import Award, BudgetPool

from ..factories import EnterpriseFactory, member
from .conftest import assign_to, make_app, make_pool, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def trading(catalogue, clock):
    programme = catalogue["hp-data-trading"]
    make_pool(programme, 2026)
    return programme


@pytest.fixture
def app(trading, enterprise_a, owner_a, reviewer):
    a = make_app(enterprise_a, trading, state=State.BUREAU_REVIEW, inputs={"annual_listed_trading": "5000000"})
    assign_to(a, reviewer)
    return a


def test_the_reviewer_sees_the_maximum_and_its_explanation(app):
    ctx = decision_context(app)
    assert ctx["estimate"].amount == Decimal("150000.00")
    assert any("3%" in s.expression for s in ctx["estimate"].steps)


def test_approve_above_the_maximum_is_refused(app, reviewer):
    before = snapshot(app)
    with pytest.raises(ValidationError) as exc:
        approve(actor=reviewer, application=app, amount="150000.01")
    assert "超过测算上限 150,000.00 元" in str(exc.value)
    assert snapshot(app) == before


def test_reduced_amount_needs_a_reason(app, reviewer):
    before = snapshot(app)
    with pytest.raises(ValidationError) as exc:
        approve(actor=reviewer, application=app, amount="100000")
    assert exc.value.message_dict["reason"] == ["核定金额低于测算上限 150,000.00 元（核减），须说明理由。"]
    assert snapshot(app) == before
    d = approve(actor=reviewer, application=app, amount="100000", reason="部分交易额不符合条件")
    assert d.outcome == Decision.Outcome.REDUCE and d.amount == Decimal("100000.00")
    assert d.max_amount == Decimal("150000.00") and d.reason == "部分交易额不符合条件"
    app.refresh_from_db()
    assert app.state == State.APPROVED_PENDING_NOTICE
    event = app.events.get(action="approve")
    assert event.data["amount"] == "100000.00" and event.data["max_amount"] == "150000.00"


@pytest.mark.parametrize("amount", ["-1", "abc", "1.001", "0"])
def test_bad_amounts_are_refused(app, reviewer, amount):
    before = snapshot(app)
    with pytest.raises(ValidationError):
        approve(actor=reviewer, application=app, amount=amount, reason="x")
    assert snapshot(app) == before


def test_decline_needs_a_reason(app, reviewer):
    before = snapshot(app)
    with pytest.raises(ValidationError):
        decline(actor=reviewer, application=app, reason="  ")
    assert snapshot(app) == before
    d = decline(actor=reviewer, application=app, reason="交易证明不属场内交易")
    app.refresh_from_db()
    assert app.state == State.DECLINED and d.outcome == Decision.Outcome.DECLINE
    assert app.events.get(action="decline").message == "交易证明不属场内交易"


def test_a_decision_by_someone_not_assigned_or_not_in_the_role_is_refused(
    app, reviewer_other, expert, owner_a, provider_user
):
    before = snapshot(app)
    for actor in (reviewer_other, expert, owner_a, provider_user):
        with pytest.raises(PermissionDenied):
            approve(actor=actor, application=app, amount="150000")
        with pytest.raises(PermissionDenied):
            decline(actor=actor, application=app, reason="不符合条件")
    assert snapshot(app) == before


def test_an_administrator_may_decide_without_assignment(app, bureau_admin):
    approve(actor=bureau_admin, application=app, amount="150000")
    app.refresh_from_db()
    assert app.state == State.APPROVED_PENDING_NOTICE


def test_a_second_decision_is_refused(app, reviewer, bureau_admin):
    approve(actor=reviewer, application=app, amount="150000")
    before = snapshot(app)
    with pytest.raises(ValidationError) as exc:
        approve(actor=bureau_admin, application=app, amount="150000")
    assert "不能执行" in str(exc.value)
    with pytest.raises(ValidationError):
        decline(actor=bureau_admin, application=app, reason="重复")
    assert snapshot(app) == before
    assert Decision.objects.filter(application=app, current=True).count() == 1


def test_a_budget_refusal_changes_nothing(app, reviewer, trading):
    BudgetPool.objects.filter(programme=trading).update(amount=Decimal("1000"))
    before = snapshot(app)
    with pytest.raises(ValidationError) as exc:
        approve(actor=reviewer, application=app, amount="150000")
    assert "资金池余额不足" in str(exc.value)
    assert snapshot(app) == before


# ---------------------------------------------------------------- 从高不重复


@pytest.fixture
def same_project(catalogue, clock, enterprise_a, owner_a, reviewer):
    """The same contract claimed under hp-data-trading (150,000) and hp-data-asset-entry (lower)."""
    asset = catalogue["hp-data-asset-entry"]
    trading = catalogue["hp-data-trading"]
    make_pool(asset, 2026)
    make_pool(trading, 2026)
    high = make_app(
        enterprise_a,
        trading,
        state=State.BUREAU_REVIEW,
        inputs={"annual_listed_trading": "5000000"},
        claims=[("contract", "HT-2026-001")],
    )
    low = make_app(
        enterprise_a,
        asset,
        state=State.BUREAU_REVIEW,
        inputs={"booked_value": "800000", "service_fees": "100000", "first_booking": True},
        claims=[("contract", "HT-2026-001")],
    )
    for a in (high, low):
        assign_to(a, reviewer)
    return high, low


def test_conflicts_are_shown_with_their_claims(same_project):
    high, low = same_project
    rows = project_conflicts(high)
    assert [(r["id"], r["matched"]) for r in rows] == [(low.pk, ["合同编号 HT-2026-001"])]


def test_approving_the_higher_declines_the_lower_pending_award(same_project, reviewer):
    high, low = same_project
    approve(actor=reviewer, application=low, amount="30000")
    assert Award.objects.get(application=low).status == Award.Status.RESERVED
    approve(actor=reviewer, application=high, amount="150000")
    low.refresh_from_db()
    high.refresh_from_db()
    assert high.state == State.APPROVED_PENDING_NOTICE
    assert low.state == State.DECLINED
    assert Award.objects.get(application=low).status == Award.Status.RELEASED
    current = Decision.objects.get(application=low, current=True)
    assert current.outcome == Decision.Outcome.DECLINE and "从高不重复" in current.reason
    assert Decision.objects.filter(application=low).count() == 2  # both stay on record
    assert low.events.filter(action="decline_superseded").exists()


def test_approving_the_lower_when_a_higher_stands_is_refused(same_project, reviewer):
    high, low = same_project
    approve(actor=reviewer, application=high, amount="150000")
    before = snapshot(low)
    with pytest.raises(ValidationError) as exc:
        approve(actor=reviewer, application=low, amount="30000")
    assert "从高不重复" in str(exc.value)
    assert snapshot(low) == before


# ---------------------------------------------------------------- two award lines


def test_two_line_programme_decides_each_line(catalogue, clock, reviewer_th):
    from applications.models import District

    programme = catalogue["th-scenario-demo"]
    make_pool(programme, 2026)
    tianhe = {
        "registered_district": District.TIANHE,
        "tax_district": District.TIANHE,
        "stats_district": District.TIANHE,
        "is_above_scale": True,
    }
    supplier = EnterpriseFactory(name="天河供应方", **tianhe)
    buyer = EnterpriseFactory(name="天河采购方", **tianhe)
    member(supplier)
    app = make_app(
        supplier,
        programme,
        state=State.BUREAU_REVIEW,
        inputs={"contract_paid": "3000000", "supplier_uscc": supplier.credit_code, "buyer_uscc": buyer.credit_code},
    )
    assign_to(app, reviewer_th)
    lines = {ln["line"]: ln for ln in decision_context(app)["lines"]}
    assert lines["supplier"]["max"] == Decimal("300000.00") and lines["buyer"]["enterprise"] == buyer
    with pytest.raises(ValidationError) as exc:
        approve(actor=reviewer_th, application=app, amounts={"supplier": "300000"})
    assert "amount_buyer" in exc.value.message_dict
    from reviews.services.parties import party_confirm

    party_confirm(actor=member(buyer), application=app)  # 合作方确认 in the buyer's own account
    d = approve(
        actor=reviewer_th,
        application=app,
        amounts={"supplier": "300000", "buyer": "250000"},
        reason="采购方部分支付凭证不符",
    )
    assert d.amount == Decimal("550000.00") and d.outcome == Decision.Outcome.REDUCE
    awards = {a.line: a for a in Award.objects.filter(application=app)}
    assert awards["supplier"].enterprise == supplier and awards["supplier"].amount == Decimal("300000.00")
    assert awards["buyer"].enterprise == buyer and awards["buyer"].amount == Decimal("250000.00")
