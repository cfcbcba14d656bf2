"""What a letter says, snapshotted when the decision is taken (JSON, amounts as strings): the
addressee, the decision, the clause it rests on, the amount in figures and in capital numerals,
payment terms and tranches, the items to supplement. The PDF is rendered from this snapshot only,
so a later change of the enterprise's name or of a parameter never changes a letter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.templatetags.money import capital_rmb

CENT = Decimal("0.01")
LINE_LABELS = {"": "", "supplier": "供应方", "buyer": "采购方"}

# 救济途径 the remedies a decline notice must name.
REMEDY = ("如对本决定不服，可自收到本通知之日起六十日内依法申请行政复议，"
          "或者自收到本通知之日起六个月内依法向人民法院提起行政诉讼。")


def date_zh(day: dt.date) -> str:
    """成文日期 in Arabic numerals, as GB/T 9704-2012 prescribes: 2026年3月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def figures(amount: Decimal) -> str:
    return f"{Decimal(amount).quantize(CENT):,}"


def _money(value: Any, field: str) -> Decimal:
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("金额格式不正确。")}) from None
    if not d.is_finite() or d < 0:
        raise ValidationError({field: _("金额格式不正确。")})
    return d.quantize(CENT)


def amount_block(amount: Decimal) -> dict[str, str]:
    return {"amount": str(amount), "amount_figures": figures(amount), "amount_capital": "人民币" + capital_rmb(amount)}


def _common(application, *, kind_title: str) -> dict[str, Any]:
    enterprise = application.enterprise
    programme = application.programme
    policy = programme.policy
    return {
        "authority": (programme.responsible_unit or policy.letter_authority).strip(),
        "title": kind_title,
        "addressee": {"name": enterprise.name, "credit_code": enterprise.credit_code,
                      "address": enterprise.address, "legal_representative": enterprise.legal_representative},
        "application": {"reference": application.reference, "title": application.title,
                        "submitted_on": application.submitted_at.date().isoformat() if application.submitted_at
                        else ""},
        "programme": {"code": programme.code, "name": programme.name_zh, "article": programme.article,
                      "clause_text": programme.clause_text, "is_voucher": programme.is_voucher,
                      "staged_payment": programme.staged_payment},
        "policy": {"title": policy.title, "document_number": policy.document_number},
    }


def _tranches(raw: Any, total: Decimal) -> list[dict[str, str]]:
    """分阶段拨付 the tranches named by the decision; they never sum above the award."""
    if not raw:
        return []
    out, running = [], Decimal("0")
    for i, t in enumerate(raw, start=1):
        amount = _money(t.get("amount"), "tranches")
        running += amount
        out.append({"label": str(t.get("label") or _("第%(n)s期") % {"n": i}),
                    "condition": str(t.get("condition") or ""), **amount_block(amount)})
    if running > total:
        raise ValidationError({"tranches": _("分期拨付金额合计超过核定金额。")})
    return out


def approval(application, *, awards: list, voucher=None, extra: dict) -> dict[str, Any]:
    enterprise = application.enterprise
    programme = application.programme
    total = sum((a.amount for a in awards), Decimal("0")).quantize(CENT)
    if "amount" in extra:
        total = _money(extra["amount"], "amount")
    if total <= 0:
        raise ValidationError({"amount": _("核定金额为零，不能出具核定通知。")})
    c = _common(application, kind_title=_("关于核定%(ent)s%(prog)s支持资金的通知")
                % {"ent": enterprise.name, "prog": programme.name_zh})
    c.update(amount_block(total))
    c["lines"] = [{"label": LINE_LABELS.get(a.line, a.line), "enterprise": a.enterprise.name,
                   "credit_code": a.enterprise.credit_code, **amount_block(a.amount)}
                  for a in awards] if len(awards) > 1 else []
    c["decision_text"] = str(extra.get("decision_text") or "")
    c["notice"] = {k: str(extra[k]) for k in ("notice_starts_on", "notice_ends_on") if extra.get(k)}
    c["tranches"] = _tranches(extra.get("tranches"), total)
    if voucher is not None:
        c["payment_mode"] = "voucher"
        c["voucher"] = {"code": voucher.code, "expires_on": voucher.expires_on.isoformat(),
                        "expires_on_zh": date_zh(voucher.expires_on), **amount_block(voucher.face_value)}
    elif c["tranches"] or programme.staged_payment:
        c["payment_mode"] = "staged"
    else:
        c["payment_mode"] = "lump"
    return c


def decline(application, *, reason: str, extra: dict) -> dict[str, Any]:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("不予支持通知须写明理由。")})
    c = _common(application, kind_title=_("关于%(ent)s申报%(prog)s不予支持的通知")
                % {"ent": application.enterprise.name, "prog": application.programme.name_zh})
    c["reason"] = reason
    c["remedy"] = str(extra.get("remedy") or REMEDY)
    return c


def supplement(application, *, items: list[dict], due_on: dt.date | None, note: str) -> dict[str, Any]:
    if not items:
        raise ValidationError({"items": _("补正通知书须逐项列明需补正的材料或事项。")})
    c = _common(application, kind_title=_("%(prog)s申报材料补正通知书") % {"prog": application.programme.name_zh})
    c["items"] = [{"label": str(i.get("label") or ""), "note": str(i.get("note") or "")} for i in items]
    c["due_on"] = due_on.isoformat() if due_on else ""
    c["due_on_zh"] = date_zh(due_on) if due_on else ""
    c["note"] = note or ""
    return c
