"""Public notice pages: the administrators' publishing and objection handling, and the public page
(no login) listing enterprise, programme and amount, with the objection form during the period."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import client_ip
from portal.pagination import page_of

from . import selectors
from .forms import ObjectionForm, PublishForm, ResolveForm, errors_to_form
from .models import PublicNotice
from .services import notices, objections
from .services.common import workdays_for
from .throttles import objection_allowed
from .views_common import ADMIN_ROLES, roles_required

# ---------------------------------------------------------------- administrators


@roles_required(*ADMIN_ROLES)
def notices_admin(request: HttpRequest, form: PublishForm | None = None, status: int = 200) -> HttpResponse:
    groups = selectors.pending_notice_groups(actor=request.user)
    # the district's published notices a page at a time (a district publishes one a week per programme)
    page = page_of(request, selectors.notice_rows_for_staff(actor=request.user), 50)
    due = selectors.notices_for_staff(actor=request.user).filter(
        status=PublicNotice.Status.OPEN, ends_on__lt=timezone.localdate()
    )
    return render(
        request,
        "reviews/notices_admin.html",
        {
            "groups": groups,
            "notices": page.object_list,
            "page": page,
            "workdays": workdays_for("notice"),
            "form": form,
            "due_count": due.count(),
        },
        status=status,
    )


@require_POST
@roles_required(*ADMIN_ROLES)
def notices_close_due(request: HttpRequest) -> HttpResponse:
    """公示期满处理 now: what the scheduled run does, in the administrator's name (audited)."""
    result = notices.notices_close_due(actor=request.user, ip=client_ip(request))
    messages.success(
        request,
        _("已处理期满公示：%(f)s 项申报核定生效，%(c)s 个公示已结束。")
        % {"f": len(result["finalized"]), "c": len(result["closed_notices"])},
    )
    if result["waiting_objections"]:
        messages.warning(
            request,
            _("%(n)s 项申报尚有未处理的异议，待异议处理后核定生效。") % {"n": len(result["waiting_objections"])},
        )
    return redirect("reviews:notices_admin")


@require_POST
@roles_required(*ADMIN_ROLES)
def notice_publish(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("ids") if str(i).isdigit()]
    form = PublishForm(request.POST, ids=ids)
    if form.is_valid():
        try:
            notice = notices.notice_publish(
                actor=request.user,
                application_ids=form.cleaned_data["ids"],
                title=form.cleaned_data["title"],
                workdays=form.cleaned_data["workdays"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("公示已发布，公示期至 %(end)s。") % {"end": notice.ends_on.isoformat()})
            return redirect("reviews:notice_admin", pk=notice.pk)
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, e)
    return notices_admin(request, form=form, status=400)


@roles_required(*ADMIN_ROLES)
def notice_admin(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get_for_staff(actor=request.user, pk=pk)
    objections = selectors.objections_for(actor=request.user).filter(notice=notice)
    return render(
        request,
        "reviews/notice_admin.html",
        {
            "notice": notice,
            "entries": selectors.notice_public_entries(notice),
            "objections": objections,
            "period_over": notices.notice_period_over(notice),
        },
    )


@roles_required(*ADMIN_ROLES)
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.objection_get(actor=request.user, pk=pk)
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            objections.objection_resolve(
                actor=request.user,
                objection=obj,
                upheld=form.cleaned_data["upheld"],
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("异议已处理。"))
            return redirect("reviews:notice_admin", pk=obj.notice_id)
    return render(
        request,
        "reviews/objection.html",
        {"objection": obj, "form": form, "overdue": obj.status == "open" and obj.due_date < timezone.localdate()},
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------- the public


def public_notices(request: HttpRequest) -> HttpResponse:
    page = page_of(request, selectors.public_notices(), 50)
    return render(request, "reviews/public_notices.html", {"notices": page.object_list, "page": page})


def public_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """公示 (no login): enterprise, programme and amount; a named objection during the period."""
    notice = selectors.public_notice_get(pk=pk)
    entries = selectors.notice_public_entries(notice)
    is_open = notice.status == PublicNotice.Status.OPEN and not notices.notice_period_over(notice)
    if request.method == "POST" and not objection_allowed(request):
        # what was typed stays in the form; nothing is recorded
        messages.error(request, _("提交过于频繁，请一小时后再试。"))
        form = ObjectionForm(initial=request.POST.dict(), entries=entries)
        return render(
            request,
            "reviews/public_notice.html",
            {"notice": notice, "entries": entries, "form": form, "is_open": is_open},
            status=429,
        )
    form = ObjectionForm(request.POST or None, entries=entries)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            objections.objection_lodge(
                notice=notice,
                application_id=data["application"],
                objector_kind=data["objector_kind"],
                objector_name=data["objector_name"],
                objector_id_number=data["objector_id_number"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
                content=data["content"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("异议已收到。我们将在5个工作日内核查处理，您的联系方式将严格保密。"))
            return redirect("reviews:public_notice", pk=pk)
    return render(
        request,
        "reviews/public_notice.html",
        {"notice": notice, "entries": entries, "form": form, "is_open": is_open},
        status=400 if form.errors else 200,
    )
