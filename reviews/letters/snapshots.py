"""What an application's letter says, read once when the letter is created (its snapshot): the
supplement items, the reason of a refusal, the awards of an approval (per party for a two-party award).
The wording and layout are content.py's; creating, numbering and storing the letter is services.py's."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from applications.models import Application, SupplementRequest
from vouchers.models import Award, Voucher

from . import content


def supplement(app: Application, extra: dict[str, Any]) -> dict[str, Any]:
    request = extra.get("supplement_request")
    if request is not None and not isinstance(request, SupplementRequest):
        request = SupplementRequest.objects.filter(pk=request, application=app).first()
    if request is None and "items" not in extra:
        request = app.supplement_requests.order_by("-created_at", "-id").first()
    if request is not None:
        items = [{"label": i.label, "note": i.note} for i in request.items.all()]
        return content.supplement(app, items=items, due_on=request.due_date, note=request.note)
    return content.supplement(
        app, items=list(extra.get("items") or []), due_on=extra.get("due_on"), note=str(extra.get("note") or "")
    )


def decline(app: Application, extra: dict[str, Any]) -> dict[str, Any]:
    reason = extra.get("reason")
    if not reason:
        decision = app.decisions.filter(current=True).first()
        reason = decision.reason if decision is not None else ""
    return content.decline(app, reason=str(reason or ""), extra=extra)


def approval(app: Application, extra: dict[str, Any], line: str = "", addressee=None) -> tuple[dict[str, Any], Any]:
    awards = list(
        Award.objects.filter(application=app)
        .exclude(status=Award.Status.RELEASED)
        .select_related("enterprise")
        .order_by("line", "pk")
    )
    applicant = app.enterprise
    if line:  # a two-party award: this line's letter, to this line's enterprise
        awards = [a for a in awards if a.line == line]
        app = copy.copy(app)  # the letter's view of the application: addressed to the line's enterprise
        app.enterprise = addressee
    if not awards and "amount" not in extra:
        raise ValidationError(_("该申报没有核定奖励，不能出具核定通知。"))
    voucher = Voucher.objects.filter(award__in=awards).first() if awards else None
    decision = app.decisions.filter(current=True).first()  # a 核减 decision gives the letter its remedies
    c = content.approval(app, awards=awards, voucher=voucher, extra=extra, decision=decision)
    if line:
        # 你单位为该项目采购方: the party it is, and who applied when that is another enterprise
        c["party"] = {
            "line": line,
            "label": content.LINE_LABELS.get(line, line),
            "applicant": applicant.name if applicant.pk != addressee.pk else "",
        }
    for key in ("notice_starts_on", "notice_ends_on"):  # 公示期 in the letter's own date style
        if c.get("notice", {}).get(key):
            c["notice"][f"{key}_zh"] = content.date_zh(dt.date.fromisoformat(c["notice"][key][:10]))
    return c, c["amount"]
