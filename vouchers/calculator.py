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

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from portal import uscc
from portal.amounts import decimal_from

CENT = Decimal("0.01")
ZERO = Decimal("0")
# Inputs at or above this are refused: no programme's figures come near it, and it keeps every
# intermediate within the decimal context's 28 digits (quantize would fail beyond them).
MAX_INPUT = Decimal("1000000000000000")  # 1,000万亿

# Cap parameters applied by every single-line formula when the programme has them, in this order.
STANDARD_CAPS = ("cap_per_enterprise_year", "cap_per_enterprise_period", "programme_total_period")
CAP_LABELS = {
    "cap_per_enterprise_year": "每家企业每年最高",
    "cap_per_enterprise_period": "政策有效期内每家企业最高",
    "programme_total_period": "政策有效期内扶持总额",
    "cap_supplier_year": "供应方每家企业每年最高",
    "cap_buyer_year": "采购方每家企业每年最高",
}
LINE_LABELS = {"": "", "supplier": "供应方", "buyer": "采购方"}
# District codes of the policies and the names an enterprise record may use for them.
DISTRICT_LABELS = {"huangpu": "黄埔区", "tianhe": "天河区"}
DISTRICT_NAMES = {
    "huangpu": {"huangpu", "黄埔", "黄埔区", "广州开发区", "广州市黄埔区"},
    "tianhe": {"tianhe", "天河", "天河区", "广州市天河区"},
}


@dataclass(frozen=True)
class PriorAward:
    programme_code: str
    decided_on: date
    amount: Decimal  # amount awarded (for two-line awards, the line amount)
    line: str = ""  # th-scenario-demo: "supplier" / "buyer"
    level: str = ""  # th-dcmm level ("3", "4", "5"); th-software-matching level
    project_key: str = ""
    basis_on: date | None = None  # the award's basis date; decided_on for awards recorded without one

    @property
    def counted_on(self) -> date:
        return self.basis_on or self.decided_on


@dataclass(frozen=True)
class Step:
    label: str  # Chinese, e.g. "合规成本 × 比例"
    expression: str  # e.g. "1,200,000.00 × 30% = 360,000.00"
    amount: Decimal | None = None


@dataclass(frozen=True)
class AwardLine:
    line: str  # "" or "supplier" / "buyer"
    amount: Decimal
    capped_by: str | None


@dataclass(frozen=True)
class FactUse:
    """An enterprise fact the estimate rests on and whether it is verified (实名核验): `source` says by
    what (主管部门核验, 部门数据导入：…), or that it is the enterprise's own statement (企业自报)."""

    fact: str  # "district", "above_scale", "industry"
    label: str  # Chinese, e.g. "注册地、纳税地、统计地" or "供应方规模以上企业"
    value: str
    verified: bool
    source: str


@dataclass(frozen=True)
class Estimate:
    programme_code: str
    on: date
    eligible: bool
    amount: Decimal  # total, 0.01, ROUND_HALF_UP at the end; 0.00 when not eligible
    uncapped_amount: Decimal  # before caps
    capped_by: str | None  # parameter name of the bound that bit
    reasons: list[str]  # Chinese: why not eligible, why reduced, what review must check
    steps: list[Step]
    lines: list[AwardLine]
    parameters: dict[str, str]  # parameter values used, to store with the award
    facts: list[FactUse] = field(default_factory=list)  # the enterprise facts read, verified or self-stated


class InputError(ValueError):
    """Invalid estimate inputs; `errors` maps a field name (or "date") to a Chinese message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass(frozen=True)
class ParameterValue:
    name: str
    value: Decimal
    effective_from: date
    clause: str = ""
    note: str = ""


def parameters_on(values: Iterable[ParameterValue], on: date) -> dict[str, Decimal]:
    """The latest value of each parameter with effective_from <= on."""
    chosen: dict[str, ParameterValue] = {}
    for pv in values:
        if pv.effective_from > on:
            continue
        current = chosen.get(pv.name)
        if current is None or pv.effective_from >= current.effective_from:
            chosen[pv.name] = pv
    return {name: Decimal(pv.value) for name, pv in chosen.items()}


@dataclass(frozen=True)
class ProgrammeSpec:
    code: str
    formula: str
    inputs: tuple[Mapping[str, Any], ...]
    once_only: bool
    valid_from: date
    valid_to: date
    policy_code: str = ""
    district: str = ""
    name_zh: str = ""
    requires_above_scale: bool = False  # a Tianhe clause names 规模以上
    once_per_project: bool = False
    industries: tuple[tuple[str, str], ...] = ()  # (GB/T 4754 code, Chinese name) allowed
    # A successor programme's predecessors whose awards count as its own (caps, once-only, 从高).
    counts_with: tuple[str, ...] = ()
    requires_preapproval: bool = False  # th-events: 事前经同意, checked against the linked approval

    @classmethod
    def from_dict(cls, programme: Mapping[str, Any], policy: Mapping[str, Any]) -> ProgrammeSpec:
        return cls(
            code=programme["code"],
            formula=programme["formula"],
            inputs=tuple(dict(i) for i in programme["inputs"]),
            once_only=bool(programme.get("once_only", False)),
            valid_from=policy["valid_from"],
            valid_to=policy["valid_to"],
            policy_code=policy.get("code", ""),
            district=policy.get("district", ""),
            name_zh=programme.get("name_zh", ""),
            requires_above_scale=bool(programme.get("requires_above_scale", False)),
            once_per_project=bool(programme.get("once_per_project", False)),
            industries=tuple((i["code"], i["label_zh"]) for i in programme.get("industries") or ()),
            counts_with=tuple(programme.get("counts_with") or ()),
            requires_preapproval=bool(programme.get("requires_preapproval", False)),
        )

    def input(self, name: str) -> Mapping[str, Any]:
        for meta in self.inputs:
            if meta["name"] == name:
                return meta
        raise KeyError(name)

    def role(self, role: str) -> Mapping[str, Any]:
        for meta in self.inputs:
            if meta.get("role") == role:
                return meta
        raise KeyError(f"{self.code}: no input with role {role!r}")


@dataclass(frozen=True)
class EnterpriseFacts:
    above_scale: bool | None = None
    district: str = ""  # "huangpu" / "tianhe" (or 黄埔区 / 天河区); "" when unknown
    industry: str = ""  # GB/T 4754 code (e.g. "I65") or its Chinese name; "" when unknown
    credit_code: str = ""
    # How each fact was verified ("district", "above_scale", "industry" → 核验方式, Chinese); a fact
    # absent is the enterprise's own statement (企业自报). Passed in: the calculator reads no database.
    verified: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)


# ---------------------------------------------------------------- inputs

_INT = re.compile(r"^[+-]?\d+$")
_TRUE = {"true", "1", "yes", "on", "是", "y"}
_FALSE = {"false", "0", "no", "off", "否", "n"}
uscc_check_char = uscc.check_character  # the rule is portal.uscc's; bench/datagen calls it by this name


def _to_decimal(value: Any) -> Decimal | None:
    return decimal_from(value)  # the one reading of a typed number (portal.amounts)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean_one(meta: Mapping[str, Any], value: Any) -> Any:
    """Return the cleaned value or raise ValueError with the Chinese message."""
    label = meta.get("label_zh") or meta["name"]
    kind = meta["type"]
    if kind == "decimal":
        d = _to_decimal(value)
        if d is None:
            raise ValueError(f"“{label}”须为数字")
        if d < 0:
            raise ValueError(f"“{label}”不能为负数")
        if d >= MAX_INPUT:
            raise ValueError(f"“{label}”数值过大")
        if meta.get("unit") == "yuan":
            if d != d.quantize(CENT):
                raise ValueError(f"“{label}”最多保留两位小数（元）")
            d = d.quantize(CENT)
        return d
    if kind == "int":
        if isinstance(value, bool):
            raise ValueError(f"“{label}”须为整数")
        d = _to_decimal(value) if not isinstance(value, str) or _INT.match(value.strip()) else None
        if d is None or d != d.to_integral_value():
            raise ValueError(f"“{label}”须为整数")
        if d < 0:
            raise ValueError(f"“{label}”不能为负数")
        if d >= MAX_INPUT:
            raise ValueError(f"“{label}”数值过大")
        return int(d)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError(f"“{label}”须为是或否")
    if kind == "choice":
        text = str(value).strip()
        allowed = [str(c["value"]) for c in meta.get("choices") or ()]
        if text not in allowed:
            raise ValueError(f"“{label}”选项无效：{text}（可选：{'、'.join(allowed)}）")
        return text
    if kind == "uscc":
        text = uscc.normalize(value)
        problem = uscc.problem_of(text)
        if problem is not None:
            raise ValueError(f"“{label}”：{problem.message}")
        return text
    raise ValueError(f"“{label}”的类型 {kind} 未定义")


def clean_inputs(spec: ProgrammeSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Parse the estimate body; raise InputError with one Chinese message per bad field."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    declared = {meta["name"]: meta for meta in spec.inputs}
    for key in raw:
        if key not in declared:
            errors[str(key)] = "未知字段"
    for name, meta in declared.items():
        value = raw.get(name)
        if _missing(value):
            if meta.get("required", True):
                errors[name] = f"请填写“{meta.get('label_zh') or name}”"
            else:
                cleaned[name] = False if meta["type"] == "bool" else None
            continue
        try:
            cleaned[name] = _clean_one(meta, value)
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        raise InputError(errors)
    return cleaned


# ---------------------------------------------------------------- formatting


def yuan(d: Decimal) -> str:
    """1,200,000.00; an unrounded intermediate keeps all its digits."""
    if d == d.quantize(CENT):
        return f"{d.quantize(CENT):,.2f}"
    return f"{d.normalize():,f}"


def pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


# ---------------------------------------------------------------- the calculation


@dataclass
class _Cap:
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
class _Line:
    line: str
    uncapped: Decimal
    caps: list[_Cap]


@dataclass
class _Calc:
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
        self.facts.append(FactUse(fact=name, label=f"{who}{label}", value=value, verified=bool(source),
                                  source=source or "企业自报（未经核验）"))

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

    def cap(self, name: str, line: str = "", per: str = "") -> _Cap:
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
        cap = _Cap(name, limit, used)
        if used:
            when = f"{self.on.year}年度" if per == "year" else "政策有效期内"
            self.step(
                f"{cap.label}剩余额度",
                f"{yuan(limit)} − {when}已获 {yuan(used)} = {yuan(cap.remaining)}",
                cap.remaining,
            )
        return cap

    def standard_caps(self) -> list[_Cap]:
        per = {"cap_per_enterprise_year": "year", "cap_per_enterprise_period": "period"}
        return [self.cap(n, per=per.get(n, "")) for n in STANDARD_CAPS if n in self.params]

    def one_line(self, uncapped: Decimal, extra_caps: Sequence[_Cap] = ()) -> list[_Line]:
        return [_Line("", uncapped, [*extra_caps, *self.standard_caps()])]


def _rate(c: _Calc) -> list[_Line]:
    base, rate = c.value("base"), c.p("rate")
    amount = base * rate
    c.step(f"{c.label('base')} × 比例", f"{yuan(base)} × {pct(rate)} = {yuan(amount)}", amount)
    return c.one_line(amount)


def _increment(c: _Calc) -> Decimal:
    current, previous = c.value("current"), c.value("previous")
    increment: Decimal = current - previous
    c.step(
        f"增量 = {c.label('current')} − {c.label('previous')}",
        f"{yuan(current)} − {yuan(previous)} = {yuan(increment)}",
        increment,
    )
    return increment


def _increment_rate(c: _Calc) -> list[_Line]:
    increment, minimum, rate = _increment(c), c.p("min_increment"), c.p("rate")
    if increment < minimum:
        c.fail(f"增量 {yuan(increment)} 元未达到 {yuan(minimum)} 元")
        return c.one_line(ZERO)
    amount = increment * rate
    c.step("增量 × 比例", f"{yuan(increment)} × {pct(rate)} = {yuan(amount)}", amount)
    return c.one_line(amount)


def _fixed(c: _Calc) -> list[_Line]:
    amount = c.p("fixed_amount")
    c.step("奖励金额（定额）", f"{yuan(amount)}", amount)
    return c.one_line(amount)


def _requested(c: _Calc) -> list[_Line]:
    amount = c.value("requested")
    c.step(c.label("requested"), f"{yuan(amount)}", amount)
    return c.one_line(amount)


def _units(c: _Calc, increment: Decimal) -> int:
    unit = c.p("unit_size")
    units = int(increment // unit)  # complete units; exact (increment > 0 here, so // is floor)
    c.step("完整计奖单位数（向下取整）", f"⌊{yuan(increment)} ÷ {yuan(unit)}⌋ = {units}")
    return units


def _revenue_tiers(c: _Calc) -> list[_Line]:
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


def _scale_leap(c: _Calc) -> list[_Line]:
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


def _level_table(c: _Calc) -> list[_Line]:
    level = c.value("level")
    level_cap = c.cap(f"cap_{level}")
    level_cap.label = f"{_choice_label(c, 'level', level)}项目上限"
    lines = _rate(c)
    lines[0].caps.insert(0, level_cap)
    c.step(f"{_choice_label(c, 'level', level)}项目上限", yuan(level_cap.limit), level_cap.limit)
    return lines


def _choice_label(c: _Calc, role: str, value: str) -> str:
    for choice in c.spec.role(role).get("choices") or ():
        if str(choice["value"]) == str(value):
            return str(choice.get("label_zh") or value)
    return str(value)


def _two_line(c: _Calc) -> list[_Line]:
    base = c.value("base")
    if c.value("supplier") == c.value("buyer"):
        c.fail("供应方与采购方不能为同一企业")
    lines = []
    for line in ("supplier", "buyer"):
        rate = c.p(f"rate_{line}")
        amount = base * rate
        c.step(f"{LINE_LABELS[line]}：{c.label('base')} × 比例", f"{yuan(base)} × {pct(rate)} = {yuan(amount)}", amount)
        lines.append(_Line(line, amount, [c.cap(f"cap_{line}_year", line=line, per="year")]))
    return lines


def _dcmm_levels(c: _Calc) -> list[_Line]:
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


FORMULAS: dict[str, Callable[[_Calc], list[_Line]]] = {
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


def _facts_read(c: _Calc, facts: EnterpriseFacts | None, who: str = "") -> None:
    """The enterprise facts this programme's conditions read, each with whether it is verified."""
    spec = c.spec
    if facts is None:
        return
    if spec.district:
        district = facts.district.strip().lower()
        where = DISTRICT_LABELS.get(district, facts.district) or "不一致或未填写"
        c.fact(facts, "district", "注册地、纳税地、统计地", where, who)
    if spec.requires_above_scale and facts.above_scale is not None:
        c.fact(facts, "above_scale", "规模以上企业", "是" if facts.above_scale else "否", who)
    if spec.industries and not who:
        c.fact(facts, "industry", "所属行业", facts.industry or "未填写", who)


def _common_checks(c: _Calc, enterprise: EnterpriseFacts | None, project_key: str) -> None:
    spec = c.spec
    _facts_read(c, enterprise)
    district = enterprise.district.strip().lower() if enterprise else ""
    if enterprise and district and spec.district and district not in DISTRICT_NAMES.get(spec.district, {spec.district}):
        c.fail(f"企业注册地（{DISTRICT_LABELS.get(district, enterprise.district)}）不在本政策适用区域"
              f"（{DISTRICT_LABELS.get(spec.district, spec.district)}）")
    if spec.requires_above_scale:
        above = enterprise.above_scale if enterprise else None
        if above is False:
            c.fail("须为规模以上企业（纳入规模以上统计）")
        elif above is None:
            c.reasons.append("须为规模以上企业，由审核核实")
    if spec.industries:
        names = "、".join(label for _, label in spec.industries)
        industry = (enterprise.industry if enterprise else "").strip().upper()
        if not industry:
            c.reasons.append(f"须从事{names}经营活动，由审核核实")
        elif not any(
            industry.lstrip("I").startswith(code.upper().lstrip("I")) or label in industry
            for code, label in spec.industries
        ):
            c.fail(f"行业（{industry}）不属于{names}")
    if spec.once_only and c.prior:
        first = min(c.prior, key=lambda a: a.decided_on)
        c.fail(f"本项目为一次性奖励，已于 {first.decided_on.isoformat()} 获得 {yuan(Decimal(first.amount))} 元")
    if spec.requires_preapproval:
        c.reasons.append("须在活动举办前取得主管部门同意（事前同意），申报时关联该同意，由审核核实")
    if spec.once_per_project:
        if not project_key:
            c.reasons.append("同一项目仅支持一次，由审核核对项目")
        elif any(a.project_key == project_key for a in c.prior):
            c.fail(f"项目 {project_key} 已获本项目支持，同一项目仅支持一次")
    for meta in spec.inputs:
        value, label = c.inputs.get(meta["name"]), meta.get("label_zh") or meta["name"]
        if meta.get("must_be") is not None and value is not meta["must_be"]:
            c.fail(f"未满足条件：{label}")
        threshold = meta.get("threshold")
        if threshold and value is not None:
            minimum = c.p(threshold["param"])
            if threshold["op"] == "gt" and not value > minimum:
                c.fail(f"{label} {yuan(value)} 元须超过 {yuan(minimum)} 元")
            elif threshold["op"] == "ge" and not value >= minimum:
                c.fail(f"{label} {yuan(value)} 元须达到 {yuan(minimum)} 元及以上")


def _party_checks(c: _Calc, parties: Mapping[str, EnterpriseFacts | None]) -> None:
    """Two-party awards (th-scenario-demo): the clause's conditions hold for each party, not only for
    the applicant — 天河区规模以上企业（供应方）… 天河区规模以上企业（采购方）. A party not registered in
    the portal is left to the review."""
    spec = c.spec
    for role, facts in parties.items():
        who = LINE_LABELS.get(role, role)
        if facts is None:
            c.reasons.append(f"{who}尚未在平台注册，其注册地和规模以上情况由审核核实")
            continue
        _facts_read(c, facts, who)
        district = facts.district.strip().lower()
        if district and spec.district and district not in DISTRICT_NAMES.get(spec.district, {spec.district}):
            c.fail(f"{who}注册地（{DISTRICT_LABELS.get(district, facts.district)}）不在本政策适用区域"
                   f"（{DISTRICT_LABELS.get(spec.district, spec.district)}）")
        elif not district and spec.district:
            where = DISTRICT_LABELS.get(spec.district, spec.district)
            c.reasons.append(f"{who}须在{where}注册、纳税并纳入统计，由审核核实")
        if spec.requires_above_scale and facts.above_scale is False:
            c.fail(f"{who}须为规模以上企业（纳入规模以上统计）")


def _finish_line(c: _Calc, line: _Line) -> AwardLine:
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
            f"{who}测算额 {yuan(line.uncapped)} 元超过{binding.label}"
            f"剩余额度 {yuan(binding.remaining)} 元，按上限计"
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
    c = _Calc(spec=spec, params=params, inputs=cleaned, on=on, prior=mine)
    _common_checks(c, enterprise, project_key)
    if parties:
        _party_checks(c, parties)
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
    c = _Calc(spec=spec, params=params, inputs={}, on=on, prior=mine)
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
