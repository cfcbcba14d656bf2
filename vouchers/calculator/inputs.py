"""Reading an estimate's inputs (one Chinese message per bad field) and formatting figures.

Pure: no database."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from portal import uscc
from portal.amounts import decimal_from

from .spec import CENT, MAX_INPUT, InputError, ProgrammeSpec

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
