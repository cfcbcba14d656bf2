"""Reads of the budget for administrators: the overview per policy, programme and year (aggregated
in SQL, a constant number of queries however many applications there are), a pool's awards and
ledger, and the ledger's sums that the pool's figures must equal."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from portal.permissions import district_q

from .application_terms import application_terms
from .models import Award, BudgetPool, LedgerEntry, Programme

ZERO = Decimal("0.00")
log = logging.getLogger("vouchers.budget")


def state_group_labels() -> list[str]:
    """The overview's columns of application states (applications gives them: vouchers.application_terms)."""
    return [str(label) for _, label, _ in application_terms().budget_groups]


def budget_admin_required(actor) -> None:
    """Budget pages and API are for bureau administrators and system administrators only."""
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or not actor.is_active
        or not actor.is_bureau_admin
    ):
        raise PermissionDenied(gettext("仅主管部门管理员或系统管理员可以查看预算。"))


@dataclass
class BudgetRow:
    policy_code: str
    policy_title: str
    programme_id: int
    programme_code: str
    programme_name: str
    fiscal_year: int
    pool_id: int | None = None
    amount: Decimal = ZERO
    reserved: Decimal = ZERO
    committed: Decimal = ZERO
    disbursed: Decimal = ZERO
    states: dict[str, int] = field(default_factory=dict)

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.reserved - self.committed

    @property
    def applications(self) -> int:
        return sum(self.states.values())

    def group_counts(self) -> list[int]:
        return [sum(self.states.get(s, 0) for s in states) for _, _, states in application_terms().budget_groups]

    @property
    def groups(self) -> list[int]:
        if not hasattr(self, "_groups"):
            self._groups = self.group_counts()
        return self._groups


@dataclass
class BudgetTotal:
    label: str
    amount: Decimal = ZERO
    reserved: Decimal = ZERO
    committed: Decimal = ZERO
    disbursed: Decimal = ZERO
    applications: int = 0
    groups: list[int] = field(default_factory=lambda: [0] * len(application_terms().budget_groups))

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.reserved - self.committed

    def add(self, row: BudgetRow) -> None:
        self.amount += row.amount
        self.reserved += row.reserved
        self.committed += row.committed
        self.disbursed += row.disbursed
        self.applications += row.applications
        self.groups = [a + b for a, b in zip(self.groups, row.groups, strict=True)]


@dataclass
class PolicyBlock:
    code: str
    title: str
    total: BudgetTotal
    rows: list[BudgetRow]


@dataclass
class BudgetOverview:
    rows: list[BudgetRow]
    policies: list[PolicyBlock]  # the rows by policy, each with its subtotal
    total: BudgetTotal
    years: list[int]
    year: int | None
    policy: str
    all_policies: list[tuple[str, str]]  # (code, title) for the filter


def _application_counts() -> list[tuple[int, int, str, int]]:
    """_application_counts_now, shared for settings.PORTAL_LIST_COUNT_SECONDS by every administrator's
    overview, as the lists share their "共 N 件" (portal.pagination): the counts of applications by state
    may lag that long, the money figures of the pools never do (read on every request)."""
    seconds = settings.PORTAL_LIST_COUNT_SECONDS
    if not seconds:
        return _application_counts_now()
    key = f"budget-application-counts:{timezone.localdate().year}"
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is an optimisation; Redis down must not break the page
        log.warning("budget counts cache unavailable", exc_info=True)
        cached = None
    if cached is not None:
        return cached
    value = _application_counts_now()
    with contextlib.suppress(Exception):
        cache.set(key, value, seconds)
    return value


def _application_counts_now() -> list[tuple[int, int, str, int]]:
    """(programme, year, state, count) over all applications, in two queries: the span of years,
    then one pass grouped by programme and state with a filtered count per year — a hash aggregate
    over a few hundred groups rather than a sort of every row by a computed year. An application
    counts in the year it was submitted (created, for drafts). Both read only the index
    application_budget_counts (programme, state and the two dates), not the applications' rows."""
    applications = _applications()
    span = applications.aggregate(
        first=Min("created_at"), last=Max("created_at"), first_s=Min("submitted_at"), last_s=Max("submitted_at")
    )
    tz = timezone.get_current_timezone()
    this_year = timezone.localdate().year
    years = {timezone.localtime(v, tz).year for v in span.values() if v is not None} | {this_year}
    first, last = min(years), max(years)
    bounds = {y: (dt.datetime(y, 1, 1, tzinfo=tz), dt.datetime(y + 1, 1, 1, tzinfo=tz)) for y in range(first, last + 1)}
    # counted by the (required) programme column: every column the query reads is in the index
    # application_budget_counts, so PostgreSQL reads the index alone
    per_year = {f"y{y}": Count("programme", filter=Q(at__gte=lo, at__lt=hi)) for y, (lo, hi) in bounds.items()}
    rows = (
        applications.annotate(at=Coalesce("submitted_at", "created_at"))
        .values("programme_id", "state")
        .annotate(**per_year)
    )
    return [(r["programme_id"], y, r["state"], r[f"y{y}"]) for r in rows for y in bounds if r[f"y{y}"]]


def _applications() -> QuerySet:
    """All applications, through the relation applications declares on Programme (its one reference to
    vouchers; vouchers names no model of applications itself)."""
    return Programme._meta.get_field("applications").related_model._default_manager.order_by()


def budget_overview(*, actor, year: int | None = None, policy: str = "") -> BudgetOverview:
    """Budget, reserved, committed, disbursed and remaining, and the number of applications by state,
    per policy, programme and fiscal year, of the actor's district's policies. Four queries, whatever
    the number of applications."""
    budget_admin_required(actor)
    programmes = {
        p.pk: p
        for p in Programme.objects.filter(district_q(actor, "policy__district"))
        .select_related("policy")
        .order_by("policy__code", "sort_order", "code")
    }
    rows: dict[tuple[int, int], BudgetRow] = {}

    def row(programme_id: int, fiscal_year: int) -> BudgetRow:
        key = (programme_id, fiscal_year)
        if key not in rows:
            p = programmes[programme_id]
            rows[key] = BudgetRow(
                policy_code=p.policy.code,
                policy_title=p.policy.title,
                programme_id=p.pk,
                programme_code=p.code,
                programme_name=p.display_name,
                fiscal_year=fiscal_year,
            )
        return rows[key]

    for pool in BudgetPool.objects.filter(programme_id__in=list(programmes)).values(
        "pk", "programme_id", "fiscal_year", "amount", "reserved", "committed", "disbursed"
    ):
        r = row(pool["programme_id"], pool["fiscal_year"])
        r.pool_id, r.amount, r.reserved = pool["pk"], pool["amount"], pool["reserved"]
        r.committed, r.disbursed = pool["committed"], pool["disbursed"]
    for programme_id, y, state, n in _application_counts():
        if programme_id in programmes:  # another district's programme: not the actor's to see
            row(programme_id, y).states[state] = n

    years = sorted({y for _, y in rows}, reverse=True)
    order = {pk: i for i, pk in enumerate(programmes)}
    shown = [
        r for r in rows.values() if (year is None or r.fiscal_year == year) and (not policy or r.policy_code == policy)
    ]
    shown.sort(key=lambda r: (r.policy_code, -r.fiscal_year, order[r.programme_id]))
    blocks: dict[str, PolicyBlock] = {}
    total = BudgetTotal(label=gettext("合计"))
    for r in shown:
        block = blocks.setdefault(
            r.policy_code,
            PolicyBlock(code=r.policy_code, title=r.policy_title, total=BudgetTotal(label=r.policy_code), rows=[]),
        )
        block.rows.append(r)
        block.total.add(r)
        total.add(r)
    return BudgetOverview(
        rows=shown,
        policies=list(blocks.values()),
        total=total,
        years=years,
        year=year,
        policy=policy,
        all_policies=list({p.policy.code: p.policy.title for p in programmes.values()}.items()),
    )


def pool_get_for_actor(*, actor, pk: int) -> BudgetPool:
    """One pool of the actor's district (404 for another district's, as for one that does not exist)."""
    try:
        return pools_for_actor(actor=actor).get(pk=pk)
    except (BudgetPool.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("no such pool") from None


def pools_for_actor(*, actor) -> QuerySet[BudgetPool]:
    """The pools of the actor's district's programmes (every district's for the system administrator)."""
    budget_admin_required(actor)
    return (
        BudgetPool.objects.filter(district_q(actor, "programme__policy__district"))
        .select_related("programme__policy")
        .order_by("programme__policy__code", "programme__code", "fiscal_year")
    )


def programmes_for_budget(*, actor) -> QuerySet[Programme]:
    """The programmes whose pools the actor may set: those of the actor's district's policies."""
    budget_admin_required(actor)
    return (
        Programme.objects.filter(district_q(actor, "policy__district"))
        .select_related("policy")
        .order_by("policy__code", "sort_order", "code")
    )


def pool_awards(*, actor, pool: BudgetPool) -> QuerySet[Award]:
    budget_admin_required(actor)
    return Award.objects.filter(pool=pool).select_related("application", "enterprise").order_by("-decided_on", "-pk")


def pool_ledger(*, actor, pool: BudgetPool) -> QuerySet[LedgerEntry]:
    budget_admin_required(actor)
    return (
        LedgerEntry.objects.filter(pool=pool)
        .select_related("award__application", "actor")
        .order_by("-created_at", "-pk")
    )


def pool_state_counts(*, actor, pool: BudgetPool) -> list[tuple[str, str, int]]:
    """Applications of the pool's programme in its year, by state (every state, in workflow order)."""
    budget_admin_required(actor)
    tz = timezone.get_current_timezone()
    lo, hi = dt.datetime(pool.fiscal_year, 1, 1, tzinfo=tz), dt.datetime(pool.fiscal_year + 1, 1, 1, tzinfo=tz)
    counts = dict(
        pool.programme.applications.order_by()
        .annotate(at=Coalesce("submitted_at", "created_at"))
        .filter(at__gte=lo, at__lt=hi)
        .values_list("state")
        .annotate(n=Count("id"))
    )
    return [(value, str(label), counts.get(value, 0)) for value, label in application_terms().states]


def pool_batch_requests(*, actor, pool: BudgetPool) -> list[dict[str, Any]]:
    """The batch awaiting the bureau's decision (实质审核中) for the pool's programme, with the amounts
    its estimates ask for: what the oversubscription remedies are computed on."""
    budget_admin_required(actor)
    qs = (
        pool.programme.applications.filter(state=application_terms().awaiting_decision, estimate_amount__gt=0)
        .order_by("submitted_at", "pk")
        .values("pk", "reference", "title", "enterprise__name", "estimate_amount")
    )
    return [
        {
            "application_id": a["pk"],
            "amount": a["estimate_amount"],
            "score": None,
            "reference": a["reference"],
            "title": a["title"],
            "enterprise": a["enterprise__name"],
        }
        for a in qs
    ]  # the whole batch: remedies need it


def ledger_sums() -> dict[int, dict[str, Decimal]]:
    """What each pool's reserved, committed and disbursed figures must be, from its ledger (one query)."""
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: {"reserved": ZERO, "committed": ZERO, "disbursed": ZERO})
    sign = {
        ("reserve", ""): ("reserved", 1),
        ("commit", ""): ("committed", 1),
        ("release", "reserved"): ("reserved", -1),
        ("release", "committed"): ("committed", -1),
        ("disburse", ""): ("disbursed", 1),
        ("clawback", ""): ("disbursed", -1),
    }
    for pool_id, kind, released_from, total in (
        LedgerEntry.objects.order_by().values_list("pool_id", "kind", "released_from").annotate(total=Sum("amount"))
    ):
        if kind == "commit":  # a commit moves the amount from reserved to committed
            sums[pool_id]["reserved"] -= total
        figure, s = sign[(kind, released_from)]
        sums[pool_id][figure] += s * total
    return sums


def award_ledger_sums() -> dict[int, Decimal]:
    """What each award's disbursed figure must be, from the ledger (one query)."""
    out: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for award_id, kind, total in (
        LedgerEntry.objects.order_by()
        .filter(award__isnull=False)
        .filter(Q(kind="disburse") | Q(kind="clawback"))
        .values_list("award_id", "kind")
        .annotate(total=Sum("amount"))
    ):
        out[award_id] += total if kind == "disburse" else -total
    return out
