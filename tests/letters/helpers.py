"""Applications, awards and letters made with the ORM and the budget services for the letter and
voucher tests."""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.utils import timezone

from applications.models import Application
from applications.workflow import State
from vouchers.models import Award, BudgetPool, Programme
from vouchers.services.budget import award_commit, award_reserve

_seq = itertools.count(1)


def make_application(
    *, enterprise, programme: Programme, created_by, state: str = State.APPROVED, title: str = "智能算力服务采购项目"
) -> Application:
    n = next(_seq)
    return Application.objects.create(
        reference=f"T{programme.policy.code.upper()}-{n:06d}",
        enterprise=enterprise,
        programme=programme,
        state=state,
        title=title,
        created_by=created_by,
        submitted_at=timezone.now(),
        inputs={},
    )


def make_award(*, application: Application, amount: str | Decimal, commit: bool = True) -> Award:
    """A reserved (and by default committed) award drawn on the programme's pool of this year."""
    today = timezone.localdate()
    BudgetPool.objects.get_or_create(
        programme=application.programme, fiscal_year=today.year, defaults={"amount": Decimal("100000000")}
    )
    [award] = award_reserve(
        actor=None,
        application=application,
        lines=[{"line": "", "enterprise_id": application.enterprise_id, "amount": str(amount)}],
        decided_on=today,
        parameters={},
        explanation=[],
        idempotency_key=f"t:{application.pk}",
    )
    return award_commit(actor=None, award=award) if commit else award
