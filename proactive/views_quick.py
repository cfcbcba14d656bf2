"""Pages of 快申快享: the enterprise's document library (资料库) and its reuse in an application, the
start of an application pre-filled from facts, and the administrators' watch of promised payment dates."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications.forms import input_field_name
from applications.view_access import member_required, own_application
from portal.audit import client_ip
from portal.downloads import stored_file_download
from portal.flash import flash_refusal
from portal.pagination import page_of
from portal.permissions import may_watch_payment_promises
from portal.widgets import DateInput
from vouchers.selectors import programme_get

from .library_rules import is_valid_on
from .models_library import LibraryMaterial
from .prefill import quick_application_start
from .selectors_quick import (
    AT_RISK,
    OVERDUE,
    library_document_get_for_actor,
    library_for_actor,
    promise_watch,
    workdays_left,
)
from .services_library import library_document_add, library_document_remove, library_document_reuse
from .views import staff_required

PAGE_SIZE = 50


class LibraryUploadForm(forms.Form):
    material = forms.ChoiceField(label=gettext_lazy("材料类别"), choices=LibraryMaterial.choices)
    year = forms.IntegerField(
        label=gettext_lazy("所属年度"),
        required=False,
        min_value=1900,
        max_value=9999,
        help_text=gettext_lazy("审计报告、规上统计证明须填写"),
    )
    valid_until = forms.DateField(
        label=gettext_lazy("有效期至"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("可不填，按材料类别的默认有效期"),
    )
    file = forms.FileField(label=gettext_lazy("文件"))


@member_required
@require_http_methods(["GET", "POST"])
def library(request: HttpRequest) -> HttpResponse:
    """资料库 the enterprise's documents by kind, with their validity; upload (replacing the current one
    of a kind) and remove."""
    form = LibraryUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                library_document_add(
                    actor=request.user,
                    material=form.cleaned_data["material"],
                    upload=form.cleaned_data["file"],
                    year=form.cleaned_data["year"],
                    valid_until=form.cleaned_data["valid_until"],
                    ip=client_ip(request),
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("已存入企业资料库。"))
                return redirect("proactive:library")
        status = 400
    today = timezone.localdate()
    documents = [
        {"doc": d, "label": LibraryMaterial(d.material).label, "valid": is_valid_on(d.valid_until, today)}
        for d in library_for_actor(actor=request.user).select_related("uploaded_by")
    ]
    return render(request, "proactive/library.html", {"form": form, "documents": documents}, status=status)


@member_required
@require_GET
@never_cache
def library_download(request: HttpRequest, pk: int) -> FileResponse:
    """A library file, to its own enterprise's members only, always as a download."""
    doc = library_document_get_for_actor(actor=request.user, pk=pk)
    return stored_file_download(doc.file, filename=doc.original_name, content_type=doc.content_type)


@member_required
@require_POST
def library_remove(request: HttpRequest, pk: int) -> HttpResponse:
    doc = library_document_get_for_actor(actor=request.user, pk=pk)
    try:
        library_document_remove(actor=request.user, document=doc, ip=client_ip(request))
    except (ValidationError, PermissionDenied) as error:
        flash_refusal(request, error)
    else:
        messages.success(
            request, _("已从资料库删除“%(n)s”；已使用该文件的申报保留各自的副本。") % {"n": doc.original_name}
        )
    return redirect("proactive:library")


@member_required
@require_POST
def library_reuse(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy a library file into the application's material of its kind."""
    app = own_application(request, pk)
    doc = library_document_get_for_actor(actor=request.user, pk=request.POST.get("document"))
    try:
        library_document_reuse(actor=request.user, application=app, document=doc, ip=client_ip(request))
    except (ValidationError, PermissionDenied) as error:
        flash_refusal(request, error)
    else:
        messages.success(request, _("已从资料库添加“%(n)s”。") % {"n": doc.original_name})
    return redirect("applications:detail", app.pk)


@member_required
@require_POST
def quick_start(request: HttpRequest, code: str) -> HttpResponse:
    """快申 open a draft pre-filled from the enterprise's facts (values carried from the calculator win)."""
    programme = programme_get(code=code)
    names = [m["name"] for m in programme.inputs or []]
    carried = {n: request.POST[input_field_name(n)] for n in names if request.POST.get(input_field_name(n))}
    try:
        saved = quick_application_start(actor=request.user, programme=programme, carried=carried, ip=client_ip(request))
    except (ValidationError, PermissionDenied) as error:
        flash_refusal(request, error)
        return redirect("applications:create", programme.code)
    app = saved.application
    if app.input_sources:
        messages.success(
            request,
            _("已创建申报草稿 %(ref)s，%(n)d 项数据已按企业档案预填，请核对。")
            % {"ref": app.reference, "n": len(app.input_sources)},
        )
    else:
        messages.success(request, _("已创建申报草稿 %(ref)s，填写内容会自动保存。") % {"ref": app.reference})
    return redirect("applications:edit", app.pk)


@staff_required(may_watch_payment_promises)
@require_GET
def payment_promises(request: HttpRequest) -> HttpResponse:
    """兑付时限 applications whose promised payment date is near (at risk) or past (overdue), unpaid."""
    watch = request.GET.get("watch", AT_RISK)
    if watch not in (AT_RISK, OVERDUE):
        watch = AT_RISK
    today = timezone.localdate()
    page = page_of(request, promise_watch(actor=request.user, watch=watch, today=today), PAGE_SIZE)
    left = workdays_left(page.object_list, today)
    rows = [{"app": app, "left": left[app.pk], "overdue_by": max(0, -left[app.pk])} for app in page.object_list]
    return render(
        request,
        "proactive/payment_promises.html",
        {"page": page, "rows": rows, "watch": watch, "today": today},
    )
