"""The decision workspace (实质审核: the proposal of an approval or a refusal) and the approval pages
(四眼原则): the proposals awaiting me (and approving several at once), a step
approved or sent back from the decision workspace, the approval chains (read only: edited in the
Django admin) and the collective decision (集体决策) of a competitive programme before its notice.
Views only shape requests and responses: the rules are in reviews.services.approvals/collective."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.workflow import COMPETITIVE
from portal.audit import client_ip
from portal.downloads import stored_file_download
from portal.flash import flash_refusal
from portal.pagination import page_of
from portal.permissions import in_district
from vouchers.models import Programme

from . import selectors
from . import selectors_approvals as chains
from .forms import DecisionForm, DeclineForm, errors_to_form
from .forms_approvals import ApproveManyForm, CollectiveDecisionForm, StepApproveForm, StepReturnForm
from .models import DecisionProposal
from .services import approvals, collective
from .views_common import ADMIN_ROLES, REVIEW_ROLES, bulk_messages, roles_required

SCOPES = ("mine", "proposed", "all")
PAGE_SIZE = 50


@roles_required(*REVIEW_ROLES)
def approvals_list(request: HttpRequest) -> HttpResponse:
    """拟办审批: awaiting me (the next step one I may hold), proposed by me, or all of them."""
    scope = request.GET.get("scope") if request.GET.get("scope") in SCOPES else "mine"
    page = page_of(request, chains.proposals_for(actor=request.user, scope=scope), PAGE_SIZE)
    for p in page:
        p.next = chains.next_step(p)
    return render(
        request,
        "reviews/approvals.html",
        {"rows": page, "page": page, "scope": scope, "form": ApproveManyForm(ids=[p.pk for p in page])},
    )


@require_POST
@roles_required(*REVIEW_ROLES)
def approvals_approve_many(request: HttpRequest) -> HttpResponse:
    ids = chains.visible_proposal_ids(
        actor=request.user, ids=[int(i) for i in request.POST.getlist("ids") if str(i).isdigit()]
    )
    form = ApproveManyForm(request.POST, ids=ids)
    if form.is_valid():
        try:
            results = approvals.proposals_approve_many(
                actor=request.user,
                proposal_ids=form.cleaned_data["ids"],
                comment=form.cleaned_data["comment"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            flash_refusal(request, exc)
        else:
            bulk_messages(request, results)
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    return redirect("reviews:approvals")


def _step(request: HttpRequest, pk: int, form_class, act) -> HttpResponse:
    p = chains.proposal_get_for_actor(actor=request.user, pk=pk)  # 404 before anything else
    form = form_class(request.POST)
    form.is_valid()
    try:
        done = act(p, form.cleaned_data)
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, done)
    return redirect("reviews:decision", pk=p.application_id)


@require_POST
@roles_required(*REVIEW_ROLES)
def proposal_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def act(p, data):
        p = approvals.proposal_approve(
            actor=request.user, proposal=p, comment=data.get("comment", ""), ip=client_ip(request)
        )
        return _("已同意，%(msg)s") % {
            "msg": next_step_message(chains.proposal_get_for_actor(actor=request.user, pk=p.pk))
        }

    return _step(request, pk, StepApproveForm, act)


@require_POST
@roles_required(*REVIEW_ROLES)
def proposal_return(request: HttpRequest, pk: int) -> HttpResponse:
    def act(p, data):
        approvals.proposal_return(actor=request.user, proposal=p, reason=data.get("reason", ""), ip=client_ip(request))
        return _("已退回拟办意见。")

    return _step(request, pk, StepReturnForm, act)


@roles_required(*REVIEW_ROLES)
def approval_chains(request: HttpRequest) -> HttpResponse:
    """审批链 (read only) and the authorised leaders."""
    return render(
        request,
        "reviews/approval_chains.html",
        {
            "chains": chains.approval_chains(),
            "leaders": chains.authorised_leaders(),
            "admin_url": reverse("admin:reviews_approvalchain_changelist") if request.user.is_superuser else "",
        },
    )


# ---------------------------------------------------------------- 集体决策


@roles_required(*ADMIN_ROLES)
def collective_decision_new(request: HttpRequest) -> HttpResponse:
    """记录集体决策 for the approved applications of one competitive programme awaiting their notice."""
    groups = [g for g in selectors.pending_notice_groups(actor=request.user) if g["competitive"]]
    programmes = {g["programme"].code: g["programme"] for g in groups}
    code = request.POST.get("programme") or request.GET.get("programme") or next(iter(programmes), "")
    programme = programmes.get(code)
    if programme is None:
        known = Programme.objects.filter(code=code).select_related("policy").first() if code else None
        if known is not None and not in_district(request.user, known.policy.district):
            raise Http404  # another district's programme: not found, as every out-of-district object
        if known is not None and known.review_path != COMPETITIVE:
            messages.error(request, _("该项目不是竞争性评审项目，无须记录集体决策。"))
        elif code:
            messages.error(request, _("该项目暂无待公示的申报。"))
        return redirect("reviews:notices_admin")
    pending = [a for g in groups if g["programme"].pk == programme.pk for a in g["applications"]]
    form = CollectiveDecisionForm(request.POST or None, request.FILES or None, applications=pending)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            collective.collective_decision_record(
                actor=request.user,
                programme=programme,
                application_ids=data["ids"],
                meeting_name=data["meeting_name"],
                meeting_date=data["meeting_date"],
                attendees=data["attendees"],
                minutes=data["minutes"],
                upload=data.get("file"),
                ip=client_ip(request),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("已记录集体决策，可以发布公示。"))
            return redirect("reviews:notices_admin")
    return render(
        request,
        "reviews/collective_decision.html",
        {"programme": programme, "programmes": programmes.values(), "form": form},
        status=400 if form.errors else 200,
    )


@roles_required(*ADMIN_ROLES)
def collective_decision_file(request: HttpRequest, pk: int) -> FileResponse:
    record = chains.collective_decision_get(actor=request.user, pk=pk)
    if not record.file:
        raise Http404
    return stored_file_download(record.file, filename=record.original_name, content_type=record.content_type)


# ---------------------------------------------------------------- the decision workspace (实质审核)


def next_step_message(p: DecisionProposal) -> str:
    """Where the proposal stands, for the flash after proposing or approving a step."""
    if p.status == DecisionProposal.Status.APPROVED:
        return _("审批完成，决定已生效。")
    step = chains.next_step(p)
    return _("待%(step)s。") % {"step": step.get_role_display()} if step else ""


@roles_required(*REVIEW_ROLES)
def decision(request: HttpRequest, pk: int) -> HttpResponse:
    """实质审核 the decision workspace: the calculator's maximum with its explanation, the 从高不重复
    conflicts and the panel; the pending proposal with its chain and each step (approve or send back
    when the next step is mine), else the proposal form — approve (in full or reduced, with a reason)
    or decline (with a reason), always with the proposer's comment — and the earlier proposals."""
    app = selectors.review_application_get(actor=request.user, pk=pk)
    ctx = selectors.decision_context(app)
    history = chains.proposals_of(app)
    pending = next((p for p in history if p.status == DecisionProposal.Status.PENDING), None)
    form = DecisionForm(request.POST or None, lines=ctx["lines"])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = approvals.decision_propose(
                actor=request.user,
                application=app,
                outcome=data["outcome"],
                reason=data["reason"],
                comment=data["comment"],
                amounts=form.amounts() if data["outcome"] == "approve" else None,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("拟办意见已提交，%(msg)s")
                % {"msg": next_step_message(chains.proposal_get_for_actor(actor=request.user, pk=made.pk))},
            )
            return redirect("reviews:decision", pk=pk)
    if pending is not None:
        pending.next = chains.next_step(pending)
        pending.may_act = chains.may_act_on(pending, request.user)
    return render(
        request,
        "reviews/decision.html",
        {
            "app": app,
            "form": form,
            "proposal": pending,
            "history": [p for p in history if p is not pending],
            "chains": [c for c in chains.approval_chains() if c.active],
            "step_form": StepApproveForm(),
            "return_form": StepReturnForm(),
            **ctx,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@roles_required(*REVIEW_ROLES)
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    """不予支持 proposed from the workspace (any stage of review), with its reason and the comment."""
    form = DeclineForm(request.POST)
    if not form.is_valid():
        selectors.review_application_get(actor=request.user, pk=pk)
        messages.error(request, _("不予支持须说明理由。"))
        return redirect("reviews:application", pk=pk)
    selectors.review_application_get(actor=request.user, pk=pk)  # 404 before anything else
    try:
        made = approvals.decision_propose(
            actor=request.user,
            application=pk,
            outcome="decline",
            reason=form.cleaned_data["reason"],
            comment=form.cleaned_data["comment"],
            ip=client_ip(request),
        )
    except ValidationError as exc:
        flash_refusal(request, exc)
        return redirect("reviews:application", pk=pk)
    messages.success(
        request,
        _("不予支持的拟办意见已提交，%(msg)s")
        % {"msg": next_step_message(chains.proposal_get_for_actor(actor=request.user, pk=made.pk))},
    )
    return redirect("reviews:decision", pk=pk)
