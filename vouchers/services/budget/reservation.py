"""预留 reserving an application's decided amounts on its programme's pool: one path on every
database. The award, ledger and audit rows are written first; then the counters and last the pool are
drawn on, in that fixed order (counters.KIND_RANK, the programme-wide ones last), each by a
conditional update that checks and draws in one statement (statements) — so the locks of the rows
every reservation of the programme draws on are held only for the last two or three statements and
the commit. The CheckConstraints on BudgetPool, Award and BudgetCounter refuse any overdraft as the
backstop."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.jsonvalues import json_safe
from portal.limits import max_length
from portal.permissions import require_district

from ...models import Award, BudgetPool, LedgerEntry, Programme
from .common import (
    LINES,
    ZERO,
    award_json,
    fmt_yuan,
    line_label,
    money,
    require_decider,
    user_or_none,
)
from .counters import bounds, counters_draw, counters_ensure
from .statements import awards_insert, ledger_append, pool_draw, rows_to_draw

# The ledger's idempotency key is "<key>:<line>"; room is left for the longest line name.
KEY_MAX = max_length(LedgerEntry, "idempotency_key") - len(":supplier")

Line = tuple[str, int, Decimal]  # (line, enterprise_id, amount)


def award_reserve(
    *,
    actor,
    application,
    lines: list[dict],
    decided_on: dt.date,
    parameters: dict,
    explanation: list,
    idempotency_key: str,
    basis_date: dt.date | None = None,
) -> list[Award]:
    """预留 reserve the decided amounts of an application (one award per line) on the pool of its
    programme and the fiscal year of `decided_on`; the parameters in force and the yearly caps are
    those of the application's `basis_date` (default `decided_on`). Works inside the caller's
    transaction (a savepoint). Refuses with ValidationError, writing nothing, when any bound does not
    fit. Idempotent: the same key, or the same application and lines, returns the awards already
    reserved (recognised when the unique constraints meet them, without a query on the normal path)."""
    require_decider(actor, _("无权核定奖励。"))
    require_district(actor, application.programme.policy.district)
    cleaned = _clean_lines(lines)
    key = (idempotency_key or f"award:{application.pk}").strip()
    if len(key) > KEY_MAX:
        raise ValueError(f"idempotency key longer than {KEY_MAX} characters")
    keys = [f"{key}:{line}" if line else key for line, _e, _a in cleaned]
    programme: Programme = application.programme
    year, basis = decided_on.year, basis_date or decided_on
    rows = rows_to_draw(programme.pk, year, sorted({ent for _l, ent, _a in cleaned}), basis)
    if rows.pool_id is None:
        raise ValidationError(
            _("“%(programme)s”尚未设置%(year)s年度资金池，无法核定奖励；请管理员先设置预算额度。")
            % {"programme": programme.name_zh, "year": year}
        )
    pool_id, now = rows.pool_id, timezone.now()
    draws = bounds(rows.parameters, year, cleaned, basis.year)
    counter_ids = counters_ensure(programme.pk, draws, rows.counters, rows.held, now)
    total = sum((amt for _l, _e, amt in cleaned), ZERO)
    stored_parameters, stored_explanation = json_safe(parameters), json_safe(explanation)
    actor_id, reference = getattr(user_or_none(actor), "pk", None), f"{application.reference} 核定拟支持"
    try:
        with transaction.atomic():
            awards = awards_insert(
                [
                    {
                        "application_id": application.pk,
                        "line": line,
                        "enterprise_id": ent,
                        "programme_id": programme.pk,
                        "pool_id": pool_id,
                        "fiscal_year": year,
                        "amount": amt,
                        "disbursed": ZERO,
                        "status": Award.Status.RESERVED,
                        "decided_on": decided_on,
                        "basis_date": basis,
                        "parameters": stored_parameters,
                        "explanation": stored_explanation,
                        "created_at": now,
                    }
                    for line, ent, amt in cleaned
                ]
            )
            ledger_append(
                [
                    (pool_id, a.pk, LedgerEntry.Kind.RESERVE.value, a.amount, reference, k, "", actor_id, now)
                    for a, k in zip(awards, keys, strict=True)
                ]
            )
            audit_record(
                actor=actor,
                action="budget.award_reserve",
                target_type="vouchers.budgetpool",
                target_id=pool_id,
                after={"application": application.pk, "awards": [award_json(a) for a in awards]},
            )
            # the locks, in the one order: the counters, then the pool
            try:
                counters_draw(
                    programme=programme,
                    draws=draws,
                    ids=counter_ids,
                    application_id=application.pk,
                    enterprise_ids={ent for _l, ent, _a in cleaned},
                    now=now,
                )
            except ValidationError:
                if BudgetPool.objects.get(pk=pool_id).remaining < total:  # the pool is named first
                    raise _refuse_pool(programme, pool_id, total) from None
                raise
            if not pool_draw(pool_id, total, now):
                raise _refuse_pool(programme, pool_id, total)
    except IntegrityError as exc:
        return _after_integrity_error(exc, application, cleaned, keys)
    return awards


def _clean_lines(lines: list[dict]) -> list[Line]:
    if not lines:
        raise ValidationError({"lines": _("没有需要预留的奖励。")})
    out: list[Line] = []
    seen: set[str] = set()
    for item in lines:
        line = str(item.get("line") or "")
        if line not in LINES:
            raise ValidationError({"lines": _("未知的奖励对象“%(line)s”。") % {"line": line}})
        if line in seen:
            raise ValidationError({"lines": _("同一奖励对象只能预留一次。")})
        seen.add(line)
        try:
            enterprise_id = int(item["enterprise_id"])
        except (KeyError, TypeError, ValueError):
            raise ValidationError({"lines": _("每项奖励须注明获奖企业。")}) from None
        amount = money(item.get("amount"), allow_zero=True)
        if amount > 0:  # a line reduced to zero (从高不重复) holds no budget and gets no award
            out.append((line, enterprise_id, amount))
    if not out:
        raise ValidationError({"amount": _("核定金额为零，无需预留资金。")})
    return out


def _refuse_pool(programme: Programme, pool_id: int, need: Decimal) -> ValidationError:
    pool = BudgetPool.objects.get(pk=pool_id)
    return ValidationError(
        _("“%(programme)s”%(year)s年度资金池余额不足：预算 %(amount)s，剩余 %(left)s，本次需 %(need)s。")
        % {
            "programme": programme.name_zh,
            "year": pool.fiscal_year,
            "amount": fmt_yuan(pool.amount),
            "left": fmt_yuan(pool.remaining),
            "need": fmt_yuan(need),
        }
    )


def _after_integrity_error(exc: IntegrityError, application, lines: list[Line], keys: list[str]) -> list[Award]:
    """A retry, or a concurrent one that got there first (an award per line and a ledger key are
    unique): return its awards; otherwise a constraint refused the reservation."""
    existing = _existing_awards(application, lines)
    if existing is not None:
        return existing
    if LedgerEntry.objects.filter(idempotency_key__in=keys).exists():
        raise ValidationError(_("幂等键已用于其他申报，请勿重复使用。")) from exc
    raise ValidationError(_("资金池或限额约束拒绝了本次预留，未作任何更改。")) from exc


def _existing_awards(application, lines: list[Line]) -> list[Award] | None:
    """The awards an earlier call for the same application made (the same lines), or None."""
    awards = list(Award.objects.filter(application_id=application.pk).order_by("line", "pk"))
    if not awards:
        return None
    if any(a.status == Award.Status.RELEASED for a in awards):
        raise ValidationError(_("该申报的核定奖励已释放，不能再次预留。"))
    if {(line, ent, amt) for line, ent, amt in lines} != {(a.line, a.enterprise_id, a.amount) for a in awards}:
        held = "、".join(f"{line_label(a.line) or _('奖励')} {fmt_yuan(a.amount)}" for a in awards)
        raise ValidationError(
            _("该申报已预留奖励（%(held)s），与本次核定不一致；如需调整请先释放原奖励。") % {"held": held}
        )
    return awards
