"""统一社会信用代码 unified social credit code, GB 32100-2015.

18 characters: registration authority (1), organisation type (1), administrative division (6 digits),
organisation code (9), check character (1). The alphabet has 31 characters (no I, O, S, V, Z); the
check character is 31 - (Σ value(cᵢ) × 3^i mod 31) mod 31 over the first 17, with 31 written as 0.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28


def normalize(code: str) -> str:
    return "".join((code or "").split()).upper()


def check_character(first17: str) -> str:
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_error(code: str) -> str | None:
    """The reason a code is invalid, in the user's language, or None when it is valid."""
    code = normalize(code)
    if len(code) != 18:
        return str(_("统一社会信用代码应为18位，当前为%(n)d位。") % {"n": len(code)})
    bad = sorted({c for c in code if c not in VALUE})
    if bad:
        return str(_("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、S、V、Z）。")
                   % {"chars": "、".join(bad)})
    if not code[2:8].isdigit():
        return str(_("统一社会信用代码第3至8位应为行政区划码（数字）。"))
    expected = check_character(code[:17])
    if code[17] != expected:
        return str(_("统一社会信用代码校验位不正确（应为 %(c)s），请核对。") % {"c": expected})
    return None


def is_valid_uscc(code: str) -> bool:
    return uscc_error(code) is None


def validate_uscc(code: str) -> None:
    error = uscc_error(code)
    if error:
        raise ValidationError(error, code="invalid_uscc")
