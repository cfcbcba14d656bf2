"""What a letter says, snapshotted when the decision is taken (JSON, amounts as strings): the
addressee, the decision, the clause it rests on, the amount in figures and in capital numerals,
payment terms and tranches, the items to supplement. The PDF is rendered from this snapshot only,
so a later change of the enterprise's name or of a parameter never changes a letter."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.templatetags.money import capital_rmb
from reviews.models import Decision
from vouchers.calculator import LINE_LABELS

CENT = Decimal("0.01")

# 救济途径 the remedies a decision that refuses or reduces must name: 行政复议 within sixty days
# (行政复议法 2023 第二十条) to the district government, which since that revision (第二十四条) hears
# the appeals against its own departments (广州开发区's bureaus are 黄埔区's); 行政诉讼 within six
# months (行政诉讼法 第四十六条) to the people's court with jurisdiction — named by its role, because
# Guangzhou's administrative cases are under centralised jurisdiction whose court has moved before.
REVIEW_BODIES = {"huangpu": "广州市黄埔区人民政府", "tianhe": "广州市天河区人民政府"}
REMEDY = (
    "如对本决定不服，可以自收到{doc}之日起六十日内依法申请行政复议，"
    "或者自收到{doc}之日起六个月内依法向人民法院提起行政诉讼。"
)
REMEDY_AT = (
    "如对本决定不服，可以自收到{doc}之日起六十日内向{body}申请行政复议，"
    "或者自收到{doc}之日起六个月内依法向有管辖权的人民法院提起行政诉讼。"
)
# 退回期限 when a claw-back decision names no date: thirty days from receipt.
CLAWBACK_DAYS = 30

# Where a title may be broken (7.3.1 词意完整): between its words, and inside a name only at these
# seams — after the place, before the legal form, before a bracketed qualifier.
NAME_HEADS = ("广州开发区", "广东省", "广州市", "黄埔区", "天河区", "广州", "广东")
NAME_TAILS = ("股份有限公司", "有限责任公司", "有限公司", "集团", "研究院", "合伙企业（有限合伙）", "（有限合伙）")
TITLE_LINE = 20  # characters of 二号 on a line of the 156 mm block
PLACEHOLDER = re.compile(r"(%\((\w+)\)s)")


def date_zh(day: dt.date) -> str:
    """成文日期 in Arabic numerals, as GB/T 9704-2012 prescribes: 2026年3月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def remedy(policy, *, doc: str = "本通知") -> str:
    """The remedies paragraph; `doc` is how the letter names itself (本通知, 本决定书)."""
    body = REVIEW_BODIES.get(policy.district)
    return REMEDY_AT.format(body=body, doc=doc) if body else REMEDY.format(doc=doc)


def name_words(name: str) -> list[str]:
    """A proper name cut at its seams only (广州 | 甲智能科技 | 有限公司), so a long one may wrap there."""
    words, rest = [], name
    for head in NAME_HEADS:
        if rest.startswith(head) and len(rest) > len(head):
            words.append(head)
            rest = rest[len(head) :]
            break
    tail = ""
    for bracket in ("（", "("):
        if bracket in rest[1:]:
            rest, tail = rest[: rest.index(bracket, 1)], rest[rest.index(bracket, 1) :]
            break
    for end in NAME_TAILS:
        if rest.endswith(end) and len(rest) > len(end):
            words += [rest[: -len(end)], end]
            break
    else:
        words.append(rest)
    return [w for w in [*words, tail] if w]


def title_with_words(template: str, **names: str) -> tuple[str, list[str | list[str]]]:
    """The title and its words: the template's own text between the names stays whole; a name longer
    than a line is cut at its seams; an enterprise's name that fits is one word whose seams are
    given as a list (广州 | 甲智能科技 | 有限公司), broken there only when that saves a line. The PDF
    breaks the title only between words (render.title_lines)."""
    words: list[str | list[str]] = []
    parts = PLACEHOLDER.split(template)
    # re.split with two groups yields: text, whole placeholder, its name, text, ...
    for i in range(0, len(parts), 3):
        if parts[i]:
            words.append(parts[i])
        if i + 2 < len(parts):
            name = names[parts[i + 2]]
            if len(name) > TITLE_LINE:
                words += name_words(name)
            elif parts[i + 2] == "ent" and len(name_words(name)) > 1:
                words.append(name_words(name))
            else:  # a programme's name (算力算法赋能补贴) stays whole
                words.append(name)
    return "".join(w if isinstance(w, str) else "".join(w) for w in words), words


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


def _common(application, *, title_template: str) -> dict[str, Any]:
    enterprise = application.enterprise
    programme = application.programme
    policy = programme.policy
    title, words = title_with_words(title_template, ent=enterprise.name, prog=programme.name_zh)
    return {
        "authority": (programme.responsible_unit or policy.letter_authority).strip(),
        "title": title,
        "title_words": words,
        "addressee": {
            "name": enterprise.name,
            "credit_code": enterprise.credit_code,
            "address": enterprise.address,
            "legal_representative": enterprise.legal_representative,
        },
        "application": {
            "reference": application.reference,
            "title": application.title,
            "submitted_on": application.submitted_at.date().isoformat() if application.submitted_at else "",
        },
        "programme": {
            "code": programme.code,
            "name": programme.name_zh,
            "article": programme.article,
            "clause_text": programme.clause_text,
            "is_voucher": programme.is_voucher,
            "staged_payment": programme.staged_payment,
        },
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
        out.append(
            {
                "label": str(t.get("label") or _("第%(n)s期") % {"n": i}),
                "condition": str(t.get("condition") or ""),
                **amount_block(amount),
            }
        )
    if running > total:
        raise ValidationError({"tranches": _("分期拨付金额合计超过核定金额。")})
    return out


def approval(application, *, awards: list, voucher=None, extra: dict, decision=None) -> dict[str, Any]:
    programme = application.programme
    total = sum((a.amount for a in awards), Decimal("0")).quantize(CENT)
    if "amount" in extra:
        total = _money(extra["amount"], "amount")
    if total <= 0:
        raise ValidationError({"amount": _("核定金额为零，不能出具核定通知。")})
    c = _common(application, title_template=_("关于核定%(ent)s%(prog)s支持资金的通知"))
    c.update(amount_block(total))
    if decision is not None and decision.outcome == Decision.Outcome.REDUCE and decision.max_amount:
        # 核减 a reduced grant is a decision against part of the claim: it says why and how to appeal
        c["reduction"] = {"max_figures": figures(decision.max_amount), "reason": decision.reason}
        c["remedy"] = remedy(programme.policy)
    c["lines"] = (
        [
            {
                "label": LINE_LABELS.get(a.line, a.line),
                "enterprise": a.enterprise.name,
                "credit_code": a.enterprise.credit_code,
                **amount_block(a.amount),
            }
            for a in awards
        ]
        if len(awards) > 1
        else []
    )
    c["decision_text"] = str(extra.get("decision_text") or "")
    c["copy_to"] = [str(unit) for unit in extra.get("copy_to") or []]  # 抄送 in the 版记
    c["notice"] = {k: str(extra[k]) for k in ("notice_starts_on", "notice_ends_on") if extra.get(k)}
    c["tranches"] = _tranches(extra.get("tranches"), total)
    if voucher is not None:
        c["payment_mode"] = "voucher"
        c["voucher"] = {
            "code": voucher.code,
            "expires_on": voucher.expires_on.isoformat(),
            "expires_on_zh": date_zh(voucher.expires_on),
            **amount_block(voucher.face_value),
        }
    elif c["tranches"] or programme.staged_payment:
        c["payment_mode"] = "staged"
    else:
        c["payment_mode"] = "lump"
    return c


def decline(application, *, reason: str, extra: dict) -> dict[str, Any]:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("不予支持通知须写明理由。")})
    c = _common(application, title_template=_("关于%(ent)s申报%(prog)s不予支持的通知"))
    c["reason"] = reason
    c["remedy"] = str(extra.get("remedy") or remedy(application.programme.policy))
    c["copy_to"] = [str(unit) for unit in extra.get("copy_to") or []]
    return c


def supplement(application, *, items: list[dict], due_on: dt.date | None, note: str) -> dict[str, Any]:
    if not items:
        raise ValidationError({"items": _("补正通知书须逐项列明需补正的材料或事项。")})
    c = _common(application, title_template=_("%(prog)s申报材料补正通知书"))
    c["items"] = [{"label": str(i.get("label") or ""), "note": str(i.get("note") or "")} for i in items]
    c["due_on"] = due_on.isoformat() if due_on else ""
    c["due_on_zh"] = date_zh(due_on) if due_on else ""
    c["note"] = note or ""
    return c


def _addressee(enterprise) -> dict[str, str]:
    return {
        "name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "address": enterprise.address,
        "legal_representative": enterprise.legal_representative,
    }


def _programme(programme) -> dict[str, Any]:
    return {
        "code": programme.code,
        "name": programme.name_zh,
        "article": programme.article,
        "clause_text": programme.clause_text,
        "is_voucher": programme.is_voucher,
        "staged_payment": programme.staged_payment,
    }


def preapproval(preapproval, *, authority: str) -> dict[str, Any]:
    """事前同意函: the bureau consents, before the event, to the event the enterprise asked about; the
    award itself is decided on the claim after the event (the letter says so)."""
    enterprise = preapproval.enterprise
    programme = preapproval.programme
    policy = programme.policy
    title, words = title_with_words(
        _("关于同意%(ent)s%(prog)s事前申请的函"), ent=enterprise.name, prog=programme.name_zh
    )
    return {
        "authority": authority,
        "title": title,
        "title_words": words,
        "addressee": _addressee(enterprise),
        "preapproval": {
            "reference": preapproval.reference,
            "event_name": preapproval.event_name,
            "event_date": preapproval.event_date.isoformat(),
            "event_date_zh": date_zh(preapproval.event_date),
            "venue": preapproval.venue,
            "requested_on_zh": date_zh(timezone.localtime(preapproval.requested_at).date()),
            "opinion": preapproval.reason,
            **amount_block(preapproval.budget),
        },
        "programme": _programme(programme),
        "policy": {"title": policy.title, "document_number": policy.document_number},
        "copy_to": [],
    }


def clawback(
    application, *, clawback, enterprise, approval_number: str = "", account: dict[str, str] | None = None
) -> dict[str, Any]:
    """追回决定书: why the money paid is recovered, how much is owed (in figures and capitals), by when
    and into which account it is repaid, and the remedies (行政复议 / 行政诉讼) as on a decline."""
    programme = application.programme
    policy = programme.policy
    title, words = title_with_words(
        _("关于追回%(ent)s%(prog)s支持资金的决定"), ent=enterprise.name, prog=programme.name_zh
    )
    c: dict[str, Any] = {
        "authority": (programme.responsible_unit or policy.letter_authority).strip(),
        "title": title,
        "title_words": words,
        "addressee": _addressee(enterprise),
        "application": {
            "reference": application.reference,
            "title": application.title,
            "submitted_on": application.submitted_at.date().isoformat() if application.submitted_at else "",
        },
        "programme": _programme(programme),
        "policy": {"title": policy.title, "document_number": policy.document_number},
        "clawback": {
            "number": clawback.number,
            "reason": clawback.reason,
            "decided_on_zh": date_zh(clawback.decided_on),
            "disbursed_figures": figures(clawback.award.disbursed),
            "due_on": clawback.due_on.isoformat() if clawback.due_on else "",
            "due_on_zh": date_zh(clawback.due_on) if clawback.due_on else "",
            "due_days": CLAWBACK_DAYS,
        },
        "approval_number": approval_number,
        "account": {k: str(v) for k, v in (account or {}).items() if v},
        "remedy": remedy(policy, doc="本决定书"),
        "copy_to": [],
    }
    c.update(amount_block(clawback.amount))
    return c
