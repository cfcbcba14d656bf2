"""The enterprise's page action for an acceptance report (验收报告) with its files; the form is on the
enterprise's payments page (vouchers), the bureau's review is in vouchers.views_payments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import client_ip
from vouchers.payment_selectors import tranche_get_for_actor
from vouchers.services.acceptance import acceptance_report_submit
from vouchers.services.payments_common import require_enterprise

from .acceptance import acceptance_uploads_check


@login_required
@require_POST
def acceptance_submit(request: HttpRequest, pk: int) -> HttpResponse:
    require_enterprise(request.user)
    tranche = tranche_get_for_actor(actor=request.user, pk=pk)
    try:
        files = acceptance_uploads_check(request.FILES.getlist("files"))
        acceptance_report_submit(
            actor=request.user,
            tranche=tranche,
            summary=request.POST.get("summary", ""),
            files=files,
            ip=client_ip(request),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("验收报告已提交，待主管部门审核。"))
    return redirect("vouchers:payments_mine")
