"""政策成效 the results of the routes to an award (issue 18): per district and programme and fiscal year,
the awards by route (免申即享 / 快申快享 / 依申请), the time from submission (免申: the publication, which
is its system submission) to the first and to the full payment, and the share of the enterprises that
matching finds likely eligible which the programme has reached, beside the programme's budget pool
(the results feed the budget).

Definitions (the page and the API say them too):
- an award is a committed award line (核定生效); its route is its application's;
- first payment: the earliest 拨付 (ledger disbursement) on the application's committed awards of the
  year; full payment: the date of the last disbursement, once what was paid equals what was awarded;
- days are calendar days, working days those of portal.workdays, both counted from the local date of
  the submission; the median of an even count is the mean of the middle two, p90 is the nearest rank
  (the ⌈0.9·n⌉-th smallest);
- eligible: the enterprises whose stored match (the latest matching) says likely eligible for the
  programme; reached: those of them with a submitted application in the year or listed in a 免申 batch
  published in the year.

A constant number of queries, whatever the number of applications: the sums are SQL aggregates, the
durations come from one aggregated row per application and one calendar load."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from applications.workflow import Route
from portal.models import Jurisdiction
from portal.permissions import district_q, may_view_results
from portal.workdays import WorkCalendar
from vouchers.models import Award, BudgetPool, LedgerEntry, Programme

from .models import AutoAwardCandidate, MatchSet, MatchStatus

ZERO = Decimal("0.00")
ROUTES = (Route.AUTO, Route.QUICK, Route.APPLIED)  # the order of the page's rows and the API's keys


@dataclass(frozen=True)
class ResultFilters:
    policy: str = ""  # a policy's code
    programme: str = ""  # a programme's code
    year: int | None = None  # the fiscal year of the awards and pools, the year of reaching


@dataclass(frozen=True)
class Durations:
    """Days from submission to a payment over the applications that have had it."""

    count: int = 0
    median_days: Decimal | None = None
    p90_days: int | None = None
    median_workdays: Decimal | None = None
    p90_workdays: int | None = None


@dataclass
class RouteFigures:
    route: str
    label: str
    awards: int = 0
    amount: Decimal = ZERO
    paid: Decimal = ZERO
    first_payment: Durations = field(default_factory=Durations)
    full_payment: Durations = field(default_factory=Durations)


@dataclass
class ResultRow:
    district: str
    district_label: str
    policy_code: str
    policy_title: str
    programme_id: int
    programme_code: str
    programme_name: str
    fiscal_year: int
    routes: list[RouteFigures]
    total: RouteFigures
    eligible: int | None = None  # None: no matching result names the programme
    reached: int = 0
    pool_amount: Decimal | None = None  # None: no pool for the programme and year
    pool_committed: Decimal = ZERO
    pool_disbursed: Decimal = ZERO
    pool_remaining: Decimal = ZERO

    @property
    def reach_share(self) -> Decimal | None:
        """Reached of eligible, in per cent with one place."""
        if not self.eligible:
            return None
        return (Decimal(100 * self.reached) / self.eligible).quantize(Decimal("0.1"))

    @property
    def pool_use(self) -> Decimal | None:
        """The awards of the year as a share of the pool's budget, in per cent with one place."""
        if not self.pool_amount:
            return None
        return (Decimal(100) * self.total.amount / self.pool_amount).quantize(Decimal("0.1"))


def median(values: list[int]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[mid])
    return Decimal(ordered[mid - 1] + ordered[mid]) / 2


def p90(values: list[int]) -> int | None:
    """The nearest-rank 90th percentile: the ⌈0.9·n⌉-th smallest."""
    if not values:
        return None
    return sorted(values)[math.ceil(len(values) * 9 / 10) - 1]


def durations(pairs: list[tuple[int, int]]) -> Durations:
    """(days, working days) of each application → their median and p90."""
    days = [d for d, _w in pairs]
    work = [w for _d, w in pairs]
    return Durations(len(pairs), median(days), p90(days), median(work), p90(work))


class WorkdayCounter:
    """Working days between two dates of a span, read as a difference of running counts: the span's
    calendar is loaded once and each day decided once, however many applications there are."""

    def __init__(self, start: dt.date, end: dt.date):
        self.start = start
        calendar = WorkCalendar(start, end)
        running, n = [0], 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            n += calendar.is_workday(day)
            running.append(n)
        self.running = running

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end], as portal.workdays counts them."""
        return self.running[(end - self.start).days] - self.running[(start - self.start).days]


def results_require(actor) -> None:
    if not may_view_results(actor):
        raise PermissionDenied(_("仅主管部门管理员或系统管理员可以查看政策成效。"))


def result_programmes(*, actor, filters: ResultFilters) -> list[Programme]:
    """The programmes of the actor's districts that the filters keep, in catalogue order."""
    qs = Programme.objects.filter(district_q(actor, "policy__district")).select_related("policy")
    if filters.policy:
        qs = qs.filter(policy__code=filters.policy)
    if filters.programme:
        qs = qs.filter(code=filters.programme)
    return list(qs.order_by("policy__district", "policy__code", "sort_order", "code"))


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _year_filter(filters: ResultFilters, lookup: str) -> Q:
    return Q(**{lookup: filters.year}) if filters.year is not None else Q()


def _award_sums(ids: list[int], filters: ResultFilters) -> dict[tuple[int, int, str], Any]:
    """(programme, year, route) → number, amount and paid of the committed awards: one SQL aggregate."""
    rows = (
        Award.objects.filter(programme_id__in=ids, status=Award.Status.COMMITTED)
        .filter(_year_filter(filters, "fiscal_year"))
        .values("programme_id", "fiscal_year", "application__route")
        .annotate(n=Count("id"), amount=Sum("amount"), paid=Sum("disbursed"))
        .order_by()
    )
    return {(r["programme_id"], r["fiscal_year"], r["application__route"]): r for r in rows}


def _payment_times(ids: list[int], filters: ResultFilters) -> dict[tuple[int, int, str], list[tuple]]:
    """(programme, year, route) → (submitted, first paid, fully paid or None) of each application with a
    payment: one aggregate of the awards per application, one of their disbursements."""
    awarded = (
        Award.objects.filter(programme_id__in=ids, status=Award.Status.COMMITTED)
        .filter(_year_filter(filters, "fiscal_year"))
        .values("application_id", "programme_id", "fiscal_year", "application__route", "application__submitted_at")
        .annotate(amount=Sum("amount"), paid=Sum("disbursed"))
        .order_by()
    )
    paid_on = {
        (r["award__application_id"], r["award__fiscal_year"]): (r["first"], r["last"])
        for r in LedgerEntry.objects.filter(
            kind=LedgerEntry.Kind.DISBURSE,
            award__programme_id__in=ids,
            award__status=Award.Status.COMMITTED,
        )
        .filter(_year_filter(filters, "award__fiscal_year"))
        .values("award__application_id", "award__fiscal_year")
        .annotate(first=Min("paid_on"), last=Max("paid_on"))
        .order_by()
    }
    out: dict[tuple[int, int, str], list[tuple]] = defaultdict(list)
    for r in awarded:
        dates = paid_on.get((r["application_id"], r["fiscal_year"]))
        submitted = r["application__submitted_at"]
        if dates is None or submitted is None or dates[0] is None:
            continue
        full = dates[1] if r["paid"] >= r["amount"] else None
        key = (r["programme_id"], r["fiscal_year"], r["application__route"])
        out[key].append((_local_date(submitted), dates[0], full))
    return out


def _eligible(codes: set[str], districts: set[str]) -> dict[str, set[int]]:
    """Programme code → the enterprises the stored matches find likely eligible (one pass over the match
    sets of the enterprises of the programmes' districts: matching leaves out another district's)."""
    out: dict[str, set[int]] = defaultdict(set)
    if not codes:
        return out
    near = (
        Q(enterprise__registered_district__in=districts)
        | Q(enterprise__tax_district__in=districts)
        | Q(enterprise__stats_district__in=districts)
    )
    matches = MatchSet.objects.filter(near).values_list("enterprise_id", "results").order_by()
    for enterprise_id, results in matches.iterator(chunk_size=2000):
        for row in results:
            if row.get("status") == MatchStatus.LIKELY and row.get("programme") in codes:
                out[row["programme"]].add(enterprise_id)
    return out


def _reached(ids: list[int], filters: ResultFilters) -> dict[tuple[int, int], set[int]]:
    """(programme, year) → the enterprises with a submitted application in the year or listed in a 免申
    batch published in the year (rows as they come: the sets take each enterprise once, cheaper than
    the database's sort for DISTINCT)."""
    out: dict[tuple[int, int], set[int]] = defaultdict(set)
    applied = (
        Application.objects.filter(programme_id__in=ids, submitted_at__isnull=False)
        .annotate(year=ExtractYear("submitted_at"))
        .filter(_year_filter(filters, "year"))
        .values_list("programme_id", "year", "enterprise_id")
        .order_by()
    )
    listed = (
        AutoAwardCandidate.objects.filter(batch__programme_id__in=ids, application__submitted_at__isnull=False)
        .annotate(year=ExtractYear("application__submitted_at"))
        .filter(_year_filter(filters, "year"))
        .values_list("batch__programme_id", "year", "enterprise_id")
        .order_by()
    )
    for programme_id, year, enterprise_id in [*applied, *listed]:
        out[(programme_id, year)].add(enterprise_id)
    return out


def _figures(route: str, label: str, sums: Any, times: list[tuple], counter: WorkdayCounter | None):
    figures = RouteFigures(route=route, label=label)
    if sums:
        figures.awards, figures.amount, figures.paid = sums["n"], sums["amount"], sums["paid"]
    if times and counter is not None:
        first = [((p - s).days, counter.between(s, p)) for s, p, _f in times]
        full = [((f - s).days, counter.between(s, f)) for s, _p, f in times if f is not None]
        figures.first_payment, figures.full_payment = durations(first), durations(full)
    return figures


def _counter(times: dict[tuple[int, int, str], list[tuple]]) -> WorkdayCounter | None:
    dates = [d for rows in times.values() for s, p, f in rows for d in (s, p, f) if d is not None]
    return WorkdayCounter(min(dates), max(dates)) if dates else None


def results_for_actor(*, actor, filters: ResultFilters | None = None) -> list[ResultRow]:
    """The results rows the actor may see (a district administrator their district's programmes, the
    system administrator all), one per programme and fiscal year, districts and policies in order."""
    results_require(actor)
    filters = filters or ResultFilters()
    programmes = result_programmes(actor=actor, filters=filters)
    by_id = {p.pk: p for p in programmes}
    ids = list(by_id)
    sums = _award_sums(ids, filters)
    times = _payment_times(ids, filters)
    reached = _reached(ids, filters)
    eligible = _eligible({p.code for p in programmes}, {p.policy.district for p in programmes})
    pools = {
        (p["programme_id"], p["fiscal_year"]): p
        for p in BudgetPool.objects.filter(programme_id__in=ids)
        .filter(_year_filter(filters, "fiscal_year"))
        .values("programme_id", "fiscal_year", "amount", "reserved", "committed", "disbursed")
    }
    counter = _counter(times)

    keys = {(p, y) for p, y, _r in sums} | set(pools) | set(reached)
    this_year = filters.year if filters.year is not None else timezone.localdate().year
    keys |= {(pk, this_year) for pk, p in by_id.items() if eligible.get(p.code) and all(k[0] != pk for k in keys)}
    order = {pk: i for i, pk in enumerate(ids)}
    rows = []
    labels = dict(Route.choices)
    districts = dict(Jurisdiction.choices)
    for programme_id, year in sorted(keys, key=lambda k: (order[k[0]], -k[1])):
        p = by_id[programme_id]
        routes = [
            _figures(
                r, str(labels[r]), sums.get((programme_id, year, r)), times.get((programme_id, year, r), []), counter
            )
            for r in ROUTES
        ]
        all_times = [t for r in ROUTES for t in times.get((programme_id, year, r), [])]
        total = _figures("", _("合计"), None, all_times, counter)
        total.awards = sum(r.awards for r in routes)
        total.amount = sum((r.amount for r in routes), ZERO)
        total.paid = sum((r.paid for r in routes), ZERO)
        found = eligible.get(p.code)
        row = ResultRow(
            district=p.policy.district,
            district_label=str(districts.get(p.policy.district, p.policy.district)),
            policy_code=p.policy.code,
            policy_title=p.policy.title,
            programme_id=p.pk,
            programme_code=p.code,
            programme_name=p.display_name,
            fiscal_year=year,
            routes=routes,
            total=total,
            eligible=len(found) if found else None,
            reached=len(found & reached.get((programme_id, year), set())) if found else 0,
        )
        pool = pools.get((programme_id, year))
        if pool is not None:
            row.pool_amount, row.pool_committed, row.pool_disbursed = (
                pool["amount"],
                pool["committed"],
                pool["disbursed"],
            )
            row.pool_remaining = pool["amount"] - pool["reserved"] - pool["committed"]
        rows.append(row)
    return rows


def result_years(*, actor) -> list[int]:
    """The fiscal years with a pool or a committed award among the actor's programmes (the filter)."""
    results_require(actor)
    scope = district_q(actor, "programme__policy__district")
    years = set(BudgetPool.objects.filter(scope).values_list("fiscal_year", flat=True).distinct())
    years |= set(
        Award.objects.filter(scope, status=Award.Status.COMMITTED).values_list("fiscal_year", flat=True).distinct()
    )
    return sorted(years | {timezone.localdate().year}, reverse=True)
