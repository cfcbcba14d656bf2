"""The one reading of a number typed by a person (金额 amounts above all): digits, optionally grouped
by thousands with commas (ASCII or full-width "，"), an optional sign and fraction, surrounding
spaces ignored. Anything else is not a number: " 1,0,0 " (commas that group nothing), "1e5", "NaN",
"1 000". The calculator, the budget and the decision services all read amounts through it."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

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
