"""Cleaning what an applicant typed into an application form, field by field, without the database.

A draft keeps the raw text (`Application.draft_data`) so nothing typed is lost; what cleans goes
into the application's columns, its project claims and its programme inputs. Error keys are the
field names of the API and the form: title, project_key, description, contract_numbers,
invoice_numbers, and ``inputs.<name>`` for a programme input."""

from __future__ import annotations

import dataclasses
import datetime
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from portal.jsonvalues import json_safe
from vouchers import calculator

TEXT_FIELDS = ("title", "project_key", "description")
LIST_FIELDS = ("contract_numbers", "invoice_numbers")
# 申报事项所属期间截止日: the end of the period the facts cover; the basis date of such a claim.
DATE_FIELDS = ("period_end",)
MAX_LENGTHS = {"title": 200, "project_key": 100, "description": 5000}
MAX_NUMBERS = 50
NUMBER_MAX_LENGTH = 100
INVOICE_RE = re.compile(r"^[0-9A-Z-]{6,40}$")
_SPLIT = re.compile(r"[\n\r,;、]+")


def normalise_number(text: str) -> str:
    """Contract/invoice number or project key as compared for 从高不重复: full-width to half-width,
    no spaces at all, upper case ("ht 2025－001" → "HT2025-001")."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(text.split()).upper()


def split_numbers(raw: str | Iterable[str] | None) -> list[str]:
    """One number per line (or separated by commas / semicolons / 、), normalised, duplicates dropped."""
    if raw is None:
        return []
    parts = (
        _SPLIT.split(unicodedata.normalize("NFKC", raw))
        if isinstance(raw, str)
        else [p for item in raw for p in _SPLIT.split(unicodedata.normalize("NFKC", str(item)))]
    )
    seen: dict[str, None] = {}
    for part in parts:
        value = normalise_number(part)
        if value:
            seen.setdefault(value, None)
    return list(seen)


def raw_text(value: Any) -> str:
    """A value as the form shows it again (the API may send numbers, booleans or lists)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "\n".join(raw_text(v) for v in value)
    return str(value)


@dataclass
class CleanedDraft:
    values: dict[str, Any] = field(default_factory=dict)  # title/project_key/description that cleaned
    numbers: dict[str, list[str]] = field(default_factory=dict)  # contract_numbers/invoice_numbers that cleaned
    inputs: dict[str, Any] = field(default_factory=dict)  # programme inputs present and valid (JSON-able)
    dropped_inputs: set[str] = field(default_factory=set)  # present in the raw text but invalid or emptied
    errors: dict[str, str] = field(default_factory=dict)


def clean_input(spec: calculator.ProgrammeSpec, meta: Mapping[str, Any], value: Any) -> Any:
    """One programme input through the calculator's own cleaning (raises calculator.InputError)."""
    one = dataclasses.replace(spec, inputs=(dict(meta, required=True),))
    return calculator.clean_inputs(one, {meta["name"]: value})[meta["name"]]


def clean_draft(spec: calculator.ProgrammeSpec, raw: Mapping[str, Any]) -> CleanedDraft:
    """Clean the fields present in `raw` (a partial draft); missing required values are not errors
    here (a draft may be incomplete), only values that are present and wrong."""
    out = CleanedDraft()
    for name in TEXT_FIELDS:
        if name not in raw:
            continue
        text = raw_text(raw[name]).strip()
        if name == "project_key":
            text = normalise_number(text)
        if len(text) > MAX_LENGTHS[name]:
            out.errors[name] = _("最多 %(n)d 个字符（当前 %(m)d 个）。") % {"n": MAX_LENGTHS[name], "m": len(text)}
        else:
            out.values[name] = text
    for name in LIST_FIELDS:
        if name not in raw:
            continue
        numbers = split_numbers(raw[name])
        label = _("合同编号") if name == "contract_numbers" else _("发票号码")
        if len(numbers) > MAX_NUMBERS:
            out.errors[name] = _("%(label)s最多填写 %(n)d 个。") % {"label": label, "n": MAX_NUMBERS}
            continue
        too_long = [n for n in numbers if len(n) > NUMBER_MAX_LENGTH]
        if too_long:
            out.errors[name] = _("%(label)s“%(v)s…”过长（最多 %(n)d 个字符）。") % {
                "label": label,
                "v": too_long[0][:20],
                "n": NUMBER_MAX_LENGTH,
            }
            continue
        if name == "invoice_numbers":
            bad = [n for n in numbers if not INVOICE_RE.match(n)]
            if bad:
                out.errors[name] = _("发票号码“%(v)s”格式不正确：应为6至40位数字或字母（可含“-”），每行一个。") % {
                    "v": bad[0][:40]
                }
                continue
        out.numbers[name] = numbers
    for name in DATE_FIELDS:
        if name not in raw:
            continue
        text = unicodedata.normalize("NFKC", raw_text(raw[name])).strip().replace("/", "-")
        if not text:
            out.values[name] = None
            continue
        try:
            out.values[name] = datetime.date.fromisoformat(text)
        except ValueError:
            out.errors[name] = _("日期格式应为“年-月-日”，如 2026-12-31。")
    declared = {m["name"]: m for m in spec.inputs}
    raw_inputs = raw.get("inputs")
    if raw_inputs is not None and not isinstance(raw_inputs, Mapping):
        out.errors["inputs"] = _("申报数据格式不正确。")
        raw_inputs = None
    for name, value in (raw_inputs or {}).items():
        meta = declared.get(str(name))
        if meta is None:
            out.errors[f"inputs.{name}"] = _("本项目没有这个申报数据项。")
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            out.dropped_inputs.add(meta["name"])
            continue
        try:
            out.inputs[meta["name"]] = json_safe(clean_input(spec, meta, value))
        except calculator.InputError as exc:
            out.errors[f"inputs.{meta['name']}"] = next(iter(exc.errors.values()))
            out.dropped_inputs.add(meta["name"])
    return out


def completeness_errors(spec: calculator.ProgrammeSpec, raw_inputs: Mapping[str, Any]) -> dict[str, str]:
    """Every programme input required for submission, with the calculator's messages."""
    present = {k: v for k, v in raw_inputs.items() if not (v is None or (isinstance(v, str) and not v.strip()))}
    try:
        calculator.clean_inputs(spec, {k: v for k, v in present.items() if k in {m["name"] for m in spec.inputs}})
    except calculator.InputError as exc:
        return {f"inputs.{k}": v for k, v in exc.errors.items()}
    return {}
