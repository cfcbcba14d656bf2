"""The administrators' claw-back decision from an award's payments page (追回决定): recorded with its
追回决定书 by reviews.services.clawback_letters (vouchers does not import reviews, so the page that
decides lives here; the award's page itself is vouchers')."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import client_ip
from vouchers import payment_selectors as sel
from vouchers.forms_payments import ClawbackForm
from vouchers.services.payments_common import require_payment_admin

from .services.clawback_letters import clawback_decide_with_letter


@login_required
@require_POST
def payment_award_clawback(request: HttpRequest, pk: int) -> HttpResponse:
    require_payment_admin(request.user)
    award = sel.payment_award_get_for_actor(actor=request.user, pk=pk)
    form = ClawbackForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(
                [
                    f"{form.fields[k].label}：{e}" if k in form.fields else str(e)
                    for k, errs in form.errors.items()
                    for e in errs
                ]
            )
        c = clawback_decide_with_letter(actor=request.user, award=award, ip=client_ip(request), **form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("追回决定 %(n)s 已记录，奖励随之终止；追回决定书已出具。") % {"n": c.number})
    return redirect("vouchers:payment_award", pk=award.pk)
