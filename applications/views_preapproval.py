"""The applicant's 事前同意 pages: the enterprise's pre-approvals, a new request, one request with its
decision and the claims resting on it, and its withdrawal. Objects come from the actor-scoped
selectors only (404 for another enterprise's); every write goes through the service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.audit import client_ip
from portal.pagination import page_of

from .forms import add_service_errors
from .forms_preapproval import PreApprovalRequestForm
from .models import PreApproval
from .selectors_preapproval import preapproval_get_for_actor, preapprovals_for_actor
from .services_preapproval import preapproval_request, preapproval_withdraw
from .view_access import member_required


@member_required
@require_GET
def preapproval_list(request: HttpRequest) -> HttpResponse:
    """事前同意: the enterprise's requests, newest first, with what each allows."""
    page = page_of(request, preapprovals_for_actor(actor=request.user).prefetch_related("claims"), 100)
    return render(
        request,
        "applications/preapprovals/list.html",
        {"preapprovals": page.object_list, "page": page, "today": timezone.localdate()},
    )


@member_required
def preapproval_request_view(request: HttpRequest) -> HttpResponse:
    form = PreApprovalRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = preapproval_request(
                actor=request.user,
                programme=data["programme"],
                event_name=data["event_name"],
                event_date=data["event_date"],
                venue=data["venue"],
                plan=data["plan"],
                budget=data["budget"],
                ip=client_ip(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已提交事前同意申请 %(ref)s，请等待区科工信局审核。") % {"ref": made.reference})
            return redirect("applications:preapproval_detail", made.pk)
    return render(request, "applications/preapprovals/request.html", {"form": form}, status=400 if form.errors else 200)


@member_required
@require_GET
def preapproval_detail(request: HttpRequest, pk: int) -> HttpResponse:
    preapproval = preapproval_get_for_actor(actor=request.user, pk=pk)
    return render(
        request,
        "applications/preapprovals/detail.html",
        {
            "p": preapproval,
            "claims": list(preapproval.claims.select_related("programme").order_by("-created_at")),
            "can_withdraw": preapproval.state in (PreApproval.State.PENDING, PreApproval.State.APPROVED),
        },
    )


@member_required
@require_POST
def preapproval_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    preapproval = preapproval_get_for_actor(actor=request.user, pk=pk)
    try:
        preapproval_withdraw(
            actor=request.user, preapproval=preapproval, reason=request.POST.get("reason", ""), ip=client_ip(request)
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, "；".join(error.messages) if isinstance(error, ValidationError) else str(error))
    else:
        messages.success(request, _("事前同意申请 %(ref)s 已撤回。") % {"ref": preapproval.reference})
    return redirect("applications:preapproval_detail", preapproval.pk)
