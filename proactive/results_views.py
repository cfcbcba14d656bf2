"""The administrators' page of 政策成效 (results of the routes to an award) and its Excel export."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.exports import xlsx_append

from .results import ResultFilters, ResultRow, result_programmes, result_years, results_for_actor, results_require

PER_PAGE = 20


def filters_from(params) -> ResultFilters:
    """The filters of a request's query (unknown or malformed values are no filter)."""
    raw = str(params.get("year", ""))
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None
    return ResultFilters(
        policy=str(params.get("policy", ""))[:20], programme=str(params.get("programme", ""))[:40], year=year
    )


def _query(filters: ResultFilters) -> str:
    pairs = {"policy": filters.policy, "programme": filters.programme, "year": filters.year or ""}
    return urlencode({k: v for k, v in pairs.items() if v})


@login_required
@require_GET
def results_page(request: HttpRequest) -> HttpResponse:
    """政策成效 per programme and fiscal year: awards by route, time to payment, reach, the pool beside."""
    results_require(request.user)
    filters = filters_from(request.GET)
    rows = results_for_actor(actor=request.user, filters=filters)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    page.query = _query(filters)  # the pager keeps the filters
    programmes = result_programmes(actor=request.user, filters=ResultFilters())
    policies = {p.policy.code: p.policy.title for p in programmes}
    return render(
        request,
        "proactive/results.html",
        {
            "page": page,
            "rows": page.object_list,
            "filters": filters,
            "query": page.query,
            "years": result_years(actor=request.user),
            "policies": sorted(policies.items()),
            "programmes": [(p.code, p.display_name) for p in programmes],
        },
    )


def _days(value) -> object:
    return "" if value is None else value


def export_header() -> list[str]:
    return [
        _("区域"),
        _("政策"),
        _("项目"),
        _("年度"),
        _("申报方式"),
        _("奖励数"),
        _("核定金额（元）"),
        _("已拨付（元）"),
        _("首笔拨付中位天数"),
        _("首笔拨付第90百分位天数"),
        _("首笔拨付中位工作日"),
        _("首笔拨付第90百分位工作日"),
        _("全额拨付中位天数"),
        _("全额拨付第90百分位天数"),
        _("全额拨付中位工作日"),
        _("全额拨付第90百分位工作日"),
        _("可能符合条件企业数"),
        _("已触达企业数"),
        _("触达比例（%）"),
        _("资金池预算额度（元）"),
        _("资金池已核定（元）"),
        _("资金池已拨付（元）"),
        _("资金池剩余（元）"),
    ]


def export_rows(rows: list[ResultRow]) -> list[list[object]]:
    """One line per programme, year and route, and one for all routes together."""
    out = []
    for r in rows:
        for figures in [*r.routes, r.total]:
            first, full = figures.first_payment, figures.full_payment
            out.append(
                [
                    r.district_label,
                    r.policy_title,
                    r.programme_name,
                    r.fiscal_year,
                    figures.label,
                    figures.awards,
                    figures.amount,
                    figures.paid,
                    *(_days(v) for v in (first.median_days, first.p90_days, first.median_workdays, first.p90_workdays)),
                    *(_days(v) for v in (full.median_days, full.p90_days, full.median_workdays, full.p90_workdays)),
                    *(
                        (_days(r.eligible), r.reached, _days(r.reach_share))
                        if figures is r.total
                        else ("", "", "")  # reach is the programme's, not a route's
                    ),
                    *(
                        (r.pool_amount, r.pool_committed, r.pool_disbursed, r.pool_remaining)
                        if figures is r.total and r.pool_amount is not None
                        else ("", "", "", "")
                    ),
                ]
            )
    return out


MONEY_COLUMNS = (6, 7, 19, 20, 21, 22)


@login_required
@require_GET
def results_export(request: HttpRequest) -> HttpResponse:
    """The results as Excel (every row, the page's filters)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    results_require(request.user)
    rows = results_for_actor(actor=request.user, filters=filters_from(request.GET))
    wb = Workbook()
    ws = wb.active
    ws.title = _("政策成效")
    header = export_header()
    xlsx_append(ws, header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for line in export_rows(rows):
        xlsx_append(ws, line)  # text cells are strings, never formulas (portal.exports)
    for col in MONEY_COLUMNS:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col + 1, max_col=col + 1):
            cell.number_format = "#,##0.00"
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="results-{timezone.localdate():%Y%m%d}.xlsx"'
    return response
