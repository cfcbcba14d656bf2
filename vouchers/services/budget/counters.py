"""额度计数 the bounds an award draws on besides its pool: the programme's total over the policy
period, its quotas of awardees and projects, and an enterprise's per-year and per-period totals (per
award line where the clause caps lines). Each is a BudgetCounter row, found by its natural key,
drawn on by a conditional update (statements.counter_draw; the CheckConstraint counter_within_limit is
the backstop), and locked in the one order of KIND_RANK, before the pool, so that two reservations
never wait on each other in a circle.

A counter's `used` is always what the awards holding budget add up to (counter_actual recomputes it;
manage.py budget_check compares)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import Award, BudgetCounter, Programme
from . import statements
from .common import HOLDING, MONEY_FIELD, ZERO, fmt_yuan, line_label

Kind = BudgetCounter.Kind

# Quota parameters: what each counts, and whether per fiscal year (else over the policy period).
QUOTAS: dict[str, tuple[Kind, bool]] = {
    "awardee_quota_period": (Kind.AWARDEES, False),  # distinct enterprises
    "project_quota_period": (Kind.PROJECTS, False),  # distinct applications
    "project_quota_year": (Kind.PROJECTS, True),
}
COUNT_KINDS = (Kind.AWARDEES, Kind.PROJECTS)
# Every path that locks counters locks them in this one order, and before the pool (deadlock freedom):
# an enterprise's own counters first, the programme-wide ones that every reservation of the programme
# draws on last, so that those are held for as short a time as possible.
KIND_RANK = {
    Kind.ENTERPRISE_YEAR: 0,
    Kind.ENTERPRISE_PERIOD: 1,
    Kind.PROJECTS: 2,
    Kind.AWARDEES: 3,
    Kind.PROGRAMME_TOTAL: 4,
}


@dataclass(frozen=True)
class CounterKey:
    """A counter's natural key within its programme (fiscal_year 0 = the whole policy period)."""

    kind: Kind
    enterprise_id: int | None
    fiscal_year: int
    line: str

    def lock_order(self) -> tuple[int, int, int, str]:
        return (KIND_RANK[self.kind], self.enterprise_id or 0, self.fiscal_year, self.line)


@dataclass
class Draw:
    """What one reservation draws on one counter: an amount, or (quotas) the units it adds."""

    key: CounterKey
    limit: Decimal
    param: str
    amount: Decimal = ZERO


def bounds(
    params: dict[str, Decimal], year: int, lines: list[tuple[str, int, Decimal]], basis_year: int
) -> dict[CounterKey, Draw]:
    """The counters a reservation of these (line, enterprise_id, amount) draws on, by the parameters
    in force. Per-enterprise yearly caps count by the year of the basis date (测算基准日), the quotas
    by the fiscal year of the decision. Quota draws carry no amount: whether a unit is new depends on
    the awards already held (counters_draw counts them under the lock)."""
    draws: dict[CounterKey, Draw] = {}

    def add(key: CounterKey, param: str, amount: Decimal) -> None:
        draws.setdefault(key, Draw(key=key, limit=params[param], param=param)).amount += amount

    if "programme_total_period" in params:
        add(
            CounterKey(Kind.PROGRAMME_TOTAL, None, 0, ""),
            "programme_total_period",
            sum((amt for _, _, amt in lines), ZERO),
        )
    for line, ent, amt in lines:
        if "cap_per_enterprise_year" in params:
            add(CounterKey(Kind.ENTERPRISE_YEAR, ent, basis_year, ""), "cap_per_enterprise_year", amt)
        if "cap_per_enterprise_period" in params:
            add(CounterKey(Kind.ENTERPRISE_PERIOD, ent, 0, ""), "cap_per_enterprise_period", amt)
        if line and f"cap_{line}_year" in params:
            add(CounterKey(Kind.ENTERPRISE_YEAR, ent, basis_year, line), f"cap_{line}_year", amt)
        if line and f"cap_{line}_period" in params:
            add(CounterKey(Kind.ENTERPRISE_PERIOD, ent, 0, line), f"cap_{line}_period", amt)
    for param, (kind, yearly) in QUOTAS.items():
        if param in params:
            add(CounterKey(kind, None, year if yearly else 0, ""), param, ZERO)
    return draws


def _holding(programme_id: int) -> QuerySet[Award]:
    """The programme's awards that hold budget: reserved and committed ones, and released ones for
    what was paid out on them."""
    return (
        Award.objects.order_by()
        .filter(programme_id=programme_id)
        .filter(Q(status__in=HOLDING) | Q(status=Award.Status.RELEASED, disbursed__gt=0))
    )


def counter_total(programme_id: int, key: CounterKey) -> QuerySet:
    """A one-row queryset of what a counter should hold: an amount, or a count of distinct awardees
    or projects."""
    qs = _holding(programme_id)
    if key.fiscal_year and key.kind == Kind.ENTERPRISE_YEAR:  # the year of the basis date
        qs = qs.annotate(basis_year=ExtractYear(Coalesce("basis_date", "decided_on"))).filter(
            basis_year=key.fiscal_year
        )
    elif key.fiscal_year:
        qs = qs.filter(fiscal_year=key.fiscal_year)
    if key.kind in COUNT_KINDS:
        unit = "enterprise_id" if key.kind == Kind.AWARDEES else "application_id"
        return qs.values("programme_id").annotate(total=Count(unit, distinct=True)).values("total")
    if key.enterprise_id:
        qs = qs.filter(enterprise_id=key.enterprise_id)
    if key.line:
        qs = qs.filter(line=key.line)
    held = Case(When(status__in=HOLDING, then=F("amount")), default=F("disbursed"))
    return qs.values("programme_id").annotate(total=Sum(held)).values("total")


def counter_actual(counter: BudgetCounter) -> Decimal:
    """What a counter should hold, recomputed from the awards (budget_check compares)."""
    key = CounterKey(Kind(counter.kind), counter.enterprise_id, counter.fiscal_year, counter.line)
    rows = list(counter_total(counter.programme_id, key))
    return Decimal(rows[0]["total"]) if rows else ZERO


def counters_ensure(
    programme_id: int,
    keys: Iterable[CounterKey],
    found: Iterable[statements.CounterRow],
    held: set[int],
    now: dt.datetime,
) -> dict[CounterKey, int]:
    """The ids of the counters for these keys — `found` are the programme's counters that are
    programme-wide or of the keys' enterprises, `held` those enterprises with awards holding budget
    (statements.rows_to_draw) — creating the missing ones, each started from the awards that already
    hold budget (a bound may come into force after awards exist; an enterprise's own counter starts
    from zero when none of its awards does: statements.counter_create). A counter created meanwhile by
    a concurrent reservation is taken as it is (the unique constraints refuse a second). No lock is
    taken here: counters_draw locks them, in the one order."""
    keys = list(keys)
    if not keys:
        return {}
    ids = {CounterKey(Kind(kind), ent, year, line): pk for pk, kind, ent, year, line in found}
    for k in keys:
        if k not in ids and k.enterprise_id and k.enterprise_id not in held:
            pk = statements.counter_create(programme_id, k.kind, k.enterprise_id, k.fiscal_year, k.line, now)
            if pk is not None:  # else created meanwhile: read again below
                ids[k] = pk
    missing = [k for k in keys if k not in ids]
    while missing:
        try:
            with transaction.atomic():
                made = BudgetCounter.objects.bulk_create(
                    [
                        BudgetCounter(
                            programme_id=programme_id,
                            kind=k.kind,
                            enterprise_id=k.enterprise_id,
                            fiscal_year=k.fiscal_year,
                            line=k.line,
                            used=ZERO
                            if k.enterprise_id and k.enterprise_id not in held
                            else _starting_total(programme_id, k),
                        )
                        for k in missing
                    ]
                )
        except IntegrityError:  # one was created meanwhile by a concurrent reservation: read again
            enterprises = {k.enterprise_id for k in keys if k.enterprise_id}
            again = (
                BudgetCounter.objects.filter(programme_id=programme_id)
                .filter(Q(enterprise_id__in=enterprises) | Q(enterprise_id=None))
                .values_list("pk", "kind", "enterprise_id", "fiscal_year", "line")
            )
            ids = {CounterKey(Kind(kind), ent, year, line): pk for pk, kind, ent, year, line in again}
            still = [k for k in keys if k not in ids]
            if len(still) == len(missing):  # not a concurrent creation
                raise
            missing = still
        else:
            ids.update({k: c.pk for k, c in zip(missing, made, strict=True)})
            missing = []
    return {k: ids[k] for k in keys}


def _starting_total(programme_id: int, key: CounterKey) -> Coalesce:
    return Coalesce(Subquery(counter_total(programme_id, key)), Value(ZERO), output_field=MONEY_FIELD)


def counters_draw(
    *,
    programme: Programme,
    draws: dict[CounterKey, Draw],
    ids: dict[CounterKey, int],
    application_id: int,
    enterprise_ids: set[int],
    now,
) -> None:
    """Draw on each counter in the lock order, each by one conditional update; refuse (the caller's
    savepoint then undoes every draw) naming the first bound that does not fit. A quota counter is
    locked first, then the awards that already hold its units are counted."""
    for key in sorted(draws, key=CounterKey.lock_order):
        draw = draws[key]
        if key.kind not in COUNT_KINDS:
            if not statements.counter_draw(ids[key], draw.amount, draw.limit, now):
                raise _refuse_amount(programme, draw, ids[key])
            continue
        rows = BudgetCounter.objects.filter(pk=ids[key])
        counter = rows.select_for_update().get()
        holding = Award.objects.filter(programme=programme, status__in=HOLDING).exclude(application_id=application_id)
        if key.fiscal_year:
            holding = holding.filter(fiscal_year=key.fiscal_year)
        if key.kind == Kind.AWARDEES:
            held = set(holding.filter(enterprise_id__in=enterprise_ids).values_list("enterprise_id", flat=True))
            units = Decimal(len(enterprise_ids - held))
        else:
            units = Decimal(1)
        if not units:
            continue
        if counter.used + units > draw.limit:
            raise _refuse_quota(programme, key, draw.limit, counter.used)
        rows.update(used=F("used") + units, limit=draw.limit, updated_at=now)


def counters_free(award: Award, amount: Decimal, *, unit_gone: bool) -> None:
    """Give back `amount` to the award's amount counters and, when nothing of the award is held any
    more (`unit_gone`), its quota units that no other award holds. Locks in the one order."""
    found = BudgetCounter.objects.filter(programme_id=award.programme_id).filter(
        Q(kind=Kind.PROGRAMME_TOTAL)
        | Q(
            kind=Kind.ENTERPRISE_YEAR,
            enterprise_id=award.enterprise_id,
            fiscal_year=(award.basis_date or award.decided_on).year,
            line__in=["", award.line],
        )
        | Q(kind=Kind.ENTERPRISE_PERIOD, enterprise_id=award.enterprise_id, line__in=["", award.line])
        | (Q(kind__in=COUNT_KINDS) & Q(fiscal_year__in=[0, award.fiscal_year]))
    )
    keyed = sorted(
        (
            (CounterKey(Kind(k), e, y, ln), pk)
            for pk, k, e, y, ln in found.values_list("pk", "kind", "enterprise_id", "fiscal_year", "line")
        ),
        key=lambda kp: kp[0].lock_order(),
    )
    others = _holding(award.programme_id).exclude(pk=award.pk)
    now = timezone.now()
    for key, pk in keyed:
        counter = BudgetCounter.objects.select_for_update().get(pk=pk)
        if key.kind not in COUNT_KINDS:
            taken = min(amount, counter.used)
        elif not unit_gone or counter.used < 1:
            continue
        else:
            held = others.filter(fiscal_year=key.fiscal_year) if key.fiscal_year else others
            unit = (
                {"enterprise_id": award.enterprise_id}
                if key.kind == Kind.AWARDEES
                else {"application_id": award.application_id}
            )
            if held.filter(**unit).exists():
                continue
            taken = Decimal(1)
        BudgetCounter.objects.filter(pk=pk).update(used=F("used") - taken, updated_at=now)


# --- naming a refusal -----------------------------------------------------------------------------


def counter_label(programme: Programme, key: CounterKey, enterprise_name: str = "") -> str:
    """The bound a counter stands for, as the refusal names it."""
    args: dict[str, Any] = {
        "programme": programme.name_zh,
        "year": key.fiscal_year,
        "enterprise": enterprise_name,
        "line": line_label(key.line),
    }
    match key.kind:
        case Kind.PROGRAMME_TOTAL:
            return _("“%(programme)s”政策有效期内总额度") % args
        case Kind.AWARDEES:
            return _("“%(programme)s”政策有效期内支持主体名额") % args
        case Kind.PROJECTS if key.fiscal_year:
            return _("“%(programme)s”%(year)s年度支持项目名额") % args
        case Kind.PROJECTS:
            return _("“%(programme)s”政策有效期内支持项目名额") % args
        case Kind.ENTERPRISE_YEAR:
            return _("%(enterprise)s在“%(programme)s”%(line)s%(year)s年度奖励上限") % args
        case _:
            return _("%(enterprise)s在“%(programme)s”%(line)s政策有效期内奖励上限") % args


def _refuse_amount(programme: Programme, draw: Draw, pk: int) -> ValidationError:
    # the enterprise's name through the counter's own foreign key (vouchers takes no other app's model)
    counter = BudgetCounter.objects.select_related("enterprise").get(pk=pk)
    name = counter.enterprise.name if counter.enterprise is not None else ""
    return ValidationError(
        _("%(bound)s不足：上限 %(limit)s，已占用 %(used)s，剩余 %(left)s，本次需 %(need)s。")
        % {
            "bound": counter_label(programme, draw.key, name),
            "limit": fmt_yuan(draw.limit),
            "used": fmt_yuan(counter.used),
            "left": fmt_yuan(max(draw.limit - counter.used, ZERO)),
            "need": fmt_yuan(draw.amount),
        }
    )


def _refuse_quota(programme: Programme, key: CounterKey, limit: Decimal, used: Decimal) -> ValidationError:
    figures = {
        "bound": counter_label(programme, key),
        "limit": f"{limit:.0f}",
        "used": f"{used:.0f}",
        "left": f"{max(limit - used, ZERO):.0f}",
    }
    if key.kind == Kind.AWARDEES:
        return ValidationError(_("%(bound)s已满：上限 %(limit)s 家，已支持 %(used)s 家，剩余 %(left)s 家。") % figures)
    return ValidationError(_("%(bound)s已满：上限 %(limit)s 个，已支持 %(used)s 个，剩余 %(left)s 个。") % figures)
