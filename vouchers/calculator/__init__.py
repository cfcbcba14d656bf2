"""Award calculator 补贴测算: parameters + inputs + prior awards in, amount and explanation out.

Pure: standard library only, no database, no Django. Every programme names one formula kind
(`FORMULAS`); the numbers come from dated parameters (`parameters_on`), so an annual guideline
(申报指南) can change a rate or a cap from a date without touching this code.

Rules from PROGRAMS.md implemented here: caps are maxima; 超/超过 is strictly greater, 达…(及)以上
is greater or equal (input `threshold.op` gt / ge); 每增长1000万元 counts complete units (floor);
`on` is the application's basis date (测算基准日); per-year caps count prior awards whose basis
date falls in its calendar year, per-period caps those inside the policy validity (and every award
of a predecessor programme the successor counts with); once-only programmes refuse any prior award. Exact decimals
throughout, ROUND_HALF_UP to 0.01 only at the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .checks import common_checks, party_checks
from .formulas import FORMULA_PARAMS, FORMULA_ROLES, FORMULAS, Calc, Line
from .inputs import clean_inputs, pct, uscc_check_char, yuan
from .spec import (
    CAP_LABELS,
    CENT,
    DISTRICT_LABELS,
    LINE_LABELS,
    MAX_INPUT,
    STANDARD_CAPS,
    ZERO,
    AwardLine,
    EnterpriseFacts,
    Estimate,
    FactUse,
    InputError,
    ParameterValue,
    PriorAward,
    ProgrammeSpec,
    Step,
    parameters_on,
)

__all__ = [
    "CAP_LABELS",
    "CENT",
    "DISTRICT_LABELS",
    "FORMULAS",
    "FORMULA_PARAMS",
    "FORMULA_ROLES",
    "LINE_LABELS",
    "MAX_INPUT",
    "STANDARD_CAPS",
    "ZERO",
    "AwardLine",
    "EnterpriseFacts",
    "Estimate",
    "FactUse",
    "InputError",
    "ParameterValue",
    "PriorAward",
    "ProgrammeSpec",
    "Step",
    "clean_inputs",
    "estimate",
    "parameters_on",
    "pct",
    "remaining_caps",
    "uscc_check_char",
    "yuan",
]


def _finish_line(c: Calc, line: Line) -> AwardLine:
    if not c.eligible:
        return AwardLine(line.line, ZERO.quantize(CENT), None)
    amount, capped_by = line.uncapped, None
    binding = min(line.caps, key=lambda cap: cap.remaining, default=None)  # first wins a tie
    if binding is not None and line.uncapped > binding.remaining:
        amount, capped_by = binding.remaining, binding.name
        who = LINE_LABELS.get(line.line, "")
        c.step(
            f"{who}受{binding.label}限制",
            f"测算额 {yuan(line.uncapped)} 元高于剩余额度 {yuan(binding.remaining)} 元，按 {yuan(amount)} 元计",
            amount,
        )
        c.reasons.append(
            f"{who}测算额 {yuan(line.uncapped)} 元超过{binding.label}剩余额度 {yuan(binding.remaining)} 元，按上限计"
        )
    return AwardLine(line.line, amount.quantize(CENT, rounding=ROUND_HALF_UP), capped_by)


def estimate(
    *,
    spec: ProgrammeSpec,
    params: Mapping[str, Decimal],
    inputs: Mapping[str, Any],
    on: date,
    prior: Sequence[PriorAward] = (),
    enterprise: EnterpriseFacts | None = None,
    project_key: str = "",
    parties: Mapping[str, EnterpriseFacts | None] | None = None,
) -> Estimate:
    """Estimate the award for one application; raises InputError for bad inputs or a date
    outside the policy validity. `prior` is the enterprise's earlier awards (any programme; for
    th-scenario-demo the supplier's supplier-line and the buyer's buyer-line awards). `parties`:
    the facts of each award line's enterprise by line ("supplier", "buyer"; None when not
    registered), checked like the applicant's when given (the bureau's estimate)."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    try:
        cleaned = clean_inputs(spec, inputs)
    except InputError as exc:
        errors.update(exc.errors)
    if not spec.valid_from <= on <= spec.valid_to:
        errors["date"] = (
            f"测算日期 {on.isoformat()} 不在政策有效期内"
            f"（{spec.valid_from.isoformat()} 至 {spec.valid_to.isoformat()}）"
        )
    if errors:
        raise InputError(errors)
    if spec.formula not in FORMULAS:
        raise ValueError(f"{spec.code}: unknown formula {spec.formula!r}")

    mine = [a for a in prior if a.programme_code == spec.code or a.programme_code in spec.counts_with]
    c = Calc(spec=spec, params=params, inputs=cleaned, on=on, prior=mine)
    common_checks(c, enterprise, project_key)
    if parties:
        party_checks(c, parties)
    raw_lines = FORMULAS[spec.formula](c)
    lines = [_finish_line(c, line) for line in raw_lines]
    total = sum((line.amount for line in lines), ZERO).quantize(CENT)
    uncapped = sum((line.uncapped for line in raw_lines), ZERO) if c.eligible else ZERO
    capped_by = next((line.capped_by for line in lines if line.capped_by), None)
    if c.eligible:
        c.step("测算金额", f"{yuan(total)} 元", total)
    return Estimate(
        programme_code=spec.code,
        on=on,
        eligible=c.eligible,
        amount=total,
        uncapped_amount=uncapped.quantize(CENT, rounding=ROUND_HALF_UP),
        capped_by=capped_by,
        reasons=c.reasons,
        steps=c.steps,
        lines=lines,
        parameters=dict(sorted(c.used.items())),
        facts=list(c.facts),
    )


def remaining_caps(
    *, spec: ProgrammeSpec, params: Mapping[str, Decimal], on: date, prior: Sequence[PriorAward] = ()
) -> dict[str, Decimal]:
    """What is left of each per-enterprise cap on `on` (before any new award)."""
    mine = [a for a in prior if a.programme_code == spec.code or a.programme_code in spec.counts_with]
    c = Calc(spec=spec, params=params, inputs={}, on=on, prior=mine)
    out: dict[str, Decimal] = {}
    for name, line, per in (
        ("cap_per_enterprise_year", "", "year"),
        ("cap_per_enterprise_period", "", "period"),
        ("cap_supplier_year", "supplier", "year"),
        ("cap_buyer_year", "buyer", "year"),
    ):
        if name in params:
            out[name] = c.cap(name, line=line, per=per).remaining
    return out
