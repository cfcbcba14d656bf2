"""The applicant's pages: dashboard, apply, attachments, status, supplement, withdraw.
Views parse, call a service or a selector, and render; protected objects come from actor-scoped
selectors only (404 for another enterprise's)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.audit import client_ip
from portal.downloads import stored_file_download
from portal.flash import flash_refusal
from portal.models import Role
from portal.pagination import page_of
from vouchers.display import input_label
from vouchers.models import Programme
from vouchers.selectors import programme_get, window_open_for

from .forms import (
    ApplicationForm,
    AttachmentForm,
    ResubmitForm,
    SubmitForm,
    WithdrawForm,
    add_service_errors,
    input_field_name,
)
from .models import Application
from .models_supplement import GENERAL_ANSWER
from .selectors import (
    allowed_materials,
    application_awards,
    application_get_for_actor,
    application_timeline,
    applications_for_actor,
    attachment_get_for_actor,
    enterprise_of,
    materials_checklist,
    supplement_request_view,
)
from .selectors_preapproval import preapproval_options
from .services import (
    application_create,
    application_resubmit,
    application_save_draft,
    application_submit,
    application_withdraw,
    attachment_add,
    attachment_remove,
    submission_problems,
)
from .view_access import enterprise_user, member_required, own_application, posted_data
from .workflow import EDITABLE_BY_APPLICANT, TERMINAL, EventAction, State

DASHBOARD_PAGE_SIZE = 50
DECIDED = (State.APPROVED_PENDING_NOTICE, State.IN_PUBLIC_NOTICE, State.APPROVED, State.DECLINED)


# ---------------------------------------------------------------- dashboard and applications


@enterprise_user
def dashboard(request: HttpRequest) -> HttpResponse:
    """我的申报: the enterprise's applications with their state in plain words, and what needs doing."""
    enterprise = enterprise_of(request.user)
    if enterprise is None:
        return render(request, "applications/dashboard_no_enterprise.html")
    # only what the rows show (not each programme's catalogue entry and its policy's full text per row)
    qs = (
        applications_for_actor(actor=request.user)
        .select_related("programme__policy")
        .only(
            "id",
            "reference",
            "title",
            "state",
            "submitted_at",
            "due_date",
            "estimate_amount",
            "created_at",
            "programme__code",
            "programme__name_zh",
            "programme__name_en",
            "programme__policy__code",
            "programme__policy__document_number",
            "programme__policy__title",
        )
        .annotate(n_files=Count("attachments", filter=Q(attachments__superseded_at__isnull=True)))
    )
    state = request.GET.get("state", "")
    programme = request.GET.get("programme", "")
    if state in State.values:
        qs = qs.filter(state=state)
    if programme:
        qs = qs.filter(programme__code=programme)
    page = page_of(request, qs.order_by("-created_at", "-id"), DASHBOARD_PAGE_SIZE)
    return render(
        request,
        "applications/dashboard.html",
        {
            "enterprise": enterprise,
            "applications": page,
            "page": page,
            "states": State.choices,
            "state": state,
            "programme": programme,
            "today": timezone.localdate(),
            "todo": list(qs.filter(state__in=EDITABLE_BY_APPLICANT).order_by("-created_at", "-id")),  # all, any page
            "programmes": Programme.objects.filter(applications__enterprise=enterprise)
            .only("code", "name_zh", "name_en")
            .distinct()
            .order_by("code"),
        },
    )


@member_required
def application_new(request: HttpRequest, programme_code: str) -> HttpResponse:
    """申报 under one programme: a confirmation page (GET) that opens a draft (POST). Values from the
    calculator (?eligible_cost=…) are carried into the draft."""
    programme = programme_get(code=programme_code)
    names = [m["name"] for m in programme.inputs or []]
    carried = {n: request.POST.get(input_field_name(n), request.GET.get(n, "")) for n in names}
    carried = {k: v for k, v in carried.items() if v}
    if request.method == "POST":
        try:
            saved = application_create(
                actor=request.user,
                programme=programme,
                data={"inputs": carried} if carried else None,
                ip=client_ip(request),
            )
        except (ValidationError, PermissionDenied) as error:
            flash_refusal(request, error)
            return redirect("applications:create", programme.code)
        messages.success(
            request, _("已创建申报草稿 %(ref)s，填写内容会自动保存。") % {"ref": saved.application.reference}
        )
        return redirect("applications:edit", saved.application.pk)
    drafts = applications_for_actor(actor=request.user).filter(programme=programme, state=State.DRAFT)
    return render(
        request,
        "applications/application_new.html",
        {
            "programme": programme,
            "carried": [(input_field_name(k), v) for k, v in carried.items()],
            "drafts": drafts,
            "window": window_open_for(programme=programme),
            "upcoming": programme.windows.filter(opens_at__gt=timezone.now()).order_by("opens_at").first(),
        },
    )


def _upload_form(app: Application, checklist: list[dict], data=None, files=None) -> AttachmentForm:
    # grouped by material: a file can only be replaced by one of its own material (the service checks)
    current = [(row["label"], [(f.pk, f.original_name) for f in row["files"]]) for row in checklist if row["files"]]
    return AttachmentForm(data, files, materials=allowed_materials(app), current=current)


def _timeline(request: HttpRequest, app: Application) -> list:
    """Timeline entries in words: the message or the transition's label, and the answers to a
    supplement request next to the items they answer."""
    events = application_timeline(app, actor=request.user)
    labels: dict[str, str] = {}
    for e in events:
        e.to_state_label = State(e.to_state).label if e.to_state in State.values else e.to_state
        e.text = e.message or (e.get_action_display() if e.action in EventAction.values else e.action)
        e.items = e.supplement_items
        if e.items:
            labels = {item.code: item.label or item.code for item in e.items}
            labels[GENERAL_ANSWER] = _("对补正总体说明的答复")
        answers = e.data.get("answers") if e.action == EventAction.RESUBMIT else None
        e.answers = (
            [(labels.get(code, code), text) for code, text in (answers or {}).items() if text]
            if isinstance(answers, dict)
            else []
        )
    return events


def _detail_context(request: HttpRequest, app: Application) -> dict:
    is_applicant = request.user.role == Role.ENTERPRISE
    editable = is_applicant and app.state in EDITABLE_BY_APPLICANT
    checklist = materials_checklist(app)
    timeline = _timeline(request, app)
    decision = None
    if app.state in DECIDED:
        decision = next(
            (e for e in reversed(timeline) if e.action in ("approve", "decline", "uphold_objection")), None
        ) or (timeline[-1] if timeline else None)
    return {
        "app": app,
        "editable": editable,
        "is_applicant": is_applicant,
        "checklist": checklist,
        "timeline": timeline,
        "decision": decision,
        "supplement": supplement_request_view(app),
        "claims": list(app.claims.all()),
        "upload_form": _upload_form(app, checklist) if editable else None,
        "can_withdraw": is_applicant
        and app.state not in TERMINAL
        and app.state not in (State.APPROVED_PENDING_NOTICE, State.IN_PUBLIC_NOTICE),
        "window": window_open_for(programme=app.programme) if app.state == State.DRAFT else None,
        "withdraw_form": WithdrawForm(),
        "input_rows": _input_rows(app),
        "awards": application_awards(app) if app.state in DECIDED else [],
    }


def _input_rows(app: Application) -> list[tuple[str, str]]:
    rows = []
    for meta in app.programme.inputs or []:
        value = app.inputs.get(meta["name"])
        if isinstance(value, bool):
            value = _("是") if value else _("否")
        elif meta.get("type") == "choice":
            value = next(
                (c.get("label_zh") or c["value"] for c in meta.get("choices") or [] if str(c["value"]) == str(value)),
                value,
            )
        rows.append((input_label(meta), "" if value is None else str(value), meta.get("unit", "")))
    return rows


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = application_get_for_actor(actor=request.user, pk=pk)
    return render(request, "applications/application_detail.html", _detail_context(request, app))


@member_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 1: the project and the programme's inputs. Saved as typed (autosave) and on every step."""
    app = own_application(request, pk)
    if app.state not in EDITABLE_BY_APPLICANT:
        messages.info(request, _("申报当前状态为“%(s)s”，不能修改。") % {"s": app.get_state_display()})
        return redirect("applications:detail", app.pk)
    if request.method == "POST":
        form = ApplicationForm(request.POST, programme=app.programme)
        form.is_valid()
        try:
            saved = application_save_draft(
                actor=request.user, application=app, data=form.service_data(), ip=client_ip(request)
            )
        except (ValidationError, PermissionDenied) as error:
            flash_refusal(request, error)
            return redirect("applications:detail", app.pk)
        if not saved.errors:
            messages.success(request, _("已保存。"))
            nxt = request.POST.get("next_step")
            return redirect("applications:submit" if nxt == "submit" else "applications:detail", app.pk)
        app = saved.application
        form = ApplicationForm(
            initial=ApplicationForm.initial_from(app),
            programme=app.programme,
            data=request.POST,
            preapprovals=preapproval_options(app),
        )
        form.is_valid()
        for key, message in saved.errors.items():
            field = ApplicationForm.error_field(key)
            form.add_error(field if field in form.fields else None, message)
        messages.warning(request, _("已保存填写内容，但以下各项需要更正。"))
        status = 400
    else:
        form = ApplicationForm(
            initial=ApplicationForm.initial_from(app), programme=app.programme, preapprovals=preapproval_options(app)
        )
        status = 200
    return render(request, "applications/application_edit.html", {"app": app, "form": form}, status=status)


@member_required
@require_POST
def application_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """form[data-autosave]: save what was typed, as typed; answer with field errors and the estimate."""
    try:
        app = own_application(request, pk)
    except Http404:
        return JsonResponse({"ok": False, "message": _("申报不存在。")}, status=404)
    form = ApplicationForm(request.POST, programme=app.programme)
    form.is_valid()
    try:
        saved = application_save_draft(
            actor=request.user, application=app, data=form.service_data(), autosave=True, ip=client_ip(request)
        )
    except (ValidationError, PermissionDenied) as error:
        text = "；".join(error.messages) if isinstance(error, ValidationError) else str(error)
        return JsonResponse({"ok": False, "message": text}, status=409 if isinstance(error, ValidationError) else 403)
    app = saved.application
    errors = {ApplicationForm.error_field(k): v for k, v in saved.errors.items()}
    return JsonResponse(
        {
            "ok": True,
            "saved_at": app.draft_saved_at.isoformat(),
            "errors": errors,
            "estimate": app.estimate,
            "estimate_amount": None if app.estimate_amount is None else str(app.estimate_amount),
            "estimate_error": saved.estimate_error,
        }
    )


@member_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    app = own_application(request, pk)
    form = _upload_form(app, materials_checklist(app), request.POST, request.FILES)
    # uploaded from the 补正 page (its upload form says so): back there while the request is open
    from_supplement = request.POST.get("back") == "resubmit" and supplement_request_view(app) is not None
    if form.is_valid():
        try:
            attachment_add(
                actor=request.user,
                application=app,
                material=form.cleaned_data["material"],
                upload=form.cleaned_data["file"],
                replaces=form.cleaned_data.get("replaces"),
                ip=client_ip(request),
            )
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                raise
            add_service_errors(form, error)
        else:
            messages.success(request, _("文件已上传：%(n)s") % {"n": form.cleaned_data["file"].name})
            back = "applications:resubmit" if from_supplement else "applications:detail"
            return redirect(f"{reverse(back, args=[app.pk])}#materials")
    context = _detail_context(request, app)
    context["upload_form"] = form
    reasons = "；".join(str(e).rstrip("。") for errors in form.errors.values() for e in errors)
    messages.error(request, _("文件未上传，申报保持不变：%(why)s。") % {"why": reasons})
    if from_supplement:  # the refusal shown on the 补正 page the upload came from, its answers kept empty
        context["form"] = ResubmitForm(items=context["supplement"]["items"], message=context["supplement"]["message"])
        return render(request, "applications/application_resubmit.html", context, status=400)
    return render(request, "applications/application_detail.html", context, status=400)


@member_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    app = own_application(request, pk)
    try:
        attachment_remove(actor=request.user, application=app, attachment_id=attachment_pk, ip=client_ip(request))
        messages.success(request, _("文件已删除。"))
    except ValidationError as error:
        flash_refusal(request, error)
    return redirect(f"{reverse('applications:detail', args=[app.pk])}#materials")


@login_required
@never_cache
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Only through this permission-checked view, always as a download, with the type detected at
    upload and no sniffing."""
    attachment = attachment_get_for_actor(actor=request.user, application_pk=pk, pk=attachment_pk)
    return stored_file_download(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


@member_required
def application_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 3: check, declare (承诺), submit. A second click finds it submitted and changes nothing."""
    app = own_application(request, pk)
    form = SubmitForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        if app.state != State.DRAFT and app.declared_at and app.declared_by_id:
            messages.info(request, _("申报 %(ref)s 已提交，无需重复提交。") % {"ref": app.reference})
            return redirect("applications:detail", app.pk)
        try:
            application_submit(
                actor=request.user, application=app, declaration=form.cleaned_data["declaration"], ip=client_ip(request)
            )
        except ValidationError as error:
            app.refresh_from_db()
            if app.state == State.SUBMITTED:  # the other click of a double click won
                messages.info(request, _("申报 %(ref)s 已提交，无需重复提交。") % {"ref": app.reference})
                return redirect("applications:detail", app.pk)
            add_service_errors(form, error, field_map={"enterprise": "__all__"}, checklist=materials_checklist(app))
        else:
            messages.success(request, _("申报已提交，编号 %(ref)s。请留意站内信和邮件通知。") % {"ref": app.reference})
            return redirect("applications:detail", app.pk)
    if request.method == "GET" and app.state != State.DRAFT:
        return redirect("applications:detail", app.pk)
    context = _detail_context(request, app)
    context.update(form=form, problems=submission_problems(app) if app.state == State.DRAFT else {})
    return render(request, "applications/application_submit.html", context, status=400 if form.errors else 200)


@member_required
def application_resubmit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """补正: answer each item of the open request, add or replace files, resubmit."""
    app = own_application(request, pk)
    supplement = supplement_request_view(app)
    if supplement is None:
        messages.info(request, _("该申报当前没有待补正事项。"))
        return redirect("applications:detail", app.pk)
    form = ResubmitForm(posted_data(request), items=supplement["items"], message=supplement["message"])
    if request.method == "POST" and form.is_valid():
        try:
            application_resubmit(actor=request.user, application=app, answers=form.answers(), ip=client_ip(request))
        except ValidationError as error:
            add_service_errors(
                form,
                error,
                field_map={
                    **{f"answers.{i['code']}": f"answer_{i['code']}" for i in supplement["items"]},
                    f"answers.{GENERAL_ANSWER}": f"answer_{GENERAL_ANSWER}",
                },
                checklist=materials_checklist(app),
            )
        else:
            messages.success(request, _("补正材料已提交，申报重新进入形式审查。"))
            return redirect("applications:detail", app.pk)
    context = _detail_context(request, app)
    context["form"] = form
    context["upload_back"] = "resubmit"
    return render(request, "applications/application_resubmit.html", context, status=400 if form.errors else 200)


@member_required
def application_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    app = own_application(request, pk)
    form = WithdrawForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            application_withdraw(
                actor=request.user, application=app, reason=form.cleaned_data["reason"], ip=client_ip(request)
            )
        except ValidationError as error:
            flash_refusal(request, error)
        else:
            messages.success(request, _("申报 %(ref)s 已撤回。") % {"ref": app.reference})
        return redirect("applications:detail", app.pk)
    return render(request, "applications/application_withdraw.html", {"app": app, "form": form})
