"""What every budget service shares: amounts (read and written through one helper each), who may
move awards, the JSON of an award and a pool for the audit trail, and the row locks taken in the
one order (award, then counters, then pool)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

from portal.amounts import amount_from
from portal.permissions import is_reviewing_staff, require_bureau_admin
from portal.templatetags.money import yuan

from ... import calculator
from ...models import MONEY, Award, BudgetPool

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# The award lines a reservation may name: "" (the applicant), supplier and buyer (th-scenario-demo).
LINES = tuple(calculator.LINE_LABELS)
# Awards that hold budget and count against caps and quotas.
HOLDING = (Award.Status.RESERVED, Award.Status.COMMITTED)
# The type of an amount computed in SQL.
MONEY_FIELD = models.DecimalField(max_digits=MONEY["max_digits"], decimal_places=MONEY["decimal_places"])


def fmt_yuan(value: Decimal) -> str:
    """1234.5 → '1,234.50 元' (the portal's one way of writing an amount)."""
    return yuan(value)


def line_label(line: str) -> str:
    """供应方 / 采购方 in the reader's language; '' for the applicant's single line."""
    return _(calculator.LINE_LABELS[line]) if line else ""


def money(value: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A money amount given to the budget: portal.amounts.amount_from, above zero unless allow_zero."""
    return amount_from(value, field=field, allow_zero=allow_zero)


def may_decide(actor) -> bool:
    """Who may reserve, commit and release awards: the review workflow acting as a reviewer or an
    administrator, or the system (None: periodic tasks, a withdrawal)."""
    return actor is None or is_reviewing_staff(actor)


def require_decider(actor, message: str) -> None:
    if not may_decide(actor):
        raise PermissionDenied(message)


def require_admin(actor, *, allow_system: bool = False) -> None:
    if actor is None and allow_system:
        return
    require_bureau_admin(actor, _("仅主管部门管理员或系统管理员可以进行此操作。"))


def user_or_none(actor):
    """The acting user for a ledger row (None for the system)."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def award_json(a: Award) -> dict[str, Any]:
    return {
        "id": a.pk,
        "application": a.application_id,
        "line": a.line,
        "enterprise": a.enterprise_id,
        "pool": a.pool_id,
        "amount": str(a.amount),
        "disbursed": str(a.disbursed),
        "status": a.status,
    }


def pool_json(p: BudgetPool) -> dict[str, Any]:
    return {
        "amount": str(p.amount),
        "reserved": str(p.reserved),
        "committed": str(p.committed),
        "disbursed": str(p.disbursed),
    }


def lock_award(award: Award) -> Award:
    return Award.objects.select_for_update(of=("self",)).select_related("programme").get(pk=award.pk)


def lock_pool(pool_id: int) -> BudgetPool:
    return BudgetPool.objects.select_for_update().get(pk=pool_id)
