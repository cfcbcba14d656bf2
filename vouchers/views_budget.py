"""The administrators' budget pages (预算管理): the overview per policy, programme and year with
charts drawn as inline SVG on the server, a pool's awards, ledger and batch remedies, changing a
pool's amount, and exports to Excel (xlsx) and CSV."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.amounts import MAX_AMOUNT
from portal.audit import client_ip
from portal.exports import csv_writer, xlsx_append
from portal.pagination import Capped

from .budget_selectors import (
    BudgetRow,
    budget_admin_required,
    budget_overview,
    pool_awards,
    pool_batch_requests,
    pool_get_for_actor,
    pool_ledger,
    pool_state_counts,
    programmes_for_budget,
    state_group_labels,
)
from .models import Programme
from .services.budget import batch_oversubscription, pool_set_amount


class PoolAmountForm(forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("预算额度（元）"),
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_AMOUNT,
    )


class PoolCreateForm(PoolAmountForm):
    programme = forms.ModelChoiceField(label=gettext_lazy("申报项目"), queryset=Programme.objects.none())
    fiscal_year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    field_order = ["programme", "fiscal_year", "amount"]

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes_for_budget(actor=actor)  # the actor's district's
        self.fields["amount"].help_text = _("已存在的资金池将改为此额度。")
        self.fields["fiscal_year"].initial = timezone.localdate().year


def _admin(request: HttpRequest) -> None:
    budget_admin_required(request.user)


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errs in error.error_dict.items():
            for e in errs:
                form.add_error(name if name in form.fields else None, e)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _filters(request: HttpRequest) -> tuple[int | None, str]:
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None
    return year, request.GET.get("policy", "")[:20]


# --- charts: inline SVG, geometry computed here, drawn by the template -------------------------------

CHART_WIDTH, LABEL_WIDTH, BAR_HEIGHT, GAP = 860, 230, 16, 10


def _budget_bars(rows: list[BudgetRow], *, width: int = CHART_WIDTH, label_width: int = LABEL_WIDTH) -> dict[str, Any]:
    """One stacked bar per pool: committed, reserved and remaining of its budget, with a thin bar under
    it for what has been paid. All bars share one scale (the largest budget), so pools compare."""
    rows = [r for r in rows if r.pool_id]
    scale = max([max(r.amount, r.reserved + r.committed) for r in rows] + [Decimal("1")])
    span = width - label_width - 120
    bars = []
    for i, r in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + 6 + GAP)
        x = label_width
        segments = []
        for css, value, label in (
            ("committed", r.committed, _("已核定")),
            ("reserved", r.reserved, _("已预留")),
            ("remaining", max(r.remaining, Decimal("0")), _("剩余")),
        ):
            seg = float(value / scale) * span
            if seg > 0:
                segments.append(
                    {"css": css, "x": round(x, 1), "width": round(max(seg, 1), 1), "label": label, "value": value}
                )
                x += seg
        used = (r.reserved + r.committed) / r.amount * 100 if r.amount else Decimal("0")
        bars.append(
            {
                "y": y,
                "text_y": y + BAR_HEIGHT - 3,
                "label": f"{r.programme_name} {r.fiscal_year}",
                "segments": segments,
                "paid_y": y + BAR_HEIGHT + 1,
                "paid_width": round(float(r.disbursed / scale) * span, 1),
                "disbursed": r.disbursed,
                "end_x": round(x + 6, 1),
                "used_pct": f"{used:.1f}",
            }
        )
    height = GAP + len(bars) * (BAR_HEIGHT + 6 + GAP) + 24
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "label_x": label_width - 8,
        "legend_y": height - 8,
        "bar_height": BAR_HEIGHT,
    }


def _count_bars(counts: list[tuple[str, str, int]]) -> dict[str, Any]:
    top = max([n for _, _, n in counts] + [1])
    span, label_w = 420, 150
    bars = []
    for i, (state, label, n) in enumerate(counts):
        y = 6 + i * 24
        bars.append(
            {
                "state": state,
                "label": label,
                "n": n,
                "y": y,
                "text_y": y + 14,
                "width": round(n / top * span, 1) if n else 0,
                "end_x": label_w + (n / top * span) + 6,
            }
        )
    return {
        "bars": bars,
        "width": label_w + span + 60,
        "height": 12 + len(bars) * 24,
        "label_x": label_w - 8,
        "x": label_w,
    }


# --- pages ----------------------------------------------------------------------------------------


@login_required
def budget_index(request: HttpRequest) -> HttpResponse:
    _admin(request)
    return _overview_page(request, PoolCreateForm(actor=request.user))


def _overview_page(request: HttpRequest, form: PoolCreateForm, status: int = 200) -> HttpResponse:
    year, policy = _filters(request)
    overview = budget_overview(actor=request.user, year=year, policy=policy)
    return render(
        request,
        "vouchers/budget/overview.html",
        {
            "overview": overview,
            "groups": state_group_labels(),
            "chart": _budget_bars(overview.rows),
            "form": form,
            "query": request.GET.urlencode(),
        },
        status=status,
    )


@login_required
@require_POST
def budget_pool_create(request: HttpRequest) -> HttpResponse:
    _admin(request)
    form = PoolCreateForm(request.POST, actor=request.user)
    if form.is_valid():
        try:
            pool = pool_set_amount(
                actor=request.user,
                programme=form.cleaned_data["programme"],
                fiscal_year=form.cleaned_data["fiscal_year"],
                amount=form.cleaned_data["amount"],
                ip=client_ip(request),
            )
        except ValidationError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("资金池已保存。"))
            return redirect("vouchers:budget_pool", pk=pool.pk)
    return _overview_page(request, form, status=400)


@login_required
def budget_pool(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    pool = pool_get_for_actor(actor=request.user, pk=pk)
    return _pool_page(request, pool, PoolAmountForm(initial={"amount": pool.amount}))


def _pool_page(request: HttpRequest, pool, form: PoolAmountForm, status: int = 200) -> HttpResponse:
    awards = Paginator(pool_awards(actor=request.user, pool=pool), 100).get_page(request.GET.get("page"))
    counts = pool_state_counts(actor=request.user, pool=pool)
    batch = pool_batch_requests(actor=request.user, pool=pool)
    remedies = None
    if batch:
        remedies = batch_oversubscription(programme=pool.programme, fiscal_year=pool.fiscal_year, requests=batch)
        info = {b["application_id"]: b for b in batch}
        for r in remedies["rank"]["rows"] + remedies["pro_rata"]["rows"]:
            r["info"] = info[r["application_id"]]
    row = BudgetRow(
        policy_code=pool.programme.policy.code,
        policy_title=pool.programme.policy.title,
        programme_id=pool.programme_id,
        programme_code=pool.programme.code,
        programme_name=pool.programme.name_zh,
        fiscal_year=pool.fiscal_year,
        pool_id=pool.pk,
        amount=pool.amount,
        reserved=pool.reserved,
        committed=pool.committed,
        disbursed=pool.disbursed,
    )
    return render(
        request,
        "vouchers/budget/pool.html",
        {
            "pool": pool,
            "form": form,
            "awards": awards,
            "ledger": Capped(pool_ledger(actor=request.user, pool=pool), 50),
            "counts": counts,
            "count_chart": _count_bars(counts),
            "remedies": remedies,
            "chart": _budget_bars([row], width=560, label_width=110),
            "floor": pool.reserved + pool.committed,
        },
        status=status,
    )


@login_required
@require_POST
def budget_pool_amount(request: HttpRequest, pk: int) -> HttpResponse:
    _admin(request)
    pool = pool_get_for_actor(actor=request.user, pk=pk)
    form = PoolAmountForm(request.POST)
    if form.is_valid():
        try:
            pool_set_amount(
                actor=request.user,
                programme=pool.programme,
                fiscal_year=pool.fiscal_year,
                amount=form.cleaned_data["amount"],
                ip=client_ip(request),
            )
        except ValidationError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("预算额度已更新。"))
            return redirect("vouchers:budget_pool", pk=pool.pk)
    return _pool_page(request, pool, form, status=400)


# --- exports --------------------------------------------------------------------------------------


def _table_response(
    *, title: str, header: list[str], rows: list[list[Any]], money_cols: set[int], fmt: str, filename: str
) -> HttpResponse:
    if fmt == "csv":
        buf = io.StringIO()
        buf.write("\ufeff")  # BOM: Excel then reads the file as UTF-8 and shows Chinese correctly
        writer = csv_writer(buf)  # text never read as a formula (portal.exports)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(buf.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        ws.title = title[:31]  # Excel's limit on a worksheet's name
        xlsx_append(ws, header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            xlsx_append(ws, r)  # text cells are strings, never formulas (portal.exports)
        for col in money_cols:
            for (cell,) in ws.iter_rows(min_row=2, min_col=col + 1, max_col=col + 1):
                cell.number_format = "#,##0.00"
        for i, name in enumerate(header, start=1):
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(12, len(name) * 2 + 4)
        ws.freeze_panes = "A2"
        out = io.BytesIO()
        wb.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        raise Http404("unknown format")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@login_required
def budget_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _admin(request)
    year, policy = _filters(request)
    overview = budget_overview(actor=request.user, year=year, policy=policy)
    groups = state_group_labels()
    header = [
        _("政策"),
        _("项目代码"),
        _("项目名称"),
        _("年度"),
        _("预算额度（元）"),
        _("已预留（元）"),
        _("已核定（元）"),
        _("已拨付（元）"),
        _("剩余（元）"),
        _("申报总数"),
        *groups,
    ]
    rows = [
        [
            r.policy_code,
            r.programme_code,
            r.programme_name,
            r.fiscal_year,
            r.amount,
            r.reserved,
            r.committed,
            r.disbursed,
            r.remaining,
            r.applications,
            *r.groups,
        ]
        for r in overview.rows
    ]
    t = overview.total
    rows.append(
        [_("合计"), "", "", "", t.amount, t.reserved, t.committed, t.disbursed, t.remaining, t.applications, *t.groups]
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _table_response(
        title=_("预算执行"),
        header=header,
        rows=rows,
        money_cols={4, 5, 6, 7, 8},
        fmt=fmt,
        filename=f"budget-{year or 'all'}-{stamp}",
    )


@login_required
def budget_pool_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    _admin(request)
    pool = pool_get_for_actor(actor=request.user, pk=pk)
    header = [
        _("申报编号"),
        _("项目名称"),
        _("企业"),
        _("统一社会信用代码"),
        _("奖励对象"),
        _("决定日期"),
        _("核定金额（元）"),
        _("已拨付（元）"),
        _("状态"),
    ]
    rows = [
        [
            a.application.reference,
            a.application.title,
            a.enterprise.name,
            a.enterprise.credit_code,
            a.line,
            a.decided_on.isoformat(),
            a.amount,
            a.disbursed,
            a.get_status_display(),
        ]
        for a in pool_awards(actor=request.user, pool=pool).iterator(chunk_size=2000)
    ]
    return _table_response(
        title=f"{pool.programme.code} {pool.fiscal_year}",
        header=header,
        rows=rows,
        money_cols={6, 7},
        fmt=fmt,
        filename=f"awards-{pool.programme.code}-{pool.fiscal_year}",
    )
