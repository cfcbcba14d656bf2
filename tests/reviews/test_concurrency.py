"""Two decisions on the same application at the same moment (real threads, PostgreSQL row locks):
two proposals — exactly one stands, the other is refused with a clear message; two people approving
the same step — one holds it, the other is refused; the budget holds one award."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from applications.workflow import State
from portal.models import Role
from reviews.models import Decision, DecisionProposal
from tests.approvals import propose, walk
from tests.factories import UserFactory
from vouchers.models import Award, BudgetPool

from .conftest import assign_to, make_app, make_pool


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = ("ok", fn())
        except (ValidationError, PermissionDenied) as exc:
            outcomes[i] = ("refused", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["approve", "decline"])
def test_two_simultaneous_proposals_exactly_one_stands(
    catalogue, clock, enterprise_a, owner_a, reviewer, bureau_admin, second
):
    programme = catalogue["hp-data-trading"]
    make_pool(programme, 2026)
    app = make_app(enterprise_a, programme, state=State.BUREAU_REVIEW, inputs={"annual_listed_trading": "5000000"})
    assign_to(app, reviewer)

    def other():
        if second == "approve":
            return propose(actor=bureau_admin, application=app.pk, amount="140000", reason="核减：部分交易不计")
        return propose(actor=bureau_admin, application=app.pk, outcome="decline", reason="不符合条件")

    outcomes = _race(lambda: propose(actor=reviewer, application=app.pk, amount="150000"), other)
    kinds = sorted(o[0] for o in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    refused = next(o[1] for o in outcomes if o[0] == "refused")
    assert "已有审批中的拟办意见" in str(refused)
    standing = next(o[1] for o in outcomes if o[0] == "ok")
    assert DecisionProposal.objects.filter(application=app).count() == 1
    winner = walk(standing).decision
    app.refresh_from_db()
    assert Decision.objects.filter(application=app).count() == 1 and Decision.objects.get(application=app) == winner
    pool = BudgetPool.objects.get(programme=programme, fiscal_year=2026)
    if winner.outcome == Decision.Outcome.DECLINE:
        assert app.state == State.DECLINED and not Award.objects.exists() and pool.reserved == Decimal("0")
    else:
        assert app.state == State.APPROVED_PENDING_NOTICE
        award = Award.objects.get(application=app)
        assert award.amount == winner.amount == pool.reserved
    assert app.events.filter(action__in=["approve", "decline"]).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_checkers_approving_one_proposal_at_once_make_one_decision(
    catalogue, clock, enterprise_a, owner_a, reviewer, bureau_admin
):
    from reviews.services.approvals import proposal_approve

    programme = catalogue["hp-data-trading"]
    make_pool(programme, 2026)
    app = make_app(enterprise_a, programme, state=State.BUREAU_REVIEW, inputs={"annual_listed_trading": "5000000"})
    assign_to(app, reviewer)
    proposal = propose(actor=reviewer, application=app.pk, amount="150000")
    second_admin = UserFactory(role=Role.BUREAU_ADMIN)
    outcomes = _race(
        lambda: proposal_approve(actor=bureau_admin, proposal=proposal.pk, comment="同意。"),
        lambda: proposal_approve(actor=second_admin, proposal=proposal.pk, comment="同意。"),
    )
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"], outcomes
    assert "已办结" in str(next(o[1] for o in outcomes if o[0] == "refused"))
    proposal.refresh_from_db()
    assert proposal.status == DecisionProposal.Status.APPROVED
    assert [s.acted_by_id is not None for s in proposal.steps.order_by("position")] == [True, True]
    assert Decision.objects.filter(application=app).count() == 1
    assert BudgetPool.objects.get(programme=programme, fiscal_year=2026).reserved == Decimal("150000.00")
