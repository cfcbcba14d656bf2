"""Review pages for bureau staff: the queue with its bulk actions, overdue work, the review workspace
of one application (formal review, experts; the decision is views_approvals.py's) and the batch
ranking. Views only shape requests and responses; every rule is in reviews.services and every read
in reviews.selectors."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.models import ApplicationEvent
from applications.selectors import application_timeline
from applications.workflow import EventAction, State, allowed_transitions
from portal.audit import client_ip
from portal.flash import flash_refusal
from portal.models import Role
from portal.pagination import IdFirstPaginator, page_of, with_links
from portal.templatetags.money import yuan
from vouchers.display import input_label
from vouchers.models import Award, Programme
from vouchers.selectors import window_get_for_actor, windows_for_actor

from . import selectors
from . import selectors_approvals as chains
from .forms import (
    AssignForm,
    BatchApproveForm,
    BulkForm,
    DeclineForm,
    ExpertsAssignForm,
    QueueFilterForm,
    SupplementReturnForm,
    errors_to_form,
)
from .models import ExpertAssignment, Objection, PublicNoticeEntry, ReviewAssignment
from .services import approvals, assignments, experts, formal
from .services.common import is_admin, link, min_experts
from .views_common import ADMIN_ROLES, REVIEW_ROLES, bulk_messages, roles_required

PAGE_SIZE = 50


# ---------------------------------------------------------------- queue


@roles_required(*REVIEW_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    """审核队列 what is assigned to me and what waits in my stage, filtered and sorted by age."""
    form = QueueFilterForm(request.GET or None, actor=request.user)
    filters = selectors.QueueFilters.from_query(form.cleaned_data if form.is_valid() else {})
    calendar = selectors.calendar_for_queue()
    qs = selectors.queue_for(actor=request.user, filters=filters, calendar=calendar)
    page = IdFirstPaginator(
        qs, PAGE_SIZE, count_key=f"queue:{request.user.pk}:{filters}", rows=selectors.queue_values
    ).get_page(request.GET.get("page"))
    rows = _queue_cells(selectors.queue_rows(page.object_list, actor=request.user, calendar=calendar))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reviews/queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "is_admin": is_admin(request.user),
            "bulk": BulkForm(actor=request.user),
            "reviewers": AssignForm(actor=request.user).fields["reviewer"].queryset if is_admin(request.user) else [],
        },
    )


def _queue_cells(rows: list[dict]) -> list[dict]:
    """What each row of the queue page and of the overdue list prints, formatted once here: at 50
    rows a template lookup, filter or {% url %} per cell costs more than everything else on the page."""
    head, tail = reverse("reviews:application", args=[0]).rsplit("0", 1)
    # get_FOO_display() hashes every lazy choice label on each call: look the labels up once
    states = {value: str(label) for value, label in State.choices}
    paths = {value: str(label) for value, label in Programme.ReviewPath.choices}
    for row in rows:
        row.update(
            url=f"{head}{row['id']}{tail}",
            programme=Programme.reader_name(row["programme_name_zh"], row["programme_name_en"]),
            policy=row["policy_document_number"] or row["policy_title"],
            path=paths.get(row["review_path"], row["review_path"]),
            state_label=states.get(row["state"], row["state"]),
            submitted=timezone.localtime(row["submitted_at"]).strftime("%Y-%m-%d %H:%M") if row["submitted_at"] else "",
            deadline_text=row["deadline"].isoformat() if row["deadline"] else "",
            amount=yuan(row["estimate_amount"]) if row["estimate_amount"] is not None else "—",
        )
    return rows


@require_POST
@roles_required(*REVIEW_ROLES)
def queue_bulk(request: HttpRequest) -> HttpResponse:
    """Bulk actions where they are safe: claim, assign (administrators), send to experts."""
    ids = [int(i) for i in request.POST.getlist("ids") if str(i).isdigit()]
    form = BulkForm(request.POST, ids=ids, actor=request.user)
    back = reverse("reviews:queue") + ("?" + request.POST["next_query"] if request.POST.get("next_query") else "")
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect(back)
    action, ip = form.cleaned_data["action"], client_ip(request)
    if action == "claim":
        results = assignments.reviewers_claim_many(actor=request.user, application_ids=form.cleaned_data["ids"], ip=ip)
    elif action == "assign":
        results = assignments.reviewers_assign_many(
            actor=request.user, application_ids=form.cleaned_data["ids"], reviewer=form.cleaned_data["reviewer"], ip=ip
        )
    else:
        try:
            results = assignments.send_to_experts_many(
                actor=request.user, application_ids=form.cleaned_data["ids"], note=form.cleaned_data["note"], ip=ip
            )
        except ValidationError as exc:
            flash_refusal(request, exc)
            return redirect(back)
    bulk_messages(request, results)
    return redirect(back)


@roles_required(*REVIEW_ROLES)
def overdue(request: HttpRequest) -> HttpResponse:
    """逾期事项 past their deadline: the reviewer's own; everything (and objections) for administrators."""
    calendar = selectors.calendar_for_queue()
    data = selectors.overdue_for(actor=request.user, calendar=calendar)
    page = IdFirstPaginator(
        data["applications"], PAGE_SIZE, count_key=f"overdue:{request.user.pk}", rows=selectors.queue_values
    ).get_page(request.GET.get("page"))
    rows = _queue_cells(selectors.queue_rows(page.object_list, actor=request.user, calendar=calendar))
    # the overdue objections a page at a time too (?opage=), each pager keeping the other's place
    objections = page_of(request, data["objections"], PAGE_SIZE, param="opage")
    return render(
        request,
        "reviews/overdue.html",
        {
            "rows": rows,
            "page": with_links(request, page),
            "objections": objections,
            "is_admin": is_admin(request.user),
        },
    )


# ---------------------------------------------------------------- one application


def _timeline(app, actor) -> list[ApplicationEvent]:
    labels = dict(State.choices)
    events = application_timeline(app, actor=actor)
    for e in events:
        e.to_state_label = labels.get(e.to_state, e.to_state)
        # no code names for readers: the action's label, else the event's own words
        e.action_label = e.get_action_display() if e.action in EventAction.values else e.message or e.action
    return events


def _shown(value):
    """An input value as the reviewer reads it: yes/no for flags."""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return value


def _workspace(request: HttpRequest, app, **extra) -> dict:
    user = request.user
    assignment = ReviewAssignment.objects.filter(application=app).select_related("reviewer").first()
    attachments = list(app.attachments.filter(superseded_at__isnull=True).order_by("material", "uploaded_at"))
    for att in attachments:  # the applications app serves files to staff through its checked view
        att.download_url = link("applications:attachment_download", app.pk, att.pk)
    checklist = formal.formal_checklist(app, attachments)
    mine = assignment is not None and assignment.reviewer_id == user.pk
    may_act = is_admin(user) or mine
    transitions = {t.name for t in allowed_transitions(app.state, app.programme.review_path)}
    competitive = app.programme.review_path == "competitive"
    panel = selectors.panel_summary(app) if competitive else None
    if panel is not None:  # the finish button only when the service would accept it
        panel["min_experts"] = min_experts()
        panel["ready"] = app.state == State.EXPERT_REVIEW and not experts.panel_incomplete(app)
    ctx = {
        "app": app,
        "assignment": assignment,
        "mine": mine,
        "may_act": may_act,
        "is_admin": is_admin(user),
        "checklist": checklist,
        "attachments": attachments,
        "missing": [r for r in checklist if not r["present"]],
        "supplements": selectors.supplement_history(app),
        "timeline": _timeline(app, request.user),
        "transitions": transitions,
        "competitive": competitive,
        "panel": panel,
        "decision": selectors.current_decision(app),
        "proposal": chains.pending_proposal(app),
        "decisions_all": list(app.decisions.select_related("decided_by").order_by("created_at")),
        "awards": list(Award.objects.filter(application=app).order_by("line")),
        "conflicts": selectors.project_conflicts(app),
        "notice_entries": list(PublicNoticeEntry.objects.filter(application=app).select_related("notice")),
        "objections": list(Objection.objects.filter(application=app)) if is_admin(user) else [],
        "claims": list(app.claims.all()),
        "inputs": [
            (input_label(m), _shown((app.inputs or {}).get(m["name"])), m.get("unit"))
            for m in app.programme.inputs or []
        ],
        "deadline": selectors.deadline_of(
            selectors.with_deadline_fields(type(app).objects.filter(pk=app.pk)).first(), selectors.calendar_for_queue()
        ),
        "assign_form": AssignForm(
            initial={"reviewer": assignment.reviewer_id if assignment else None},
            actor=user,
            district=app.programme.policy.district,
        )
        if is_admin(user)
        else None,
        "decline_form": DeclineForm(),
    }
    if competitive and is_admin(user) and app.state in (State.FORMAL_REVIEW, State.EXPERT_REVIEW):
        ctx["experts_form"] = extra.pop("experts_form", None) or ExpertsAssignForm(
            exclude=[a.expert_id for a in panel["experts"]], actor=user, district=app.programme.policy.district
        )
    ctx.update(extra)
    return ctx


@roles_required(*REVIEW_ROLES)
def application(request: HttpRequest, pk: int) -> HttpResponse:
    """审核工作台 the review workspace of one application."""
    app = selectors.review_application_get(actor=request.user, pk=pk)
    return render(request, "reviews/application.html", _workspace(request, app))


def _act(request: HttpRequest, pk: int, fn: Callable[[], object], success: str) -> HttpResponse:
    selectors.review_application_get(actor=request.user, pk=pk)  # 404 before anything else
    try:
        fn()
    except ValidationError as exc:
        flash_refusal(request, exc)
    else:
        messages.success(request, success)
    return redirect("reviews:application", pk=pk)


@require_POST
@roles_required(Role.REVIEWER)
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda: assignments.reviewer_claim(actor=request.user, application=pk, ip=client_ip(request)),
        _("已认领，由您负责审核。"),
    )


@require_POST
@roles_required(*REVIEW_ROLES)
def release(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda: assignments.reviewer_release(actor=request.user, application=pk, ip=client_ip(request)),
        _("已退回待认领。"),
    )


@require_POST
@roles_required(*ADMIN_ROLES)
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    form = AssignForm(request.POST, actor=request.user)  # the service refuses another district's reviewer
    if not form.is_valid():
        selectors.review_application_get(actor=request.user, pk=pk)
        messages.error(request, _("请选择在岗的审核人员。"))
        return redirect("reviews:application", pk=pk)
    return _act(
        request,
        pk,
        lambda: assignments.reviewer_assign(
            actor=request.user, application=pk, reviewer=form.cleaned_data["reviewer"], ip=client_ip(request)
        ),
        _("已分配审核人员。"),
    )


@require_POST
@roles_required(*REVIEW_ROLES)
def formal_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda: formal.formal_review_start(actor=request.user, application=pk, ip=client_ip(request)),
        _("已开始形式审查。"),
    )


@require_POST
@roles_required(*REVIEW_ROLES)
def formal_pass(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda: formal.formal_review_pass(
            actor=request.user, application=pk, note=request.POST.get("note", ""), ip=client_ip(request)
        ),
        _("形式审查通过。"),
    )


@roles_required(*REVIEW_ROLES)
def formal_return(request: HttpRequest, pk: int) -> HttpResponse:
    """退回补正: every missing item at once (一次性告知)."""
    app = selectors.review_application_get(actor=request.user, pk=pk)
    checklist = formal.formal_checklist(app)
    form = SupplementReturnForm(request.POST or None, checklist=checklist)
    if request.method == "POST" and form.is_valid():
        try:
            formal.formal_review_return(
                actor=request.user,
                application=app,
                items=form.items(),
                note=form.cleaned_data["note"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("已退回补正，并通知申报单位。"))
            return redirect("reviews:application", pk=pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "reviews/formal_return.html",
        {
            "app": app,
            "form": form,
            "formal_due": formal.formal_review_due(app),
            "supplement_due": formal.due_after("supplement"),
        },
        status=status,
    )


@require_POST
@roles_required(*ADMIN_ROLES)
def experts_assign(request: HttpRequest, pk: int) -> HttpResponse:
    app = selectors.review_application_get(actor=request.user, pk=pk)
    seated = ExpertAssignment.objects.filter(application=app).values_list("expert_id", flat=True)
    form = ExpertsAssignForm(request.POST, actor=request.user, exclude=seated, district=app.programme.policy.district)
    if form.is_valid():
        try:
            experts.experts_assign(
                actor=request.user, application=app, experts=form.cleaned_data["experts"], ip=client_ip(request)
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("已指派评审专家。"))
            return redirect("reviews:application", pk=pk)
    return render(request, "reviews/application.html", _workspace(request, app, experts_form=form), status=400)


@require_POST
@roles_required(*REVIEW_ROLES)
def experts_finish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda: experts.expert_review_finish(actor=request.user, application=pk, ip=client_ip(request)),
        _("专家评审完成，进入实质审核。"),
    )


# ---------------------------------------------------------------- batches (competitive ranking)


@roles_required(*REVIEW_ROLES)
def batches(request: HttpRequest) -> HttpResponse:
    windows = windows_for_actor(actor=request.user).filter(programme__review_path="competitive")
    return render(request, "reviews/batches.html", {"windows": windows})


@roles_required(*REVIEW_ROLES)
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    """排名 a batch by the experts' mean against the quota and the pool, with both options' effect."""
    window = window_get_for_actor(actor=request.user, pk=pk)
    ranking = selectors.batch_ranking(window=window)
    pending = [r["application"].pk for r in ranking["rows"] if r["application"].state == State.BUREAU_REVIEW]
    form = BatchApproveForm(request.POST or None, ids=pending)
    if request.method == "POST":
        if not is_admin(request.user):
            raise PermissionDenied(_("仅主管部门管理员可以批量核定。"))
        if form.is_valid():
            results = approvals.batch_propose(
                actor=request.user,
                window=window,
                application_ids=form.cleaned_data["ids"],
                comment=form.cleaned_data["comment"],
                mode=form.cleaned_data["mode"],
                ip=client_ip(request),
            )
            bulk_messages(request, results)
            return redirect("reviews:batch", pk=pk)
    return render(
        request,
        "reviews/batch.html",
        {"ranking": ranking, "form": form, "is_admin": is_admin(request.user)},
        status=400 if form.errors else 200,
    )
