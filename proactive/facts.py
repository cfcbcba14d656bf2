"""What each kind of enterprise fact (一企一档) holds and how a department's file writes it: the type,
whether it belongs to a period, the column headers that name it, and the parsing of one cell (a
Chinese message on failure). No database."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from portal.amounts import decimal_from

from .models import FactKind

BOOL = "bool"
YUAN = "yuan"
DATE = "date"
TEXT = "text"
CHOICE = "choice"

CREDIT_GRADES = ("A", "B", "M", "C", "D")
DCMM_LEVELS = ("1", "2", "3", "4", "5")
_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")
_TRUE = {"是", "true", "1", "y", "yes"}
_FALSE = {"否", "false", "0", "n", "no"}


@dataclass(frozen=True)
class KindSpec:
    kind: str
    type: str
    periodic: bool
    choices: tuple[str, ...] = ()


KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(FactKind.ABOVE_SCALE, BOOL, periodic=True),
        KindSpec(FactKind.ANNUAL_REVENUE, YUAN, periodic=True),
        KindSpec(FactKind.REVENUE_JAN_NOV, YUAN, periodic=True),
        KindSpec(FactKind.RD_EXPENSE, YUAN, periodic=True),
        KindSpec(FactKind.CREDIT_GRADE, CHOICE, periodic=True, choices=CREDIT_GRADES),
        KindSpec(FactKind.REGISTRATION_DATE, DATE, periodic=False),
        KindSpec(FactKind.ADDRESS, TEXT, periodic=False),
        KindSpec(FactKind.INDUSTRY_CODE, TEXT, periodic=False),
        KindSpec(FactKind.DCMM_LEVEL, CHOICE, periodic=False, choices=DCMM_LEVELS),
        KindSpec(FactKind.CAC_DEEP_SYNTHESIS, BOOL, periodic=False),
        KindSpec(FactKind.GENAI_FILING, BOOL, periodic=False),
        KindSpec(FactKind.NATIONAL_PLATFORM, BOOL, periodic=False),
    )
}

CODE_HEADERS = {"统一社会信用代码", "信用代码", "credit_code", "uscc"}
PERIOD_HEADERS = {"所属期间", "期间", "年度", "period"}
# Headers a department's file may use for each kind, besides the kind's own label and value.
HEADER_ALIASES = {
    "规上": FactKind.ABOVE_SCALE,
    "规上企业": FactKind.ABOVE_SCALE,
    "营业收入": FactKind.ANNUAL_REVENUE,
    "研发费用": FactKind.RD_EXPENSE,
    "研发投入": FactKind.RD_EXPENSE,
    "信用等级": FactKind.CREDIT_GRADE,
    "注册日期": FactKind.REGISTRATION_DATE,
    "地址": FactKind.ADDRESS,
    "国民经济行业代码": FactKind.INDUSTRY_CODE,
    "DCMM等级": FactKind.DCMM_LEVEL,
    "DCMM": FactKind.DCMM_LEVEL,
    "深度合成备案": FactKind.CAC_DEEP_SYNTHESIS,
    "生成式人工智能备案": FactKind.GENAI_FILING,
    "国家级平台": FactKind.NATIONAL_PLATFORM,
}
VALUE_MAX = 300


def header_kind(header: str) -> str | None:
    text = str(header or "").strip()
    for kind in FactKind:
        if text in (kind.value, str(kind.label)) or text == str(kind.label).split("（")[0]:
            return kind.value
    alias = HEADER_ALIASES.get(text)
    return alias.value if alias is not None else None


def period_parse(raw: object) -> str:
    """ "2025" or "2025-11" (a spreadsheet's number 2025 too); ValueError with a Chinese message."""
    text = str(raw if raw is not None else "").strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not _PERIOD.match(text):
        raise ValueError(_("所属期间须写作“2025”或“2025-11”"))
    return text


def period_before(period: str) -> str:
    """The same period one year earlier ("2025-11" → "2024-11")."""
    year, _sep, month = period.partition("-")
    return f"{int(year) - 1}{'-' + month if month else ''}"


def value_parse(kind: str, raw: object) -> str:
    """The cell as stored (是/否 → "true"/"false", amounts to the cent, dates ISO); ValueError in Chinese."""
    spec = KINDS[kind]
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    text = str(raw if raw is not None else "").strip()
    if not text:
        raise ValueError(_("不能为空"))
    if spec.type == BOOL:
        if isinstance(raw, bool):
            return "true" if raw else "false"
        if text.lower() in _TRUE:
            return "true"
        if text.lower() in _FALSE:
            return "false"
        raise ValueError(_("须为“是”或“否”"))
    if spec.type == YUAN:
        amount = decimal_from(text.replace(",", ""))
        if amount is None or not amount.is_finite():
            raise ValueError(_("须为金额（元）"))
        if amount < 0:
            raise ValueError(_("不能为负数"))
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError(_("最多保留两位小数（元）"))
        if amount >= Decimal("1000000000000000"):
            raise ValueError(_("数值过大"))
        return str(amount.quantize(Decimal("0.01")))
    if spec.type == DATE:
        if isinstance(raw, dt.date):
            return raw.isoformat()
        try:
            return dt.date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            raise ValueError(_("须为日期，写作“2020-05-18”")) from None
    if spec.type == CHOICE:
        value = text.upper().removesuffix("级").removesuffix(".0")
        value = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5"}.get(value, value)
        if value not in spec.choices:
            raise ValueError(_("须为以下之一：%(c)s") % {"c": "、".join(spec.choices)})
        return value
    if len(text) > VALUE_MAX:
        raise ValueError(_("最多 %(n)d 个字符") % {"n": VALUE_MAX})
    return text


def value_display(kind: str, value: str) -> str:
    spec = KINDS.get(kind)
    if spec is not None and spec.type == BOOL:
        return _("是") if value == "true" else _("否")
    if spec is not None and spec.type == YUAN:
        return f"{Decimal(value):,.2f}"
    return value


def as_input(kind: str, value: str) -> object:
    """A stored fact as a calculator input takes it."""
    spec = KINDS[kind]
    if spec.type == BOOL:
        return value == "true"
    return value
