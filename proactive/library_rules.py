"""How long a document of the library (资料库) stays valid, by its kind. No database.

- 营业执照, 算法备案证明: no end date (valid until the enterprise replaces it); an end may be given (营业期限).
- 审计报告, 纳入规上统计证明: kept by year; a year's document serves applications until the end of the
  following year (the 2025 report is issued and used in 2026).
- 信用承诺书, 纳税证明: dated; the enterprise may give the end, else one year (承诺书) or 90 days (纳税证明)
  from the upload.
A new upload of a kind (and year) replaces the current one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models_library import LibraryMaterial

NO_END = frozenset({LibraryMaterial.BUSINESS_LICENSE, LibraryMaterial.FILING_CERTIFICATE})
BY_YEAR = frozenset({LibraryMaterial.AUDIT_REPORT, LibraryMaterial.STATISTICS_PROOF})
DEFAULT_DAYS = {LibraryMaterial.CREDIT_COMMITMENT: 365, LibraryMaterial.TAX_CERTIFICATE: 90}
MAX_YEARS_AHEAD = 10
EARLIEST_YEAR = 2000


@dataclass(frozen=True)
class Validity:
    year: int | None
    valid_until: dt.date | None


def validity_for(material: str, *, year: int | None, valid_until: dt.date | None, today: dt.date) -> Validity:
    """The year and end date a new document of `material` is kept with; ValidationError (by field, in
    Chinese) when the kind is unknown or the dates cannot be."""
    if material not in LibraryMaterial.values:
        raise ValidationError({"material": _("请选择资料库的材料类别。")})
    if valid_until is not None and valid_until < today:
        raise ValidationError({"valid_until": _("有效期不能早于今天。")})
    if valid_until is not None and valid_until > today.replace(year=today.year + MAX_YEARS_AHEAD):
        raise ValidationError({"valid_until": _("有效期最长 %(n)d 年。") % {"n": MAX_YEARS_AHEAD}})
    if material in BY_YEAR:
        if year is None:
            raise ValidationError({"year": _("请填写该材料所属的年度。")})
        if not EARLIEST_YEAR <= year <= today.year:
            raise ValidationError(
                {"year": _("所属年度应在 %(a)d 至 %(b)d 之间。") % {"a": EARLIEST_YEAR, "b": today.year}}
            )
        end = dt.date(year + 1, 12, 31)
        if end < today:
            raise ValidationError(
                {"year": _("%(y)d 年度的材料已过使用期（至次年年底），请上传更近年度的材料。") % {"y": year}}
            )
        return Validity(year=year, valid_until=end)
    if material in NO_END:
        return Validity(year=None, valid_until=valid_until)
    return Validity(
        year=None, valid_until=valid_until or today + dt.timedelta(days=DEFAULT_DAYS[LibraryMaterial(material)])
    )


def is_valid_on(valid_until: dt.date | None, today: dt.date) -> bool:
    return valid_until is None or valid_until >= today
