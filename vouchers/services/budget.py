"""Budget pools and their append-only ledger (资金池与台账).

Every approved yuan is drawn from the pool of its programme and fiscal year. A reservation locks what
it draws on in one fixed order — the pool row first, then the bound counters (programme total over the
policy period, the awardee/project quota, the enterprise's per-year and per-period totals) by id — checks
each bound, and writes the award, its ledger row and the new figures in the caller's transaction. The
database constraints on BudgetPool, Award and BudgetCounter refuse any overdraft as a backstop.

The pool's figures are the ledger's sums:
  reserved  = Σ reserve − Σ commit − Σ release(from reserved)
  committed = Σ commit − Σ release(from committed)
  disbursed = Σ disburse − Σ clawback
  remaining = amount − reserved − committed
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, Q, Sum, When
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from portal.amounts import decimal_from
from portal.audit import audit_record
from portal.models import Role
from portal.permissions import require_district

from ..models import Award, BudgetCounter, BudgetPool, LedgerEntry, ParameterValue, Programme

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
LINES = ("", "supplier", "buyer")
LINE_LABELS = {"": "", "supplier": "供应方", "buyer": "采购方"}
# Awards that hold budget and count against caps and quotas.
HOLDING = (Award.Status.RESERVED, Award.Status.COMMITTED)
# Who may move awards (the review workflow acts as a reviewer or administrator; None = the system).
DECIDERS = (Role.REVIEWER, Role.BUREAU_ADMIN, Role.SYSADMIN)

# Quota parameters and what each counts.
QUOTAS = {
    "awardee_quota_period": (BudgetCounter.Kind.AWARDEES, False),   # distinct enterprises, policy period
    "project_quota_period": (BudgetCounter.Kind.PROJECTS, False),   # distinct applications, policy period
    "project_quota_year": (BudgetCounter.Kind.PROJECTS, True),      # distinct applications, fiscal year
}
COUNT_KINDS = (BudgetCounter.Kind.AWARDEES, BudgetCounter.Kind.PROJECTS)


def fmt_yuan(value: Decimal) -> str:
    return f"{Decimal(value).quantize(CENT):,} 元"


def money(value: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """A money amount: a Decimal (or an int, or text as people write amounts: portal.amounts) with at
    most two places."""
    d = decimal_from(value)
    if d is None:
        raise ValidationError({field: "请输入有效金额。"})
    if d != d.quantize(CENT):
        raise ValidationError({field: "金额最多保留两位小数（精确到分）。"})
    if d < 0 or (d == 0 and not allow_zero):
        raise ValidationError({field: "金额必须大于零。" if not allow_zero else "金额不能为负数。"})
    if d >= Decimal("1e14"):
        raise ValidationError({field: "金额过大。"})
    return d.quantize(CENT)


def _is_decider(actor) -> bool:
    return actor is None or (getattr(actor, "is_authenticated", False) and actor.is_active
                             and actor.role in DECIDERS)


def _require_admin(actor, *, allow_system: bool = False) -> None:
    if actor is None and allow_system:
        return
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active \
            or not actor.is_bureau_admin:
        raise PermissionDenied("仅主管部门管理员或系统管理员可以进行此操作。")


def _params_in_force(programme: Programme, on: dt.date) -> dict[str, Decimal]:
    from ..selectors import parameters_in_force

    return parameters_in_force(programme=programme, on=on)


def _award_json(a: Award) -> dict[str, Any]:
    return {"id": a.pk, "application": a.application_id, "line": a.line, "enterprise": a.enterprise_id,
            "pool": a.pool_id, "amount": str(a.amount), "disbursed": str(a.disbursed), "status": a.status}


def _pool_json(p: BudgetPool) -> dict[str, Any]:
    return {"amount": str(p.amount), "reserved": str(p.reserved), "committed": str(p.committed),
            "disbursed": str(p.disbursed)}


def _lock_pool(pool_id: int) -> BudgetPool:
    return BudgetPool.objects.select_for_update().select_related("programme").get(pk=pool_id)


def _lock_award(award: Award) -> Award:
    return Award.objects.select_for_update().get(pk=award.pk)


# --- bounds ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Key:
    kind: str
    enterprise_id: int | None
    fiscal_year: int
    line: str


@dataclass
class _Draw:
    """What one reservation draws on one counter: an amount, or one unit of a quota."""
    key: _Key
    limit: Decimal
    param: str
    amount: Decimal = ZERO


# Every path that locks counters locks them in this one order (deadlock freedom).
KIND_RANK = {BudgetCounter.Kind.PROGRAMME_TOTAL: 0, BudgetCounter.Kind.AWARDEES: 1, BudgetCounter.Kind.PROJECTS: 2,
             BudgetCounter.Kind.ENTERPRISE_PERIOD: 3, BudgetCounter.Kind.ENTERPRISE_YEAR: 4}


def _lock_order(k: _Key) -> tuple[int, int, int, str]:
    return (KIND_RANK[BudgetCounter.Kind(k.kind)], k.enterprise_id or 0, k.fiscal_year, k.line)


def _bounds(programme: Programme, params: dict[str, Decimal], year: int,
            lines: list[tuple[str, int, Decimal]], basis_year: int | None = None) -> dict[_Key, _Draw]:
    """The counters a reservation of these (line, enterprise_id, amount) draws on, by the parameters
    in force. Quotas are checked separately (whether a unit is new depends on existing awards).
    Per-enterprise yearly caps count by the year of the basis date (测算基准日), the pool and the
    quotas by the fiscal year of the decision."""
    basis_year = basis_year or year
    draws: dict[_Key, _Draw] = {}

    def add(key: _Key, param: str, amount: Decimal) -> None:
        d = draws.setdefault(key, _Draw(key=key, limit=params[param], param=param))
        d.amount += amount

    total = sum((amt for _, _, amt in lines), ZERO)
    if "programme_total_period" in params:
        add(_Key(BudgetCounter.Kind.PROGRAMME_TOTAL, None, 0, ""), "programme_total_period", total)
    for line, ent, amt in lines:
        if "cap_per_enterprise_year" in params:
            add(_Key(BudgetCounter.Kind.ENTERPRISE_YEAR, ent, basis_year, ""), "cap_per_enterprise_year", amt)
        if "cap_per_enterprise_period" in params:
            add(_Key(BudgetCounter.Kind.ENTERPRISE_PERIOD, ent, 0, ""), "cap_per_enterprise_period", amt)
        if line and f"cap_{line}_year" in params:
            add(_Key(BudgetCounter.Kind.ENTERPRISE_YEAR, ent, basis_year, line), f"cap_{line}_year", amt)
        if line and f"cap_{line}_period" in params:
            add(_Key(BudgetCounter.Kind.ENTERPRISE_PERIOD, ent, 0, line), f"cap_{line}_period", amt)
    for param, (kind, yearly) in QUOTAS.items():
        if param in params:
            add(_Key(kind, None, year if yearly else 0, ""), param, ZERO)
    return draws


def _counter_total(programme_id: int, kind: str, enterprise_id: int | None, fiscal_year: int, line: str):
    """A one-row queryset of what a counter should hold, from the awards that hold budget (a released
    award still holds what was paid out on it): an amount, or a count of distinct awardees/projects."""
    qs = Award.objects.order_by().filter(programme_id=programme_id).filter(
        Q(status__in=HOLDING) | Q(status=Award.Status.RELEASED, disbursed__gt=0))
    if fiscal_year and kind == BudgetCounter.Kind.ENTERPRISE_YEAR:  # the year of the basis date
        qs = qs.annotate(basis_year=ExtractYear(Coalesce("basis_date", "decided_on"))).filter(basis_year=fiscal_year)
    elif fiscal_year:
        qs = qs.filter(fiscal_year=fiscal_year)
    if kind in COUNT_KINDS:
        unit = "enterprise_id" if kind == BudgetCounter.Kind.AWARDEES else "application_id"
        return qs.values("programme_id").annotate(total=Count(unit, distinct=True)).values("total")
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    if line:
        qs = qs.filter(line=line)
    held = Case(When(status__in=HOLDING, then=F("amount")), default=F("disbursed"))
    return qs.values("programme_id").annotate(total=Sum(held)).values("total")


def counter_actual(counter: BudgetCounter) -> Decimal:
    """What a counter should hold, recomputed from the awards (budget_check compares)."""
    rows = list(_counter_total(counter.programme_id, counter.kind, counter.enterprise_id, counter.fiscal_year,
                               counter.line))
    return Decimal(rows[0]["total"]) if rows else ZERO


def _insert_counters(programme: Programme, keys: list[_Key]) -> dict[_Key, int]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING, in one statement: the ids of the counters this call
    created, each started from the awards that already hold budget (for a bound that comes into
    force after awards exist)."""
    table = connection.ops.quote_name(BudgetCounter._meta.db_table)
    now = timezone.now()
    params: list[Any] = []
    values = []
    for k in keys:
        sub, sub_params = _counter_total(programme.pk, k.kind, k.enterprise_id, k.fiscal_year,
                                         k.line).query.sql_with_params()
        values.append(f"(%s, %s, %s, %s, %s, COALESCE(({sub}), 0), NULL, %s)")
        params += [programme.pk, k.kind, k.enterprise_id, k.fiscal_year, k.line, *sub_params, now]
    # Only the table name, ORM-compiled SQL and placeholders are interpolated; every value is a parameter.
    sql = (f'INSERT INTO {table} (programme_id, kind, enterprise_id, fiscal_year, line, used, "limit", '  # noqa: S608
           f"updated_at) VALUES {', '.join(values)} ON CONFLICT DO NOTHING "
           "RETURNING id, kind, enterprise_id, fiscal_year, line")
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return {_Key(r[1], r[2], r[3], r[4]): r[0] for r in cur.fetchall()}


def _ensure_counters(programme: Programme, keys: Iterable[_Key]) -> dict[_Key, int]:
    """The ids of the counters for these keys, creating the missing ones (a racing creator is ignored).
    No lock is taken here: the reservation takes the locks later, in id order."""
    keys = list(keys)
    if not keys:
        return {}
    q = Q()
    for k in keys:
        q |= Q(kind=k.kind, enterprise_id=k.enterprise_id, fiscal_year=k.fiscal_year, line=k.line)
    base = BudgetCounter.objects.filter(programme=programme).filter(q)
    rows = {_Key(*r[1:]): r[0] for r in base.values_list("pk", "kind", "enterprise_id", "fiscal_year", "line")}
    missing = [k for k in keys if k not in rows]
    if missing:
        rows.update(_insert_counters(programme, missing))
        if any(k not in rows for k in missing):  # created meanwhile by a concurrent reservation
            rows = {_Key(*r[1:]): r[0] for r in base.values_list("pk", "kind", "enterprise_id", "fiscal_year",
                                                                 "line")}
    return rows


def _counter_label(programme: Programme, key: _Key, enterprise_names: dict[int, str]) -> str:
    name = programme.name_zh
    line = LINE_LABELS.get(key.line, key.line)
    ent = enterprise_names.get(key.enterprise_id or 0, "")
    match key.kind:
        case BudgetCounter.Kind.PROGRAMME_TOTAL:
            return f"“{name}”政策有效期内总额度"
        case BudgetCounter.Kind.AWARDEES:
            return f"“{name}”政策有效期内支持主体名额"
        case BudgetCounter.Kind.PROJECTS:
            span = f"{key.fiscal_year}年度" if key.fiscal_year else "政策有效期内"
            return f"“{name}”{span}支持项目名额"
        case BudgetCounter.Kind.ENTERPRISE_YEAR:
            return f"{ent}在“{name}”{line}{key.fiscal_year}年度奖励上限"
        case _:
            return f"{ent}在“{name}”{line}政策有效期内奖励上限"


# --- reserve --------------------------------------------------------------------------------------

def _line_key(key: str, line: str) -> str:
    return f"{key}:{line}" if line else key


def _clean_lines(lines: list[dict]) -> list[tuple[str, int, Decimal]]:
    if not lines:
        raise ValidationError({"lines": "没有需要预留的奖励。"})
    out: list[tuple[str, int, Decimal]] = []
    seen: set[str] = set()
    for item in lines:
        line = str(item.get("line") or "")
        if line not in LINES:
            raise ValidationError({"lines": f"未知的奖励对象“{line}”。"})
        if line in seen:
            raise ValidationError({"lines": "同一奖励对象只能预留一次。"})
        seen.add(line)
        try:
            enterprise_id = int(item["enterprise_id"])
        except (KeyError, TypeError, ValueError):
            raise ValidationError({"lines": "每项奖励须注明获奖企业。"}) from None
        amount = money(item.get("amount"), allow_zero=True)
        if amount > 0:  # a line reduced to zero (从高不重复) holds no budget and gets no award
            out.append((line, enterprise_id, amount))
    if not out:
        raise ValidationError({"amount": "核定金额为零，无需预留资金。"})
    return out


def _existing_awards(application, lines: list[tuple[str, int, Decimal]]) -> list[Award] | None:
    """The awards an earlier call for the same application made (the same lines), or None."""
    awards = list(Award.objects.filter(application_id=application.pk).order_by("line", "pk"))
    if not awards:
        return None
    if any(a.status == Award.Status.RELEASED for a in awards):
        raise ValidationError("该申报的核定奖励已释放，不能再次预留。")
    wanted = {(line, ent, amt) for line, ent, amt in lines}
    have = {(a.line, a.enterprise_id, a.amount) for a in awards}
    if wanted != have:
        held = "、".join(f"{LINE_LABELS[a.line] or '奖励'} {fmt_yuan(a.amount)}" for a in awards)
        raise ValidationError(f"该申报已预留奖励（{held}），与本次核定不一致；如需调整请先释放原奖励。")
    return awards


def award_reserve(*, actor, application, lines: list[dict], decided_on: dt.date, parameters: dict,
                  explanation: list, idempotency_key: str, basis_date: dt.date | None = None) -> list[Award]:
    """预留 reserve the decided amounts of an application (one award per line) on the pool of its
    programme and the fiscal year of `decided_on`; the parameters in force and the yearly caps are
    those of the application's `basis_date` (default `decided_on`). Works inside the caller's
    transaction (nested).
    Refuses with ValidationError, writing nothing, when any bound does not fit. Idempotent: the same
    key, or the same application and lines, returns the awards already reserved.

    The award, ledger and audit rows are written first; then the pool row and the counters are
    locked, in that fixed order (counters by id), each by a conditional update that checks and draws
    in one statement, so the locks are held only for those few statements and the commit."""
    if not _is_decider(actor):
        raise PermissionDenied("无权核定奖励。")
    require_district(actor, application.programme.policy.district)
    cleaned = _clean_lines(lines)
    key = (idempotency_key or f"award:{application.pk}").strip()[:100]
    keys = [_line_key(key, line) for line, _, _ in cleaned]
    # A retry (same application, or same key) is recognised when its award or ledger row meets the
    # unique constraints below, without an extra query on the normal path.
    programme = application.programme
    year = decided_on.year
    basis = basis_date or decided_on
    on_pg = connection.vendor == "postgresql"
    if on_pg:
        pool_id, params = _pool_and_params_pg(programme, year, basis)
    else:
        pool_id = BudgetPool.objects.filter(programme=programme, fiscal_year=year).values_list("pk", flat=True).first()
        params = _params_in_force(programme, basis)
    if pool_id is None:
        raise ValidationError(f"“{programme.name_zh}”尚未设置{year}年度资金池，无法核定奖励；请管理员先设置预算额度。")
    draws = _bounds(programme, params, year, cleaned, basis.year)
    if on_pg and not any(k.kind in COUNT_KINDS for k in draws):
        try:
            return _reserve_pg(actor=actor, application=application, programme=programme, pool_id=pool_id,
                               year=year, lines=cleaned, keys=keys, draws=draws, decided_on=decided_on,
                               parameters=parameters, explanation=explanation, basis_date=basis)
        except IntegrityError as exc:
            return _after_integrity_error(exc, application, cleaned, keys)
    counter_ids = _ensure_counters(programme, draws.keys())
    try:
        with transaction.atomic():
            awards = [Award.objects.create(application_id=application.pk, line=line, enterprise_id=ent,
                                           programme=programme, pool_id=pool_id, fiscal_year=year, amount=amt,
                                           status=Award.Status.RESERVED, decided_on=decided_on, basis_date=basis,
                                           parameters=_jsonable(parameters), explanation=_jsonable(explanation))
                      for line, ent, amt in cleaned]
            LedgerEntry.objects.bulk_create([
                LedgerEntry(pool_id=pool_id, award=a, kind=LedgerEntry.Kind.RESERVE, amount=a.amount,
                            idempotency_key=k, actor=_user(actor),
                            reference=f"{getattr(application, 'reference', '')} 核定拟支持"[:200])
                for a, k in zip(awards, keys, strict=True)])
            audit_record(actor=actor, action="budget.award_reserve", target_type="vouchers.budgetpool",
                         target_id=pool_id, after={"application": application.pk,
                                                   "awards": [_award_json(a) for a in awards]})
            _draw(programme=programme, pool_id=pool_id, year=year, lines=cleaned, draws=draws,
                  counter_ids=counter_ids, application_id=application.pk)
    except IntegrityError as exc:
        return _after_integrity_error(exc, application, cleaned, keys)
    return awards


def _after_integrity_error(exc: IntegrityError, application, lines, keys) -> list[Award]:
    """A retry, or a concurrent one that got there first (an award per line and a ledger key are
    unique): return its awards; otherwise a constraint refused the reservation."""
    existing = _existing_awards(application, lines)
    if existing is not None:
        return existing
    if LedgerEntry.objects.filter(idempotency_key__in=keys).exists():
        raise ValidationError("幂等键已用于其他申报，请勿重复使用。") from exc
    raise ValidationError("资金池或限额约束拒绝了本次预留，未作任何更改。") from exc


def _enterprise_names(lines: list[tuple[str, int, Decimal]]) -> dict[int, str]:
    from django.apps import apps

    Enterprise = apps.get_model("applications", "Enterprise")
    return dict(Enterprise.objects.filter(pk__in={ent for _, ent, _ in lines}).values_list("pk", "name"))


def _pool_and_params_pg(programme: Programme, year: int, on: dt.date) -> tuple[int | None, dict[str, Decimal]]:
    """The pool's id and the parameters in force, in one query (PostgreSQL). The parameters are chosen
    by calculator.parameters_on from the programme's dated values, as selectors.parameters_in_force does."""
    from .. import calculator

    pool_t, value_t = (connection.ops.quote_name(m._meta.db_table) for m in (BudgetPool, ParameterValue))
    with connection.cursor() as cur:
        cur.execute(f"SELECT p.id, v.name, v.value, v.effective_from FROM (SELECT 1) AS one "  # noqa: S608
                    f"LEFT JOIN {pool_t} p ON p.programme_id = %s AND p.fiscal_year = %s "
                    f"LEFT JOIN {value_t} v ON v.programme_id = %s AND v.effective_from <= %s",
                    [programme.pk, year, programme.pk, on])
        rows = cur.fetchall()
    values = [calculator.ParameterValue(name=n, value=v, effective_from=f) for _, n, v, f in rows if n is not None]
    return rows[0][0], calculator.parameters_on(values, on)


def _counter_total_sql(programme_id: int, k: _Key) -> tuple[str, list[Any]]:
    """_counter_total for an amount counter as plain SQL (the fast path's INSERT … ON CONFLICT)."""
    award_t = connection.ops.quote_name(Award._meta.db_table)
    where, params = ["programme_id = %s", "(status IN ('reserved', 'committed') OR "
                     "(status = 'released' AND disbursed > 0))"], [programme_id]
    year_column = ("EXTRACT(YEAR FROM COALESCE(basis_date, decided_on))"
                   if k.kind == BudgetCounter.Kind.ENTERPRISE_YEAR else "fiscal_year")
    for column, value in ((year_column, k.fiscal_year), ("enterprise_id", k.enterprise_id), ("line", k.line)):
        if value:
            where.append(f"{column} = %s")
            params.append(value)
    return (f"SELECT SUM(CASE WHEN status IN ('reserved', 'committed') THEN amount ELSE disbursed END) "  # noqa: S608
            f"FROM {award_t} WHERE {' AND '.join(where)}", params)


def _reserve_pg(*, actor, application, programme: Programme, pool_id: int, year: int,
                lines: list[tuple[str, int, Decimal]], keys: list[str], draws: dict[_Key, _Draw],
                decided_on: dt.date, parameters: dict, explanation: list, basis_date: dt.date) -> list[Award]:
    """The reservation on PostgreSQL, in few exchanges. (1) SAVEPOINT; create the missing counters;
    insert the awards and their ledger rows. (2) The audit event. (3) Draw on the pool and then on
    the counters in the one lock order, and RELEASE SAVEPOINT — so the pool's row lock is held for
    this one exchange and the commit. Each draw is a plain increment that the table's CheckConstraint
    (pool_not_overdrawn, counter_within_limit) refuses when it does not fit; the savepoint is then
    rolled back, nothing is left written, and the bound that refused is named.
    Outside any transaction the whole runs in its own (atomic)."""
    if not connection.in_atomic_block:
        with transaction.atomic():
            return _reserve_pg(actor=actor, application=application, programme=programme, pool_id=pool_id,
                               year=year, lines=lines, keys=keys, draws=draws, decided_on=decided_on,
                               parameters=parameters, explanation=explanation, basis_date=basis_date)
    now = timezone.now()
    user = _user(actor)
    qn = connection.ops.quote_name
    award_t, ledger_t, counter_t, pool_t = (qn(m._meta.db_table) for m in (Award, LedgerEntry, BudgetCounter,
                                                                           BudgetPool))
    savepoint = f"budget_{uuid.uuid4().hex[:16]}"
    order = sorted(draws, key=_lock_order)
    total = sum((amt for _, _, amt in lines), ZERO)
    # Only table names, generated SQL and placeholders are interpolated; every value is a parameter.
    first: list[tuple[str, list[Any]]] = [(f"SAVEPOINT {savepoint}", [])]
    if order:
        values, params = [], []
        for k in order:
            sub, sub_params = _counter_total_sql(programme.pk, k)
            values.append(f"(%s, %s, %s, %s, %s, COALESCE(({sub}), 0), NULL, %s)")
            params += [programme.pk, k.kind, k.enterprise_id, k.fiscal_year, k.line, *sub_params, now]
        first.append((f'INSERT INTO {counter_t} (programme_id, kind, enterprise_id, fiscal_year, line, used, '  # noqa: S608
                      f'"limit", updated_at) VALUES {", ".join(values)} ON CONFLICT DO NOTHING', params))
    award_values, params = [], []
    p_json, e_json = json.dumps(_jsonable(parameters)), json.dumps(_jsonable(explanation))
    for line, ent, amt in lines:
        award_values.append("(%s, %s, %s, %s, %s, %s, %s, 0, %s, %s, %s, %s::jsonb, %s::jsonb, %s)")
        params += [application.pk, line, ent, programme.pk, pool_id, year, amt, Award.Status.RESERVED, decided_on,
                   basis_date, p_json, e_json, now]
    for (line, _, _), key in zip(lines, keys, strict=True):
        params += [line, key]
    params += [pool_id, f"{getattr(application, 'reference', '')} 核定拟支持"[:200], user.pk if user else None, now]
    first.append((
        f"WITH a AS (INSERT INTO {award_t} (application_id, line, enterprise_id, programme_id, pool_id, "  # noqa: S608
        f"fiscal_year, amount, disbursed, status, decided_on, basis_date, parameters, explanation, created_at) "
        f"VALUES {', '.join(award_values)} RETURNING id, line, amount), "
        f"k (line, key) AS (VALUES {', '.join(['(%s, %s)'] * len(lines))}), "
        f"l AS (INSERT INTO {ledger_t} (pool_id, award_id, kind, amount, reference, paid_on, idempotency_key, "
        f"released_from, actor_id, created_at) SELECT %s, a.id, 'reserve', a.amount, %s, NULL, k.key, '', %s, %s "
        f"FROM a JOIN k ON k.line = a.line RETURNING award_id) SELECT a.id, a.line FROM a", params))
    draw: list[tuple[str, list[Any]]] = [(f"UPDATE {pool_t} SET reserved = reserved + %s, updated_at = %s "  # noqa: S608
                                          f"WHERE id = %s", [total, now, pool_id])]
    for k in order:
        ent = "enterprise_id IS NULL" if k.enterprise_id is None else "enterprise_id = %s"
        draw.append((f'UPDATE {counter_t} SET used = used + %s, "limit" = %s, updated_at = %s '  # noqa: S608
                     f"WHERE programme_id = %s AND kind = %s AND {ent} AND fiscal_year = %s AND line = %s",
                     [draws[k].amount, draws[k].limit, now, programme.pk, k.kind,
                      *([k.enterprise_id] if k.enterprise_id is not None else []), k.fiscal_year, k.line]))
    draw.append((f"RELEASE SAVEPOINT {savepoint}", []))
    try:
        with connection.cursor() as cur:
            cur.execute("; ".join(q for q, _ in first), [p for _, ps in first for p in ps])
            while cur.cursor.nextset():
                pass  # the last result holds the awards' ids
            ids = {line: pk for pk, line in cur.fetchall()}
            awards = []
            for line, ent, amt in lines:
                award = Award(pk=ids[line], application_id=application.pk, line=line, enterprise_id=ent,
                              programme=programme, pool_id=pool_id, fiscal_year=year, amount=amt, disbursed=ZERO,
                              status=Award.Status.RESERVED, decided_on=decided_on, basis_date=basis_date,
                              parameters=_jsonable(parameters), explanation=_jsonable(explanation), created_at=now)
                award._state.adding, award._state.db = False, connection.alias
                awards.append(award)
            audit_record(actor=actor, action="budget.award_reserve", target_type="vouchers.budgetpool",
                         target_id=pool_id, after={"application": application.pk,
                                                   "awards": [_award_json(a) for a in awards]})
            cur.execute("; ".join(q for q, _ in draw), [p for _, ps in draw for p in ps])
    except BaseException as exc:
        with connection.cursor() as cur:
            cur.execute(f"ROLLBACK TO SAVEPOINT {savepoint}; RELEASE SAVEPOINT {savepoint}")
        if isinstance(exc, IntegrityError) and _sqlstate(exc) == "23514":  # check_violation: a bound refused
            raise _name_the_refusal(programme, pool_id, year, lines, draws, order) from exc
        raise
    return awards


def _sqlstate(exc: IntegrityError) -> str:
    return getattr(getattr(exc, "__cause__", None), "sqlstate", "") or ""


def _name_the_refusal(programme: Programme, pool_id: int, year: int, lines: list[tuple[str, int, Decimal]],
                      draws: dict[_Key, _Draw], order: list[_Key]) -> ValidationError:
    """After a constraint refused a draw (and the savepoint was rolled back): which bound, and what is left."""
    total = sum((amt for _, _, amt in lines), ZERO)
    pool = BudgetPool.objects.get(pk=pool_id)
    if pool.remaining < total:
        return _refuse_pool(programme, pool_id, year, total)
    for k in order:
        c = BudgetCounter.objects.filter(programme_id=programme.pk, kind=k.kind, enterprise_id=k.enterprise_id,
                                         fiscal_year=k.fiscal_year, line=k.line).first()
        if c is not None and c.used + draws[k].amount > draws[k].limit:
            return _refuse_counter(programme, k, draws[k], c.pk, lines)
    return ValidationError("资金池或限额不足，本次预留未能完成，未作任何更改；请稍后重试。")


def _refuse_pool(programme: Programme, pool_id: int, year: int, total: Decimal) -> ValidationError:
    pool = BudgetPool.objects.get(pk=pool_id)
    return ValidationError(f"“{programme.name_zh}”{year}年度资金池余额不足：预算 {fmt_yuan(pool.amount)}，"
                           f"剩余 {fmt_yuan(pool.remaining)}，本次需 {fmt_yuan(total)}。")


def _refuse_counter(programme: Programme, key: _Key, draw: _Draw, cid: int,
                    lines: list[tuple[str, int, Decimal]]) -> ValidationError:
    counter = BudgetCounter.objects.get(pk=cid)
    left = max(draw.limit - counter.used, ZERO)
    return ValidationError(f"{_counter_label(programme, key, _enterprise_names(lines))}不足：上限 "
                           f"{fmt_yuan(draw.limit)}，已占用 {fmt_yuan(counter.used)}，剩余 {fmt_yuan(left)}，"
                           f"本次需 {fmt_yuan(draw.amount)}。")


def _draw(*, programme: Programme, pool_id: int, year: int, lines: list[tuple[str, int, Decimal]],
          draws: dict[_Key, _Draw], counter_ids: dict[_Key, int], application_id: int) -> None:
    """Lock and draw on the pool, then on each counter in id order, each by a conditional update;
    refuse (the caller's savepoint then undoes every draw) when one does not fit.

    (PostgreSQL without quotas takes _reserve_pg instead.)"""
    total = sum((amt for _, _, amt in lines), ZERO)
    now = timezone.now()
    order = sorted(draws, key=_lock_order)
    pool_qs = BudgetPool.objects.filter(pk=pool_id, amount__gte=F("reserved") + F("committed") + total)
    if not pool_qs.update(reserved=F("reserved") + total, updated_at=now):
        raise _refuse_pool(programme, pool_id, year, total)
    enterprise_ids = {ent for _, ent, _ in lines}
    for k in order:
        draw, cid = draws[k], counter_ids[k]
        counters = BudgetCounter.objects.filter(pk=cid)
        if k.kind in COUNT_KINDS:
            counter = counters.select_for_update().get()
            holding = Award.objects.filter(programme=programme, status__in=HOLDING).exclude(
                application_id=application_id)
            if k.fiscal_year:
                holding = holding.filter(fiscal_year=k.fiscal_year)
            if k.kind == BudgetCounter.Kind.AWARDEES:
                held = set(holding.filter(enterprise_id__in=enterprise_ids).values_list("enterprise_id", flat=True))
                units = Decimal(len(enterprise_ids - held))
            else:
                units = Decimal(1)
            if not units:
                continue
            if counter.used + units > draw.limit:
                unit = "家" if k.kind == BudgetCounter.Kind.AWARDEES else "个"
                left = max(draw.limit - counter.used, ZERO)
                raise ValidationError(f"{_counter_label(programme, k, {})}已满：上限 {draw.limit:.0f} {unit}，"
                                      f"已支持 {counter.used:.0f} {unit}，剩余 {left:.0f} {unit}。")
            counters.update(used=F("used") + units, limit=draw.limit, updated_at=now)
        elif not counters.filter(used__lte=draw.limit - draw.amount).update(
                used=F("used") + draw.amount, limit=draw.limit, updated_at=now):
            raise _refuse_counter(programme, k, draw, cid, lines)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


# --- commit, release ------------------------------------------------------------------------------

def award_commit(*, actor, award: Award) -> Award:
    """核定 reserved → committed (public notice over). Idempotent: a committed award is returned."""
    if not _is_decider(actor):
        raise PermissionDenied("无权核定奖励。")
    with transaction.atomic():
        award = _lock_award(award)
        if award.status == Award.Status.COMMITTED:
            return award
        if award.status != Award.Status.RESERVED:
            raise ValidationError("该奖励已释放，不能核定。")
        pool = _lock_pool(award.pool_id)
        LedgerEntry.objects.create(pool=pool, award=award, kind=LedgerEntry.Kind.COMMIT, amount=award.amount,
                                   idempotency_key=f"commit:{award.pk}", actor=_user(actor))
        pool.reserved -= award.amount
        pool.committed += award.amount
        pool.save(update_fields=["reserved", "committed", "updated_at"])
        award.status = Award.Status.COMMITTED
        award.save(update_fields=["status"])
        audit_record(actor=actor, action="budget.award_commit", target=award,
                     before={"status": Award.Status.RESERVED}, after=_award_json(award))
    return award


def _free_counters(award: Award, amount: Decimal, *, unit_gone: bool) -> None:
    """Give back `amount` to the award's amount counters and, when nothing of the award is held any
    more, its quota unit if no other award holds it."""
    found = list(BudgetCounter.objects.filter(programme_id=award.programme_id).filter(
        Q(kind=BudgetCounter.Kind.PROGRAMME_TOTAL)
        | Q(kind=BudgetCounter.Kind.ENTERPRISE_YEAR, enterprise_id=award.enterprise_id,
            fiscal_year=(award.basis_date or award.decided_on).year, line__in=["", award.line])
        | Q(kind=BudgetCounter.Kind.ENTERPRISE_PERIOD, enterprise_id=award.enterprise_id, line__in=["", award.line])
        | (Q(kind__in=COUNT_KINDS) & Q(fiscal_year__in=[0, award.fiscal_year]))
    ).values_list("pk", "kind", "enterprise_id", "fiscal_year", "line"))
    found.sort(key=lambda r: _lock_order(_Key(*r[1:])))
    counters = [BudgetCounter.objects.select_for_update().get(pk=r[0]) for r in found]
    held = Award.objects.filter(programme_id=award.programme_id).exclude(pk=award.pk).filter(
        Q(status__in=HOLDING) | Q(status=Award.Status.RELEASED, disbursed__gt=0))
    for c in counters:
        if c.kind in COUNT_KINDS:
            if not unit_gone:
                continue
            others = held.filter(fiscal_year=c.fiscal_year) if c.fiscal_year else held
            if c.kind == BudgetCounter.Kind.AWARDEES:
                still = others.filter(enterprise_id=award.enterprise_id).exists()
            else:
                still = others.filter(application_id=award.application_id).exists()
            if still or c.used < 1:
                continue
            c.used -= 1
        else:
            c.used = max(c.used - amount, ZERO)
        c.save(update_fields=["used", "updated_at"])


def award_release(*, actor, award: Award, reason: str) -> Award:
    """释放 reserved or committed → released (declined, objection upheld, withdrawn, voucher expired
    unused). What was already paid out stays committed (claw it back to free it); the rest goes back
    to the pool and frees the caps and the quota. Idempotent: a released award is returned."""
    if not _is_decider(actor):
        raise PermissionDenied("无权释放奖励。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请说明释放原因。"})
    with transaction.atomic():
        award = _lock_award(award)
        if award.status == Award.Status.RELEASED:
            return award
        before = _award_json(award)
        pool = _lock_pool(award.pool_id)
        free = award.amount - award.disbursed
        if award.status == Award.Status.RESERVED:
            pool.reserved -= free
            released_from = "reserved"
        else:
            pool.committed -= free
            released_from = "committed"
        if free > 0:
            LedgerEntry.objects.create(pool=pool, award=award, kind=LedgerEntry.Kind.RELEASE, amount=free,
                                       released_from=released_from, idempotency_key=f"release:{award.pk}",
                                       reference=reason[:200], actor=_user(actor))
        pool.save(update_fields=["reserved", "committed", "updated_at"])
        _free_counters(award, free, unit_gone=award.disbursed == 0)
        award.status = Award.Status.RELEASED
        award.save(update_fields=["status"])
        audit_record(actor=actor, action="budget.award_release", target=award, before=before,
                     after=_award_json(award), note=reason)
    return award


# --- payments -------------------------------------------------------------------------------------

def _may_pay(actor, award: Award) -> bool:
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    # A compute provider redeeming a voucher is paid from the voucher's award.
    return actor.is_bureau_admin or (actor.role == Role.PROVIDER and award.programme.is_voucher)


def tranche_disburse(*, actor, award: Award, amount, paid_on: dt.date, reference: str) -> LedgerEntry:
    """拨付 pay a tranche of a committed award. Tranches never sum above the award. Idempotent per
    (award, reference): the same payment reference returns the entry already written."""
    amount = money(amount)
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": "请填写拨付凭证号。"})
    if paid_on is None:
        raise ValidationError({"paid_on": "请填写拨付日期。"})
    key = f"disburse:{award.pk}:{reference}"[:120]
    with transaction.atomic():
        award = Award.objects.select_for_update(of=("self",)).select_related("programme").get(pk=award.pk)
        if not _may_pay(actor, award):
            raise PermissionDenied("仅主管部门管理员可以登记拨付。")
        done = LedgerEntry.objects.filter(idempotency_key=key).first()
        if done is not None:
            if done.amount != amount:
                raise ValidationError({"reference": f"凭证号 {reference} 已登记过一笔 "
                                                    f"{fmt_yuan(done.amount)} 的拨付。"})
            return done
        if award.status != Award.Status.COMMITTED:
            raise ValidationError("奖励尚未核定生效（公示期满）或已释放，不能拨付。")
        left = award.amount - award.disbursed
        if amount > left:
            raise ValidationError({"amount": f"拨付金额超过奖励未拨付部分：核定 {fmt_yuan(award.amount)}，"
                                             f"已拨付 {fmt_yuan(award.disbursed)}，剩余 {fmt_yuan(left)}。"})
        pool = _lock_pool(award.pool_id)
        entry = LedgerEntry.objects.create(pool=pool, award=award, kind=LedgerEntry.Kind.DISBURSE, amount=amount,
                                           paid_on=paid_on, reference=reference[:200], idempotency_key=key,
                                           actor=_user(actor))
        award.disbursed += amount
        award.save(update_fields=["disbursed"])
        pool.disbursed += amount
        pool.save(update_fields=["disbursed", "updated_at"])
        audit_record(actor=actor, action="budget.tranche_disburse", target=award,
                     after={"amount": str(amount), "paid_on": paid_on.isoformat(), "reference": reference,
                            "award": _award_json(award)})
    return entry


def award_clawback(*, actor, award: Award, amount, reference: str) -> LedgerEntry:
    """追回 recover money paid out on an award. On a released award the recovered amount also leaves
    the committed figure (it goes back to the pool)."""
    _require_admin(actor, allow_system=True)
    amount = money(amount)
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": "请填写追回依据或凭证号。"})
    key = f"clawback:{award.pk}:{reference}"[:120]
    with transaction.atomic():
        award = _lock_award(award)
        done = LedgerEntry.objects.filter(idempotency_key=key).first()
        if done is not None:
            if done.amount != amount:
                raise ValidationError({"reference": f"凭证号 {reference} 已登记过一笔 "
                                                    f"{fmt_yuan(done.amount)} 的追回。"})
            return done
        if amount > award.disbursed:
            raise ValidationError({"amount": f"追回金额超过已拨付金额 {fmt_yuan(award.disbursed)}。"})
        pool = _lock_pool(award.pool_id)
        entry = LedgerEntry.objects.create(pool=pool, award=award, kind=LedgerEntry.Kind.CLAWBACK, amount=amount,
                                           reference=reference[:200], idempotency_key=key, actor=_user(actor))
        award.disbursed -= amount
        pool.disbursed -= amount
        if award.status == Award.Status.RELEASED:
            LedgerEntry.objects.create(pool=pool, award=award, kind=LedgerEntry.Kind.RELEASE, amount=amount,
                                       released_from="committed", reference=f"追回后释放 {reference}"[:200],
                                       actor=_user(actor))
            pool.committed -= amount
            _free_counters(award, amount, unit_gone=award.disbursed == 0)
        award.save(update_fields=["disbursed"])
        pool.save(update_fields=["committed", "disbursed", "updated_at"])
        audit_record(actor=actor, action="budget.award_clawback", target=award,
                     after={"amount": str(amount), "reference": reference, "award": _award_json(award)})
    return entry


# --- pools ----------------------------------------------------------------------------------------

def programme_total_ceiling(programme: Programme, fiscal_year: int) -> tuple[Decimal, Decimal, Decimal] | None:
    """For a programme with a total over the policy period (政策有效期内扶持总额, e.g. hp-compute-voucher's
    10,000,000): (total, what the other years' pools take of it, the most this year's pool may
    promise), or None. A past year's pool takes what its awards hold (the rest lapsed with its year);
    this and later years' pools take their whole amount (what they promise)."""
    on = min(dt.date(fiscal_year, 12, 31), programme.policy.valid_to)
    total = _params_in_force(programme, on).get("programme_total_period")
    if total is None:
        return None
    this_year = timezone.localdate().year
    taken = ZERO
    for pool in BudgetPool.objects.filter(programme=programme).exclude(fiscal_year=fiscal_year):
        taken += pool.reserved + pool.committed if pool.fiscal_year < this_year else pool.amount
    return total, taken, max(total - taken, ZERO)


def _check_programme_total(programme: Programme, fiscal_year: int, amount: Decimal) -> None:
    bound = programme_total_ceiling(programme, fiscal_year)
    if bound is not None and amount > bound[2]:
        total, taken, ceiling = bound
        raise ValidationError({"amount": f"预算额度不能超过“{programme.name_zh}”政策有效期内扶持总额的剩余部分："
                                         f"总额 {fmt_yuan(total)}，其他年度资金池已占 {fmt_yuan(taken)}，"
                                         f"{fiscal_year}年度最多 {fmt_yuan(ceiling)}。"})


def pool_set_amount(*, actor, programme: Programme, fiscal_year: int, amount, ip: str | None = None) -> BudgetPool:
    """设置预算额度 create a pool or change its amount; never below what is reserved and committed."""
    _require_admin(actor)
    require_district(actor, programme.policy.district)
    amount = money(amount, allow_zero=True)
    try:
        fiscal_year = int(fiscal_year)
    except (TypeError, ValueError):
        raise ValidationError({"fiscal_year": "请输入有效年度。"}) from None
    if not 2000 <= fiscal_year <= 2100:
        raise ValidationError({"fiscal_year": "请输入有效年度。"})
    with transaction.atomic():
        pool = BudgetPool.objects.select_for_update().filter(programme=programme, fiscal_year=fiscal_year).first()
        if pool is None:
            _check_programme_total(programme, fiscal_year, amount)
            try:
                with transaction.atomic():
                    pool = BudgetPool.objects.create(programme=programme, fiscal_year=fiscal_year, amount=amount)
            except IntegrityError:  # created meanwhile by another administrator
                pool = BudgetPool.objects.select_for_update().get(programme=programme, fiscal_year=fiscal_year)
            else:
                audit_record(actor=actor, action="budget.pool_create", target=pool, ip=ip,
                             after={"programme": programme.code, "fiscal_year": fiscal_year, "amount": str(amount)})
                return pool
        floor = pool.reserved + pool.committed
        _check_programme_total(programme, fiscal_year, amount)
        if amount < floor:
            raise ValidationError({"amount": f"预算额度不能低于已预留与已核定合计 {fmt_yuan(floor)}"
                                             f"（已预留 {fmt_yuan(pool.reserved)}，"
                                             f"已核定 {fmt_yuan(pool.committed)}）。"})
        before = _pool_json(pool)
        if pool.amount != amount:
            pool.amount = amount
            pool.save(update_fields=["amount", "updated_at"])
            audit_record(actor=actor, action="budget.pool_set_amount", target=pool, ip=ip, before=before,
                         after=_pool_json(pool))
    return pool


# --- oversubscription -----------------------------------------------------------------------------

def _cents_pro_rata(amounts: list[tuple[Any, Decimal]], available: Decimal) -> dict[Any, Decimal]:
    """Scale amounts so they sum exactly to `available` (in cents): each gets the floor of its share,
    the cents left over go one each to the largest remainders (ties: the order given)."""
    total = sum((a for _, a in amounts), ZERO)
    if total <= available:
        return {k: a for k, a in amounts}
    avail_c = int((available / CENT).to_integral_value(ROUND_DOWN))
    total_c = int(total / CENT)
    shares = []
    for i, (k, a) in enumerate(amounts):
        num = int(a / CENT) * avail_c
        shares.append((k, num // total_c, num % total_c, i))
    left = avail_c - sum(s[1] for s in shares)
    order = sorted(shares, key=lambda s: (-s[2], s[3]))
    extra = {s[0] for s in order[:left]}
    return {k: (Decimal(base + (1 if k in extra else 0)) * CENT) for k, base, _, _ in shares}


def _id_order(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int) else (1, str(value))


def batch_oversubscription(*, programme: Programme, fiscal_year: int, requests: list[dict]) -> dict[str, Any]:
    """Both remedies for a batch that asks more than the pool has left, computed before anything is
    committed: rank (by score, funding in order until the pool or the quota is exhausted; the last one
    funded may get only what is left) and pro-rata scaling (按比例核减, exact to the cent, the sum equals
    what is left). Nothing is written."""
    pool = BudgetPool.objects.filter(programme=programme, fiscal_year=fiscal_year).first()
    reqs = []
    for r in requests:
        amount = money(r.get("amount"), allow_zero=True)
        score = r.get("score")
        reqs.append({"application_id": r["application_id"], "amount": amount,
                     "score": None if score is None else Decimal(str(score))})
    requested = sum((r["amount"] for r in reqs), ZERO)
    pool_left = pool.remaining if pool is not None else ZERO
    available = pool_left
    total_left = None
    on = dt.date(fiscal_year, 12, 31)
    params = _params_in_force(programme, on)
    if "programme_total_period" in params:
        c = BudgetCounter.objects.filter(programme=programme, kind=BudgetCounter.Kind.PROGRAMME_TOTAL,
                                         enterprise=None, fiscal_year=0, line="").first()
        used = c.used if c else counter_actual(BudgetCounter(programme=programme,
                                                             kind=BudgetCounter.Kind.PROGRAMME_TOTAL))
        total_left = max(params["programme_total_period"] - used, ZERO)
        available = min(available, total_left)
    quota_left = None
    for param, (kind, yearly) in QUOTAS.items():
        if param in params and kind == BudgetCounter.Kind.PROJECTS:
            c = BudgetCounter.objects.filter(programme=programme, kind=kind, enterprise=None,
                                             fiscal_year=fiscal_year if yearly else 0, line="").first()
            used = c.used if c else counter_actual(BudgetCounter(programme=programme, kind=kind,
                                                                 fiscal_year=fiscal_year if yearly else 0))
            left = int(max(params[param] - used, ZERO))
            quota_left = left if quota_left is None else min(quota_left, left)
    if "awardee_quota_period" in params:
        c = BudgetCounter.objects.filter(programme=programme, kind=BudgetCounter.Kind.AWARDEES, enterprise=None,
                                         fiscal_year=0, line="").first()
        used = c.used if c else counter_actual(BudgetCounter(programme=programme, kind=BudgetCounter.Kind.AWARDEES))
        left = int(max(params["awardee_quota_period"] - used, ZERO))
        quota_left = left if quota_left is None else min(quota_left, left)

    # Rank: highest score first (no score last), ties by application id.
    ranked = sorted(reqs, key=lambda r: (r["score"] is None, -(r["score"] or 0), _id_order(r["application_id"])))
    rank_rows, left, slots = [], available, quota_left
    for i, r in enumerate(ranked, start=1):
        give = ZERO
        if left > 0 and (slots is None or slots > 0) and r["amount"] > 0:
            give = min(r["amount"], left)
            left -= give
            if slots is not None:
                slots -= 1
        rank_rows.append({"application_id": r["application_id"], "rank": i, "score": r["score"],
                          "requested": r["amount"], "awarded": give, "reduction": r["amount"] - give,
                          "outcome": ("full" if give == r["amount"] else "partial") if give > 0 else "none"})
    scaled = _cents_pro_rata([(r["application_id"], r["amount"]) for r in reqs], available)
    pro_rows = [{"application_id": r["application_id"], "score": r["score"], "requested": r["amount"],
                 "awarded": scaled[r["application_id"]], "reduction": r["amount"] - scaled[r["application_id"]]}
                for r in reqs]
    ratio = (available / requested).quantize(Decimal("0.000001"), ROUND_DOWN) if requested > available and requested \
        else Decimal("1")
    return {
        "programme": programme.code, "fiscal_year": fiscal_year, "pool_exists": pool is not None,
        "pool_remaining": pool_left, "programme_total_remaining": total_left, "quota_remaining": quota_left,
        "available": available, "requested": requested, "oversubscribed": requested > available,
        "competitive": programme.review_path == Programme.ReviewPath.COMPETITIVE,
        "rank": {"rows": rank_rows, "total": sum((r["awarded"] for r in rank_rows), ZERO)},
        "pro_rata": {"ratio": ratio, "rows": pro_rows, "total": sum((r["awarded"] for r in pro_rows), ZERO)},
    }
