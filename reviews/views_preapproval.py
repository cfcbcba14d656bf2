"""The bureau's 事前同意 pages: the queue of pending pre-approval requests (nearest event first) and
one request with its decision form. Reads through applications' actor-scoped selectors; the decision
through reviews.services.preapproval_letters (applications' decision, and the 事前同意函 when approved)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from applications.forms import add_service_errors
from applications.forms_preapproval import PreApprovalDecideForm
from applications.models import PreApproval
from applications.selectors_preapproval import preapproval_get_for_actor, preapprovals_for_actor, preapprovals_pending
from portal.audit import client_ip
from portal.pagination import Capped

from .services.preapproval_letters import preapproval_decide_with_letter
from .views_common import REVIEW_ROLES, roles_required


@roles_required(*REVIEW_ROLES)
@require_GET
def preapproval_queue(request: HttpRequest) -> HttpResponse:
    """事前同意审核: pending requests first (to be decided before each event), then the latest decided."""
    decided = (
        preapprovals_for_actor(actor=request.user)
        .exclude(state=PreApproval.State.PENDING)
        .order_by("-decided_at", "-id")
    )
    return render(
        request,
        "reviews/preapprovals/queue.html",
        {
            "pending": Capped(preapprovals_pending(actor=request.user), 200),
            "decided": Capped(decided, 50),
            "today": timezone.localdate(),
        },
    )


@roles_required(*REVIEW_ROLES)
def preapproval_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    preapproval = preapproval_get_for_actor(actor=request.user, pk=pk)
    form = PreApprovalDecideForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            preapproval_decide_with_letter(
                actor=request.user,
                preapproval=preapproval,
                approve=approve,
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = _("已同意事前申请 %(ref)s。") if approve else _("已决定不予同意事前申请 %(ref)s。")
            messages.success(request, done % {"ref": preapproval.reference})
            return redirect("reviews:preapproval_queue")
    return render(
        request,
        "reviews/preapprovals/decide.html",
        {
            "p": preapproval,
            "form": form,
            "today": timezone.localdate(),
            "claims": list(preapproval.claims.order_by("-created_at")),
            "decidable": preapproval.state == PreApproval.State.PENDING
            and timezone.localdate() < preapproval.event_date,
        },
        status=400 if form.errors else 200,
    )
