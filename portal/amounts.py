"""The one reading of a number typed by a person (金额 amounts above all): digits, optionally grouped
by thousands with commas (ASCII or full-width "，"), an optional sign and fraction, surrounding
spaces ignored. Anything else is not a number: " 1,0,0 " (commas that group nothing), "1e5", "NaN",
"1 000". The calculator, the budget and the decision services all read amounts through it, and
amount_from is the one check of an amount of money given to a service (messages in Chinese)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
# The largest amount a money column holds (max_digits 16, decimal_places 2); forms and services refuse more.
MAX_AMOUNT = Decimal("99999999999999.99")
PLAIN_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")


def decimal_from_text(text: str) -> Decimal | None:
    """The Decimal a person wrote, or None when the text is not a plain number."""
    cleaned = str(text).strip().replace("，", ",")
    if not PLAIN_NUMBER.match(cleaned):
        return None
    try:
        value = Decimal(cleaned.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def decimal_from(value) -> Decimal | None:
    """An amount given as a Decimal, an int, a float (by its shortest text) or text (decimal_from_text);
    None for anything else, booleans included."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        try:
            value = Decimal(repr(value))  # shortest round-trip text: 0.1 -> "0.1", not binary noise
        except InvalidOperation:
            return None
        return value if value.is_finite() else None
    if isinstance(value, str):
        return decimal_from_text(value)
    return None


def amount_from(value: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """An amount of money (元) given to a service: a Decimal, an int or text as people write amounts
    (decimal_from), at most two places (精确到分), not negative, above zero unless `allow_zero`, and
    storable. ValidationError on `field` in the reader's language otherwise."""
    d = decimal_from(value)
    if d is None:
        raise ValidationError({field: _("请输入有效的金额（元）。")})
    if d != d.quantize(CENT):
        raise ValidationError({field: _("金额最多保留两位小数（精确到分）。")})
    if d < 0:
        raise ValidationError({field: _("金额不能为负数。") if allow_zero else _("金额必须大于零。")})
    if d == 0 and not allow_zero:
        raise ValidationError({field: _("金额必须大于零。")})
    if d > MAX_AMOUNT:
        raise ValidationError({field: _("金额过大。")})
    return d.quantize(CENT)
