"""Reads of vouchers, providers and redemptions, scoped to the actor: an enterprise sees its own
vouchers; a provider sees its own redemptions; bureau staff see those of their district's programmes
(the system administrator every district's); others nothing (404)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from portal.models import Role
from portal.permissions import district_q

from .models import ComputeProvider, Redemption, Voucher

BUREAU = (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN)


def _active(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.is_active)


def _enterprise_id(actor) -> int | None:
    membership = getattr(actor, "membership", None)
    return membership.enterprise_id if membership is not None and actor.role == Role.ENTERPRISE else None


def _provider_id(actor) -> int | None:
    membership = getattr(actor, "provider_membership", None)
    return membership.provider_id if membership is not None and actor.role == Role.PROVIDER else None


def vouchers_for_actor(*, actor) -> QuerySet[Voucher]:
    qs = Voucher.objects.select_related("enterprise", "programme", "award")
    if not _active(actor):
        return qs.none()
    if actor.role in BUREAU:
        return qs.filter(district_q(actor, "programme__policy__district"))
    enterprise_id = _enterprise_id(actor)
    return qs.filter(enterprise_id=enterprise_id) if enterprise_id else qs.none()


def voucher_get_for_actor(*, actor, pk: int) -> Voucher:
    try:
        return vouchers_for_actor(actor=actor).get(pk=pk)
    except (Voucher.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def redemptions_for_actor(*, actor) -> QuerySet[Redemption]:
    qs = Redemption.objects.select_related("voucher", "voucher__enterprise", "provider")
    if not _active(actor):
        return qs.none()
    if actor.role in BUREAU:
        return qs.filter(district_q(actor, "voucher__programme__policy__district"))
    if (provider_id := _provider_id(actor)) is not None:
        return qs.filter(provider_id=provider_id)
    if (enterprise_id := _enterprise_id(actor)) is not None:
        return qs.filter(voucher__enterprise_id=enterprise_id)
    return qs.none()


def redemption_get_for_actor(*, actor, pk: int) -> Redemption:
    try:
        return redemptions_for_actor(actor=actor).get(pk=pk)
    except (Redemption.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def provider_of(actor) -> ComputeProvider | None:
    membership = getattr(actor, "provider_membership", None) if _active(actor) else None
    return membership.provider if membership is not None and actor.role == Role.PROVIDER else None


def providers_for_admin(*, actor) -> QuerySet[ComputeProvider]:
    if not (_active(actor) and actor.is_bureau_admin):
        return ComputeProvider.objects.none()
    return ComputeProvider.objects.prefetch_related("members__user", "relations__enterprise")


def provider_get_for_admin(*, actor, pk: int) -> ComputeProvider:
    try:
        return providers_for_admin(actor=actor).get(pk=pk)
    except (ComputeProvider.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# ----------------------------------------------------------------- settlement


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the quarter as aware datetimes in the portal's time zone."""
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, 3 * quarter - 2, 1, tzinfo=tz)
    end = dt.datetime(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1, tzinfo=tz)
    return start, end


@dataclass
class SettlementRow:
    provider: ComputeProvider
    confirmed_count: int = 0
    confirmed_amount: Decimal = Decimal("0.00")
    pending_count: int = 0
    pending_amount: Decimal = Decimal("0.00")
    redemptions: list[Redemption] = field(default_factory=list)


def settlement_for_quarter(*, actor, year: int, quarter: int) -> list[SettlementRow]:
    """结算 per provider: redemptions of the actor's district's vouchers confirmed by the enterprise in
    the quarter (payable), and those made in the quarter still awaiting confirmation. Disputed
    redemptions are not settled."""
    start, end = quarter_bounds(year, quarter)
    rows: dict[int, SettlementRow] = {}
    if not (_active(actor) and actor.is_bureau_admin):
        return []
    scope = district_q(actor, "voucher__programme__policy__district")
    confirmed = Redemption.objects.filter(
        scope, status=Redemption.Status.CONFIRMED, responded_at__gte=start, responded_at__lt=end
    )
    pending = Redemption.objects.filter(
        scope, status=Redemption.Status.PENDING, created_at__gte=start, created_at__lt=end
    )
    by_provider: dict[int, list[Redemption]] = defaultdict(list)
    for r in confirmed.select_related("provider", "voucher", "voucher__enterprise").order_by("responded_at", "pk"):
        row = rows.setdefault(r.provider_id, SettlementRow(provider=r.provider))
        row.confirmed_count += 1
        row.confirmed_amount += r.amount
        by_provider[r.provider_id].append(r)
    for r in pending.select_related("provider"):
        row = rows.setdefault(r.provider_id, SettlementRow(provider=r.provider))
        row.pending_count += 1
        row.pending_amount += r.amount
    for pid, row in rows.items():
        row.redemptions = by_provider.get(pid, [])
    return sorted(rows.values(), key=lambda r: (r.provider.name, r.provider.pk))
