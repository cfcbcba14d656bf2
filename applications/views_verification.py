"""Pages of 实名核验: the enterprise's verification (its claims, a new claim after a refusal), a contested
claim on a code someone else registered, and the bureau's queue with each claim and each fact-change
request to accept or refuse. Objects come from the actor-scoped selectors only; writes go through
applications.verification and applications.verification_facts."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.audit import client_ip
from portal.downloads import stored_file_download
from portal.pagination import Capped
from portal.permissions import may_verify_enterprises

from .forms import add_service_errors
from .forms_verification import ClaimDecideForm, ClaimResubmitForm, ContestForm, FactChangeDecideForm
from .models import District, EnterpriseClaim, EnterpriseMember, FactChangeRequest
from .selectors import enterprise_of
from .selectors_verification import (
    change_rows,
    claim_division,
    claim_get_for_actor,
    claims_for_actor,
    document_get_for_actor,
    enterprise_verification_state,
    fact_change_get_for_actor,
    fact_rows,
    verification_queue_for_actor,
)
from .verification import claim_accept, claim_contest, claim_refuse, claim_resubmit
from .verification_facts import fact_change_accept, fact_change_refuse
from .view_access import enterprise_user, member_required


def verifier_required(view):
    """Signed in, and allowed to verify enterprises (portal.permissions.may_verify_enterprises)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not may_verify_enterprises(request.user):
            raise PermissionDenied(_("只有主管部门审核人员可以核验企业。"))
        return view(request, *args, **kwargs)

    return wrapper


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


# ---------------------------------------------------------------- the enterprise's side


@member_required
def enterprise_verification(request: HttpRequest) -> HttpResponse:
    """实名核验: the state, the claims and the bureau's answers; the owner of an enterprise not verified
    (refused, or registered before claims) uploads the licence again."""
    enterprise = enterprise_of(request.user)
    is_owner = request.user.membership.member_role == EnterpriseMember.MemberRole.OWNER
    state = enterprise_verification_state(enterprise)
    may_claim = is_owner and not enterprise.is_verified and state["pending_claim"] is None
    form = ClaimResubmitForm(
        _posted(request), request.FILES or None, initial={"legal_representative": enterprise.legal_representative}
    )
    if request.method == "POST":
        if not is_owner:
            raise PermissionDenied(_("只有本企业的法人/负责人可以提交实名核验。"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                claim_resubmit(
                    actor=request.user,
                    enterprise=enterprise,
                    legal_representative=data["legal_representative"],
                    claimant_is_legal_representative=data["claimant_is_legal_representative"],
                    business_licence=data["business_licence"],
                    authorization=data["authorization"],
                    ip=client_ip(request),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("材料已提交主管部门核验，核验结果将通过站内信通知您。"))
                return redirect("applications:enterprise_verification")
    return render(
        request,
        "applications/verification/enterprise.html",
        {
            "enterprise": enterprise,
            "is_owner": is_owner,
            "may_claim": may_claim,
            "form": form,
            "facts": fact_rows(enterprise),
            **state,
        },
        status=400 if form.errors else 200,
    )


@enterprise_user
def enterprise_contest(request: HttpRequest) -> HttpResponse:
    """争议认领: for an enterprise user who belongs to no enterprise and finds the code registered."""
    if enterprise_of(request.user) is not None:
        if request.method == "POST":
            raise PermissionDenied(_("您的账户已关联一家企业，不能再认领其他企业。"))
        messages.info(request, _("您的账户已关联一家企业，不能再认领其他企业。"))
        return redirect("applications:enterprise")
    form = ContestForm(
        _posted(request), request.FILES or None, initial={"credit_code": request.GET.get("code", "")[:60]}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim_contest(
                actor=request.user,
                credit_code=data["credit_code"],
                name=data["name"],
                legal_representative=data["legal_representative"],
                registered_district=data["registered_district"],
                claimant_is_legal_representative=data["claimant_is_legal_representative"],
                statement=data["statement"],
                business_licence=data["business_licence"],
                authorization=data["authorization"],
                evidence=[data["evidence"]] if data["evidence"] else [],
                ip=client_ip(request),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("争议认领已提交主管部门核验，核验结果将通过站内信通知您。"))
            return redirect("applications:enterprise_contest")
    mine = claims_for_actor(request.user).filter(kind=EnterpriseClaim.Kind.CONTESTED).order_by("-created_at")
    return render(
        request,
        "applications/verification/contest.html",
        {"form": form, "claims": Capped(mine, 20)},
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------- the bureau's side


@verifier_required
@require_GET
def verification_queue(request: HttpRequest) -> HttpResponse:
    """企业核验: claims waiting (registrations and contested claims), fact changes waiting, the latest decided."""
    return render(
        request, "applications/verification/queue.html", {"queue": verification_queue_for_actor(request.user)}
    )


@verifier_required
def verification_claim(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_get_for_actor(actor=request.user, pk=pk)
    form = ClaimDecideForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "accept":
                claim_accept(
                    actor=request.user,
                    claim=claim,
                    facts_verified=data["facts_verified"],
                    reason=data["reason"],
                    ip=client_ip(request),
                )
                messages.success(request, _("已核验通过：%(e)s。") % {"e": claim.name})
            else:
                claim_refuse(actor=request.user, claim=claim, reason=data["reason"], ip=client_ip(request))
                messages.success(request, _("已退回认领：%(e)s，认领人将收到通知。") % {"e": claim.name})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("applications:verification_queue")
    enterprise = claim.enterprise
    return render(
        request,
        "applications/verification/claim.html",
        {
            "claim": claim,
            "form": form,
            "enterprise": enterprise,
            "division": claim_division(claim),
            "claimed_district": District(claim.registered_district or enterprise.registered_district).label,
            "documents": list(claim.documents.all()),
            "facts": fact_rows(enterprise),
            "owners": list(
                enterprise.members.select_related("user").filter(member_role=EnterpriseMember.MemberRole.OWNER)
            ),
            "history": Capped(
                claims_for_actor(request.user)
                .filter(enterprise=enterprise)
                .exclude(pk=claim.pk)
                .order_by("-created_at"),
                20,
            ),
            "decidable": claim.state == EnterpriseClaim.State.PENDING,
        },
        status=400 if form.errors else 200,
    )


@verifier_required
def verification_fact_change(request: HttpRequest, pk: int) -> HttpResponse:
    change = fact_change_get_for_actor(actor=request.user, pk=pk)
    form = FactChangeDecideForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "accept":
                fact_change_accept(actor=request.user, request=change, ip=client_ip(request))
                messages.success(request, _("变更已核验通过并生效：%(e)s。") % {"e": change.enterprise.name})
            else:
                fact_change_refuse(
                    actor=request.user, request=change, reason=form.cleaned_data["reason"], ip=client_ip(request)
                )
                messages.success(request, _("已退回变更申请：%(e)s。") % {"e": change.enterprise.name})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("applications:verification_queue")
    return render(
        request,
        "applications/verification/fact_change.html",
        {
            "change": change,
            "rows": change_rows(change),
            "form": form,
            "documents": list(change.documents.all()),
            "facts": fact_rows(change.enterprise),
            "decidable": change.state == FactChangeRequest.State.PENDING,
        },
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_GET
def verification_document(request: HttpRequest, pk: int) -> FileResponse:
    """A claim's or a request's document, for verifying staff and for its uploader only; always a download."""
    doc = document_get_for_actor(actor=request.user, pk=pk)
    return stored_file_download(doc.file, filename=doc.original_name, content_type=doc.content_type)
