"""Two decisions on the same application at the same moment (real threads, PostgreSQL row locks):
exactly one stands, the other is refused with a clear message, and the budget holds one award."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from applications.workflow import State
from reviews.models import Decision
from reviews.services import decisions
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
def test_two_simultaneous_decisions_exactly_one_stands(catalogue, clock, enterprise_a, owner_a, reviewer,
                                                       bureau_admin, second):
    programme = catalogue["hp-data-trading"]
    make_pool(programme, 2026)
    app = make_app(enterprise_a, programme, state=State.BUREAU_REVIEW, inputs={"annual_listed_trading": "5000000"})
    assign_to(app, reviewer)

    def other():
        if second == "approve":
            return decisions.decision_approve(actor=bureau_admin, application=app.pk, amount="140000",
                                              reason="核减：部分交易不计")
        return decisions.decision_decline(actor=bureau_admin, application=app.pk, reason="不符合条件")

    outcomes = _race(lambda: decisions.decision_approve(actor=reviewer, application=app.pk, amount="150000"), other)
    kinds = sorted(o[0] for o in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    refused = next(o[1] for o in outcomes if o[0] == "refused")
    assert "不能执行" in str(refused)
    winner = next(o[1] for o in outcomes if o[0] == "ok")
    app.refresh_from_db()
    assert Decision.objects.filter(application=app).count() == 1
    assert Decision.objects.get(application=app) == winner
    pool = BudgetPool.objects.get(programme=programme, fiscal_year=2026)
    if winner.outcome == Decision.Outcome.DECLINE:
        assert app.state == State.DECLINED and not Award.objects.exists() and pool.reserved == Decimal("0")
    else:
        assert app.state == State.APPROVED_PENDING_NOTICE
        award = Award.objects.get(application=app)
        assert award.amount == winner.amount == pool.reserved
    assert app.events.filter(action__in=["approve", "decline"]).count() == 1
