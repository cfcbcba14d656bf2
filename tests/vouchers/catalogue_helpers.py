"""Shared by the catalogue page and API tests: a valid input set derived from a programme's declared
inputs, a prior award of an enterprise (what caps count), a page's text and a window opened through the
service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from applications.models import Application
from tests.factories import make_uscc
from vouchers.models import Award, BudgetPool, Programme
from vouchers.services.catalogue import window_open

ON = "2026-03-01"  # within both policies' validity (th2024 ends 2026-12-31)

# Values that meet every threshold of the catalogue (previous-period figures below current ones).
_BY_ROLE = {"previous": "1000000000", "revenue_previous": "5000000000", "rd_previous": "500000000"}


def valid_inputs(programme: Programme) -> dict[str, Any]:
    """One value per declared input, by its PROGRAMS.md name."""
    body: dict[str, Any] = {}
    usccs = iter([make_uscc(901), make_uscc(902)])
    for meta in programme.inputs:
        kind = meta["type"]
        if kind == "decimal":
            body[meta["name"]] = _BY_ROLE.get(meta.get("role", ""), "6000000000")
        elif kind == "int":
            body[meta["name"]] = 1
        elif kind == "bool":
            body[meta["name"]] = True
        elif kind == "choice":
            body[meta["name"]] = meta["choices"][0]["value"]
        elif kind == "uscc":
            body[meta["name"]] = next(usccs)
    return body


def prior_award(
    *,
    enterprise,
    programme: Programme,
    amount: str,
    decided_on: dt.date,
    user,
    line: str = "",
    status: str = Award.Status.COMMITTED,
) -> Award:
    n = Application.objects.count() + 1
    application = Application.objects.create(
        reference=f"TEST-{programme.code}-{n}",
        enterprise=enterprise,
        programme=programme,
        created_by=user,
        title="既往项目",
    )
    pool, _ = BudgetPool.objects.get_or_create(
        programme=programme, fiscal_year=decided_on.year, defaults={"amount": Decimal("100000000")}
    )
    return Award.objects.create(
        application=application,
        line=line,
        enterprise=enterprise,
        programme=programme,
        pool=pool,
        fiscal_year=decided_on.year,
        amount=Decimal(amount),
        status=status,
        decided_on=decided_on,
    )


def text(response) -> str:
    return response.content.decode()


def open_window(programme, admin, days=10):
    now = timezone.now()
    return window_open(
        actor=admin,
        programme=programme,
        name="2026年第一批",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=days),
    )
