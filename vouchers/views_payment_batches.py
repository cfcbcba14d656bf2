"""The administrators' payment pages (拨付管理): tranches due and the batches; a batch — its total
against the pools, approval by a second administrator, the payment file, the results by hand or from
the bank's return file; and the report for the finance office (page and xlsx)."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit import client_ip
from portal.exports import xlsx_append
from portal.flash import flash_refusal
from portal.pagination import Capped

from . import payment_selectors as sel
from .forms_payments import BatchForm, ReasonForm, ReturnFileForm
from .models import PaymentLine
from .payment_files import payment_file_csv, payment_file_xlsx, return_file_import
from .payments_http import post_then_redirect
from .services import payments as svc
from .services.payments_common import require_payment_admin

FILES = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", payment_file_xlsx),
    "csv": ("text/csv; charset=utf-8", payment_file_csv),
}
MAX_UPLOAD = 2 * 1024 * 1024


@login_required
def payments_index(request: HttpRequest) -> HttpResponse:
    require_payment_admin(request.user)
    due = sel.payments_due(actor=request.user)
    return render(
        request,
        "vouchers/payments/index.html",
        {
            "due": due,
            "due_total": sum((d.tranche.amount for d in due if not d.problem), 0),
            "unscheduled": Capped(sel.awards_without_schedule(actor=request.user), 200),
            "batches": Capped(sel.batches_for_actor(actor=request.user).order_by("-prepared_at", "-id"), 50),
            "accounts_waiting": sel.account_queue(actor=request.user).count(),
            "acceptance_waiting": sel.acceptance_for_actor(actor=request.user).filter(status="submitted").count(),
            "form": BatchForm(),
        },
    )


@login_required
@require_POST
def payment_batch_prepare(request: HttpRequest) -> HttpResponse:
    require_payment_admin(request.user)
    ids = [int(v) for v in request.POST.getlist("tranche") if v.isdigit() and len(v) < 18]
    try:
        batch = svc.batch_prepare(
            actor=request.user, tranche_ids=ids, note=request.POST.get("note", ""), ip=client_ip(request)
        )
    except ValidationError as exc:
        flash_refusal(request, exc)
        return redirect("vouchers:payments")
    messages.success(request, _("拨付批次 %(b)s 已编制，须由另一名管理员审批。") % {"b": batch.number})
    return redirect("vouchers:payment_batch", pk=batch.pk)


@login_required
def payment_batch(request: HttpRequest, pk: int) -> HttpResponse:
    require_payment_admin(request.user)
    batch = sel.batch_get_for_actor(actor=request.user, pk=pk)
    lines = list(sel.batch_lines(batch))
    return render(
        request,
        "vouchers/payments/batch.html",
        {
            "batch": batch,
            "lines": lines,
            "pools": sel.batch_pool_totals(batch),
            "pending": [ln for ln in lines if ln.status == PaymentLine.Status.PENDING],
            "may_approve": batch.status == "draft" and batch.prepared_by_id != request.user.pk,
            "today": timezone.localdate(),
            "cancel_form": ReasonForm(),
            "file_form": ReturnFileForm(),
        },
    )


@login_required
@require_POST
def payment_batch_approve(request: HttpRequest, pk: int) -> HttpResponse:
    require_payment_admin(request.user)
    batch = sel.batch_get_for_actor(actor=request.user, pk=pk)
    return post_then_redirect(
        request,
        lambda: svc.batch_approve(actor=request.user, batch=batch, ip=client_ip(request)),
        done=_("批次已审批，可以导出支付文件。"),
        to="vouchers:payment_batch",
        pk=batch.pk,
    )


@login_required
@require_POST
def payment_batch_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    require_payment_admin(request.user)
    batch = sel.batch_get_for_actor(actor=request.user, pk=pk)
    return post_then_redirect(
        request,
        lambda: svc.batch_cancel(
            actor=request.user, batch=batch, reason=request.POST.get("reason", ""), ip=client_ip(request)
        ),
        done=_("批次已撤销，各笔款项恢复为待拨付。"),
        to="vouchers:payment_batch",
        pk=batch.pk,
    )


@login_required
def payment_batch_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    require_payment_admin(request.user)
    if fmt not in FILES:
        raise Http404
    batch = sel.batch_get_for_actor(actor=request.user, pk=pk)
    try:
        batch = svc.batch_export_record(actor=request.user, batch=batch, fmt=fmt, ip=client_ip(request))
    except ValidationError as exc:
        flash_refusal(request, exc)
        return redirect("vouchers:payment_batch", pk=batch.pk)
    content_type, render_file = FILES[fmt]
    response = HttpResponse(render_file(batch), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{batch.number}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text and text.strip() else None
    except ValueError:
        raise ValidationError(_("日期“%(d)s”格式不正确。") % {"d": text}) from None


@login_required
@require_POST
def payment_batch_results(request: HttpRequest, pk: int) -> HttpResponse:
    """By hand: for each line a result (paid/failed, or nothing yet), the date and voucher number, or
    the reason."""
    require_payment_admin(request.user)
    batch = sel.batch_get_for_actor(actor=request.user, pk=pk)
    results: list[svc.LineResult] = []

    def record() -> None:
        for line in batch.lines.filter(status=PaymentLine.Status.PENDING).order_by("seq"):
            outcome = request.POST.get(f"result_{line.seq}", "")
            if outcome not in ("paid", "failed"):
                continue
            results.append(
                svc.LineResult(
                    seq=line.seq,
                    paid=outcome == "paid",
                    paid_on=_date(request.POST.get(f"paid_on_{line.seq}", "")),
                    voucher_number=request.POST.get(f"voucher_{line.seq}", ""),
                    reason=request.POST.get(f"reason_{line.seq}", ""),
                )
            )
        svc.batch_results_record(actor=request.user, batch=batch, results=results, source="page", ip=client_ip(request))

    return post_then_redirect(
        request,
        record,
        done=lambda _none: _("已登记 %(n)s 笔拨付结果。") % {"n": len(results)},
        to="vouchers:payment_batch",
        pk=batch.pk,
    )


@login_required
@require_POST
def payment_batch_return_file(request: HttpRequest, pk: int) -> HttpResponse:
    require_payment_admin(request.user)
    batch = sel.batch_get_for_actor(actor=request.user, pk=pk)
    upload = request.FILES.get("file")

    def read_in() -> None:
        if upload is None:
            raise ValidationError(_("请选择回执文件。"))
        if upload.size > MAX_UPLOAD:
            raise ValidationError(_("回执文件超过 2 MB。"))
        return_file_import(
            actor=request.user, batch=batch, name=upload.name or "", data=upload.read(), ip=client_ip(request)
        )

    return post_then_redirect(
        request, read_in, done=_("回执文件已导入，拨付结果已登记。"), to="vouchers:payment_batch", pk=batch.pk
    )


# --- the report -----------------------------------------------------------------------------------


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None


@login_required
def payments_report(request: HttpRequest) -> HttpResponse:
    require_payment_admin(request.user)
    year = _year(request)
    pools, programmes, total = sel.payment_report(actor=request.user, year=year)
    return render(
        request,
        "vouchers/payments/report.html",
        {"pools": pools, "programmes": programmes, "total": total, "year": year},
    )


REPORT_HEADER = [
    "资金池/项目",
    "项目代码",
    "年度",
    "预算额度",
    "已核定",
    "已拨付",
    "已追回",
    "净拨付",
    "待拨付",
    "待验收",
    "未排期",
    "拨付失败（累计）",
    "失败笔数",
    "待追回",
    "与台账一致",
]


def _report_row(r: sel.ReportRow) -> list:
    return [
        r.label,
        r.programme_code,
        r.fiscal_year or "",
        r.budget,
        r.awarded,
        r.paid,
        r.clawed_back,
        r.net_paid,
        r.due,
        r.waiting,
        r.unscheduled,
        r.failed,
        r.failed_count,
        r.owed,
        "是" if r.reconciled else "否",
    ]


@login_required
def payments_report_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    require_payment_admin(request.user)
    year = _year(request)
    pools, programmes, total = sel.payment_report(actor=request.user, year=year)
    wb = Workbook()
    for i, (title, rows) in enumerate((("按资金池", pools), ("按项目", programmes))):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        xlsx_append(ws, REPORT_HEADER)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in [*rows, total]:
            xlsx_append(ws, _report_row(r))
        for row in ws.iter_rows(min_row=2, min_col=4, max_col=14):
            for cell in row:
                if cell.column != 13:
                    cell.number_format = "#,##0.00"
        ws.column_dimensions["A"].width = 34
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"payments-report-{year or 'all'}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
