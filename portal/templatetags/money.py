"""Amounts for Chinese readers: exact yuan with two decimals, 万元 where the page prefers, and
Chinese capital numerals (大写) for letters."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _

register = template.Library()
CENT = Decimal("0.01")


def _dec(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def yuan(value) -> str:
    """1234567.5 → '1,234,567.50 元'"""
    d = _dec(value)
    if d is None:
        return "—"
    return _("%(amount)s 元") % {"amount": f"{d.quantize(CENT, ROUND_HALF_UP):,}"}


@register.filter
def wan(value) -> str:
    """1234567.5 → '123.46 万元'"""
    d = _dec(value)
    if d is None:
        return "—"
    return _("%(amount)s 万元") % {"amount": f"{(d / 10000).quantize(CENT, ROUND_HALF_UP):,}"}


DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ["", "拾", "佰", "仟"]
SECTIONS = ["", "万", "亿", "万亿"]


def _section(n: int) -> str:
    out, zero = "", False
    for i in range(3, -1, -1):
        d = n // 10**i % 10
        if d == 0:
            zero = bool(out)
        else:
            if zero:
                out += "零"
                zero = False
            out += DIGITS[d] + UNITS[i]
    return out


def capital_rmb(value) -> str:
    """Amount in Chinese capital numerals (人民币大写): 1,000,000.50 → 壹佰万元伍角整 style."""
    d = _dec(value)
    if d is None:
        return ""
    d = d.quantize(CENT, ROUND_HALF_UP)
    if d < 0:
        return "负" + capital_rmb(-d)
    integer, cents = int(d), int((d * 100) % 100)
    text = ""
    if integer:
        sections = []
        n = integer
        while n:
            sections.append(n % 10000)
            n //= 10000
        pending_zero = False
        for i in range(len(sections) - 1, -1, -1):
            sec = sections[i]
            if sec == 0:
                pending_zero = bool(text)
                continue
            if text and (pending_zero or sec < 1000):
                text += "零"
            text += _section(sec) + SECTIONS[i]
            pending_zero = sec % 10 == 0
        text += "元"
    jiao, fen = cents // 10, cents % 10
    if not jiao and not fen:
        return (text or "零元") + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    else:
        text += "整"
    return text


register.filter("capital_rmb", capital_rmb)
