"""Amounts in the budget tables, whose headers already say 元: 1234567.5 → '1,234,567.50'."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def amount(value) -> str:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "—"
    return f"{d.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"
