"""The formulas 计算公式: one function per formula kind, each reading its parameters and inputs through
`Calc` and returning the award lines before caps; the tables say which roles and parameters each needs.

Pure: no database."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from .inputs import pct, yuan
from .spec import (
    CAP_LABELS,
    LINE_LABELS,
    STANDARD_CAPS,
    ZERO,
    EnterpriseFacts,
    FactUse,
    PriorAward,
    ProgrammeSpec,
    Step,
)


@dataclass
class Cap:
    name: str
    limit: Decimal
    used: Decimal = ZERO
    label: str = ""  # Chinese; never the parameter's name

    def __post_init__(self) -> None:
        self.label = self.label or CAP_LABELS.get(self.name, "上限")

    @property
    def remaining(self) -> Decimal:
        return max(self.limit - self.used, ZERO)


@dataclass
class Line:
    line: str
    uncapped: Decimal
    caps: list[Cap]


@dataclass
class Calc:
    spec: ProgrammeSpec
    params: Mapping[str, Decimal]
    inputs: dict[str, Any]
    on: date
    prior: list[PriorAward]  # this programme only
    reasons: list[str] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    used: dict[str, str] = field(default_factory=dict)
    eligible: bool = True
    facts: list[FactUse] = field(default_factory=list)

    def fact(self, facts: EnterpriseFacts, name: str, label: str, value: str, who: str = "") -> None:
        """Note a fact the estimate reads, with whether it is verified."""
        source = facts.verified.get(name, "")
        self.facts.append(
            FactUse(
                fact=name,
                label=f"{who}{label}",
                value=value,
                verified=bool(source),
                source=source or "企业自报（未经核验）",
            )
        )

    def p(self, name: str) -> Decimal:
        if name not in self.params:
            raise ValueError(f"{self.spec.code}: parameter {name!r} has no value on {self.on}")
        value = Decimal(self.params[name])
        self.used[name] = str(value)
        return value

    def fail(self, reason: str) -> None:
        self.eligible = False
        self.reasons.append(reason)

    def value(self, role: str) -> Any:
        return self.inputs[self.spec.role(role)["name"]]

    def label(self, role: str) -> str:
        meta = self.spec.role(role)
        return str(meta.get("label_zh") or meta["name"])

    def step(self, label: str, expression: str, amount: Decimal | None = None) -> None:
        self.steps.append(Step(label, expression, amount))

    def cap(self, name: str, line: str = "", per: str = "") -> Cap:
        """A cap; per="year" or "period" counts this enterprise's prior awards of the line."""
        limit = self.p(name)
        if per == "year":
            mine = [a for a in self.prior if a.line == line and a.counted_on.year == self.on.year]
        elif per == "period":
            mine = [
                a
                for a in self.prior
                if a.line == line
                and (a.programme_code != self.spec.code or self.spec.valid_from <= a.counted_on <= self.spec.valid_to)
            ]
        else:
            mine = []
        used = sum((Decimal(a.amount) for a in mine), ZERO)
        cap = Cap(name, limit, used)
        if used:
            when = f"{self.on.year}年度" if per == "year" else "政策有效期内"
            self.step(
                f"{cap.label}剩余额度",
                f"{yuan(limit)} − {when}已获 {yuan(used)} = {yuan(cap.remaining)}",
                cap.remaining,
            )
        return cap

    def standard_caps(self) -> list[Cap]:
        per = {"cap_per_enterprise_year": "year", "cap_per_enterprise_period": "period"}
        return [self.cap(n, per=per.get(n, "")) for n in STANDARD_CAPS if n in self.params]

    def one_line(self, uncapped: Decimal, extra_caps: Sequence[Cap] = ()) -> list[Line]:
        return [Line("", uncapped, [*extra_caps, *self.standard_caps()])]


def _rate(c: Calc) -> list[Line]:
    base, rate = c.value("base"), c.p("rate")
    amount = base * rate
    c.step(f"{c.label('base')} × 比例", f"{yuan(base)} × {pct(rate)} = {yuan(amount)}", amount)
    return c.one_line(amount)


def _increment(c: Calc) -> Decimal:
    current, previous = c.value("current"), c.value("previous")
    increment: Decimal = current - previous
    c.step(
        f"增量 = {c.label('current')} − {c.label('previous')}",
        f"{yuan(current)} − {yuan(previous)} = {yuan(increment)}",
        increment,
    )
    return increment


def _increment_rate(c: Calc) -> list[Line]:
    increment, minimum, rate = _increment(c), c.p("min_increment"), c.p("rate")
    if increment < minimum:
        c.fail(f"增量 {yuan(increment)} 元未达到 {yuan(minimum)} 元")
        return c.one_line(ZERO)
    amount = increment * rate
    c.step("增量 × 比例", f"{yuan(increment)} × {pct(rate)} = {yuan(amount)}", amount)
    return c.one_line(amount)


def _fixed(c: Calc) -> list[Line]:
    amount = c.p("fixed_amount")
    c.step("奖励金额（定额）", f"{yuan(amount)}", amount)
    return c.one_line(amount)


def _requested(c: Calc) -> list[Line]:
    amount = c.value("requested")
    c.step(c.label("requested"), f"{yuan(amount)}", amount)
    return c.one_line(amount)


def _units(c: Calc, increment: Decimal) -> int:
    unit = c.p("unit_size")
    units = int(increment // unit)  # complete units; exact (increment > 0 here, so // is floor)
    c.step("完整计奖单位数（向下取整）", f"⌊{yuan(increment)} ÷ {yuan(unit)}⌋ = {units}")
    return units


def _revenue_tiers(c: Calc) -> list[Line]:
    increment = _increment(c)
    previous = c.value("previous")
    min_growth = c.p("min_growth_rate")
    if previous <= 0:
        c.fail("上年同期营业收入为零，无法计算同比增速")
        return c.one_line(ZERO)
    growth = increment / previous
    shown = pct(growth.quantize(Decimal("0.0001")))  # display only; the test below is exact
    c.step("同比增速 = 增量 ÷ 上年同期", f"{yuan(increment)} ÷ {yuan(previous)} = {shown}")
    if not increment > min_growth * previous:  # 超10%: strictly greater, compared exactly
        c.fail(f"同比增速 {shown} 未超过 {pct(min_growth)}")
    tiers = []
    n = 1
    while f"tier{n}_increment" in c.params:
        tiers.append((n, c.p(f"tier{n}_increment"), c.p(f"tier{n}_per_unit")))
        n += 1
    reached = [t for t in tiers if increment > t[1]]  # 超0.5亿元…: strictly greater
    if not reached:
        c.fail(f"同比增量 {yuan(increment)} 元未超过 {yuan(tiers[0][1])} 元")
    if not c.eligible:
        return c.one_line(ZERO)
    n, threshold, per_unit = reached[-1]
    c.step(f"适用档次 {n}：增量超过 {yuan(threshold)}", f"每1000万元 {yuan(per_unit)}", per_unit)
    units = _units(c, increment)
    amount = units * per_unit
    c.step("单位数 × 每单位金额", f"{units} × {yuan(per_unit)} = {yuan(amount)}", amount)
    return c.one_line(amount)


def _scale_leap(c: Calc) -> list[Line]:
    revenue, min_revenue = c.value("revenue_current"), c.p("min_revenue")
    rd, rd_prev, min_rd = c.value("rd_current"), c.value("rd_previous"), c.p("min_rd")
    if revenue < min_revenue:  # 达50亿元及以上: >=
        c.fail(f"年度营业收入 {yuan(revenue)} 元未达到 {yuan(min_revenue)} 元")
    if rd < min_rd:
        c.fail(f"研发投入总量 {yuan(rd)} 元未达到 {yuan(min_rd)} 元")
    if not rd > rd_prev:
        c.fail(f"研发投入未正增长（{yuan(rd_prev)} → {yuan(rd)}）")
    growth = revenue - c.value("revenue_previous")
    c.step("营业收入增长额", f"{yuan(revenue)} − {yuan(c.value('revenue_previous'))} = {yuan(growth)}", growth)
    units = _units(c, growth) if growth > 0 else 0
    if units < 1:
        c.fail("营业收入增长不足一个计奖单位")
    if not c.eligible:
        return c.one_line(ZERO)
    per_unit = c.p("amount_per_unit")
    amount = units * per_unit
    c.step("单位数 × 每单位金额", f"{units} × {yuan(per_unit)} = {yuan(amount)}", amount)
    return c.one_line(amount)


def _level_table(c: Calc) -> list[Line]:
    level = c.value("level")
    level_cap = c.cap(f"cap_{level}")
    level_cap.label = f"{_choice_label(c, 'level', level)}项目上限"
    lines = _rate(c)
    lines[0].caps.insert(0, level_cap)
    c.step(f"{_choice_label(c, 'level', level)}项目上限", yuan(level_cap.limit), level_cap.limit)
    return lines


def _choice_label(c: Calc, role: str, value: str) -> str:
    for choice in c.spec.role(role).get("choices") or ():
        if str(choice["value"]) == str(value):
            return str(choice.get("label_zh") or value)
    return str(value)


def _two_line(c: Calc) -> list[Line]:
    base = c.value("base")
    if c.value("supplier") == c.value("buyer"):
        c.fail("供应方与采购方不能为同一企业")
    lines = []
    for line in ("supplier", "buyer"):
        rate = c.p(f"rate_{line}")
        amount = base * rate
        c.step(f"{LINE_LABELS[line]}：{c.label('base')} × 比例", f"{yuan(base)} × {pct(rate)} = {yuan(amount)}", amount)
        lines.append(Line(line, amount, [c.cap(f"cap_{line}_year", line=line, per="year")]))
    return lines


def _dcmm_levels(c: Calc) -> list[Line]:
    level = c.value("level")
    amount = c.p(f"level_{level}")
    c.step(f"数据管理能力成熟度{level}级奖励", yuan(amount), amount)
    if c.prior:
        known = [int(a.level) for a in c.prior if a.level.isdigit()]
        highest = max(known) if known else 0
        if highest >= int(level):
            c.fail(f"已获数据管理能力成熟度{highest}级奖励，同级或较低等级不再奖励（从高不重复）")
            return c.one_line(ZERO)
        paid = sum((Decimal(a.amount) for a in c.prior), ZERO)
        # 从高不重复: a higher level later pays only the difference to what was already awarded
        c.step("扣除此前已获数据管理能力成熟度奖励（差额）", f"{yuan(amount)} − {yuan(paid)} = {yuan(amount - paid)}")
        c.reasons.append(f"此前已获数据管理能力成熟度{highest or '较低'}级奖励 {yuan(paid)} 元，按差额奖励")
        amount = max(amount - paid, ZERO)
    return c.one_line(amount)


FORMULAS: dict[str, Callable[[Calc], list[Line]]] = {
    "rate": _rate,
    "increment_rate": _increment_rate,
    "fixed": _fixed,
    "requested": _requested,
    "revenue_tiers": _revenue_tiers,
    "scale_leap": _scale_leap,
    "level_table": _level_table,
    "two_line": _two_line,
    "dcmm_levels": _dcmm_levels,
}
# Input roles each formula reads (checked by the catalogue loader).
FORMULA_ROLES: dict[str, tuple[str, ...]] = {
    "rate": ("base",),
    "increment_rate": ("current", "previous"),
    "fixed": (),
    "requested": ("requested",),
    "revenue_tiers": ("current", "previous"),
    "scale_leap": ("revenue_current", "revenue_previous", "rd_current", "rd_previous"),
    "level_table": ("base", "level"),
    "two_line": ("base", "supplier", "buyer"),
    "dcmm_levels": ("level",),
}
# Parameters each formula needs; "{choice}" expands to every value of the level input.
FORMULA_PARAMS: dict[str, tuple[str, ...]] = {
    "rate": ("rate",),
    "increment_rate": ("rate", "min_increment"),
    "fixed": ("fixed_amount",),
    "requested": (),
    "revenue_tiers": ("min_growth_rate", "unit_size", "tier1_increment", "tier1_per_unit"),
    "scale_leap": ("min_revenue", "min_rd", "unit_size", "amount_per_unit"),
    "level_table": ("rate", "cap_{choice}"),
    "two_line": ("rate_supplier", "rate_buyer", "cap_supplier_year", "cap_buyer_year"),
    "dcmm_levels": ("level_{choice}",),
}
