"""The calculator's vocabulary: constants, the programme's specification, inputs and results.

Pure: standard library only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

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
