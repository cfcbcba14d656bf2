"""The administrators' budget pages: who may see them, what they show, changing a pool's amount,
exports, and a constant number of queries."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import AuditEvent, Role
from tests.factories import UserFactory
from vouchers.models import BudgetPool
from vouchers.services.budget import award_commit, pool_set_amount

from .test_budget_helpers import make_app, reserve

D = Decimal


@pytest.fixture
def voucher(catalogue):
    return catalogue["hp-compute-voucher"]


@pytest.fixture
def pool(voucher, bureau_admin):
    return pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount=D("1000000"))


@pytest.fixture
def sysadmin(db):
    return UserFactory(role=Role.SYSADMIN, email="sysadmin@example.cn")


@pytest.fixture
def outsiders(owner_a, agent_a, reviewer, expert, provider_user):
    return {"owner_a": owner_a, "agent_a": agent_a, "reviewer": reviewer, "expert": expert, "provider": provider_user}


def _urls(pool):
    return [
        reverse("vouchers:budget"),
        reverse("vouchers:budget_export", args=["csv"]),
        reverse("vouchers:budget_export", args=["xlsx"]),
        reverse("vouchers:budget_pool", args=[pool.pk]),
        reverse("vouchers:budget_pool_export", args=[pool.pk, "csv"]),
    ]


def test_only_administrators_see_budget_pages(pool, outsiders, client_for, bureau_admin, sysadmin):
    for url in _urls(pool):
        assert client_for(None).get(url).status_code == 302  # anonymous → login
        for name, user in outsiders.items():
            assert client_for(user).get(url).status_code == 403, (name, url)
        assert client_for(bureau_admin).get(url).status_code == 200, url
        assert client_for(sysadmin).get(url).status_code == 200, url


def test_outsiders_cannot_change_pools(pool, voucher, outsiders, client_for):
    for name, user in list(outsiders.items()) + [("anonymous", None)]:
        c = client_for(user)
        r1 = c.post(reverse("vouchers:budget_pool_amount", args=[pool.pk]), {"amount": "1"})
        r2 = c.post(
            reverse("vouchers:budget_pool_create"), {"programme": voucher.pk, "fiscal_year": 2027, "amount": "5"}
        )
        assert r1.status_code in (302, 403) and r2.status_code in (302, 403), name
    pool.refresh_from_db()
    assert pool.amount == D("1000000") and BudgetPool.objects.count() == 1
    assert not AuditEvent.objects.filter(action="budget.pool_set_amount").exists()


def test_overview_shows_figures_and_chart(pool, voucher, enterprise_a, owner_a, reviewer, client_for, bureau_admin):
    [a] = reserve(make_app(voucher, enterprise_a, owner_a), "120000", actor=reviewer)
    award_commit(actor=None, award=a)
    reserve(make_app(voucher, enterprise_a, owner_a), "30000.25", actor=reviewer)
    r = client_for(bureau_admin).get(reverse("vouchers:budget"), {"year": 2026})
    html = r.content.decode()
    assert "1,000,000.00 元" in html and "120,000.00 元" in html and "30,000.25 元" in html
    assert "849,999.75 元" in html  # remaining
    assert "<svg" in html and "seg-committed" in html and "<script" not in html.split("</header>")[1]
    assert reverse("vouchers:budget_pool", args=[pool.pk]) in html


def test_overview_query_count_is_constant(pool, voucher, enterprise_a, owner_a, client_for, bureau_admin, catalogue):
    c = client_for(bureau_admin)
    url = reverse("vouchers:budget")
    c.get(url)
    with CaptureQueriesContext(connection) as few:
        c.get(url)
    for prog in list(catalogue.values())[:6]:
        for state in ("draft", "submitted", "approved", "declined"):
            make_app(prog, enterprise_a, owner_a, state=state)
        pool_set_amount(actor=bureau_admin, programme=prog, fiscal_year=2025, amount="10")
    with CaptureQueriesContext(connection) as many:
        c.get(url)
    assert len(many) == len(few)


def test_change_pool_amount_audited(pool, client_for, bureau_admin):
    r = client_for(bureau_admin).post(reverse("vouchers:budget_pool_amount", args=[pool.pk]), {"amount": "800000.00"})
    assert r.status_code == 302
    pool.refresh_from_db()
    assert pool.amount == D("800000.00")
    ev = AuditEvent.objects.get(action="budget.pool_set_amount")
    assert ev.before["amount"] == "1000000.00" and ev.after["amount"] == "800000.00" and ev.actor == bureau_admin


def test_pool_below_commitments_refused_on_page(pool, voucher, enterprise_a, owner_a, client_for, bureau_admin):
    reserve(make_app(voucher, enterprise_a, owner_a), "400000")
    r = client_for(bureau_admin).post(reverse("vouchers:budget_pool_amount", args=[pool.pk]), {"amount": "399999"})
    assert r.status_code == 400
    assert "不能低于已预留与已核定合计 400,000.00 元" in r.content.decode()
    pool.refresh_from_db()
    assert pool.amount == D("1000000")
    for bad in ("-5", "abc", "1.234"):
        r = client_for(bureau_admin).post(reverse("vouchers:budget_pool_amount", args=[pool.pk]), {"amount": bad})
        assert r.status_code == 400
    pool.refresh_from_db()
    assert pool.amount == D("1000000")


def test_create_pool_from_overview(voucher, client_for, bureau_admin):
    r = client_for(bureau_admin).post(
        reverse("vouchers:budget_pool_create"), {"programme": voucher.pk, "fiscal_year": 2027, "amount": "2500000"}
    )
    pool = BudgetPool.objects.get(programme=voucher, fiscal_year=2027)
    assert r.status_code == 302 and r["Location"] == reverse("vouchers:budget_pool", args=[pool.pk])
    assert pool.amount == D("2500000") and AuditEvent.objects.filter(action="budget.pool_create").exists()


def test_csv_export_has_bom_and_chinese(pool, voucher, enterprise_a, owner_a, client_for, bureau_admin):
    reserve(make_app(voucher, enterprise_a, owner_a), "1234.56")
    r = client_for(bureau_admin).get(reverse("vouchers:budget_export", args=["csv"]))
    assert r["Content-Type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["政策", "项目代码", "项目名称"]
    row = next(x for x in rows if x[1] == "hp-compute-voucher")
    assert row[4:7] == ["1000000.00", "1234.56", "0.00"] and row[8] == "998765.44"


def test_xlsx_exports(pool, voucher, enterprise_a, owner_a, client_for, bureau_admin):
    from openpyxl import load_workbook

    reserve(make_app(voucher, enterprise_a, owner_a), "1234.56")
    r = client_for(bureau_admin).get(reverse("vouchers:budget_export", args=["xlsx"]), {"year": 2026})
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[0][0] == "政策"
    row = next(x for x in rows if x[1] == "hp-compute-voucher")
    assert D(str(row[4])) == D("1000000") and D(str(row[5])) == D("1234.56")
    r = client_for(bureau_admin).get(reverse("vouchers:budget_pool_export", args=[pool.pk, "xlsx"]))
    rows = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert rows[1][2] == enterprise_a.name and D(str(rows[1][6])) == D("1234.56")
    assert client_for(bureau_admin).get(reverse("vouchers:budget_export", args=["pdf"])).status_code == 404


def test_pool_page_drills_down_and_shows_batch_remedies(
    pool, voucher, enterprise_a, enterprise_b, owner_a, owner_b, client_for, bureau_admin
):
    pool_set_amount(actor=bureau_admin, programme=voucher, fiscal_year=2026, amount="100000")
    [a] = reserve(make_app(voucher, enterprise_a, owner_a), "40000")
    for ent, user, amount in ((enterprise_a, owner_a, "50000"), (enterprise_b, owner_b, "40000")):
        app = make_app(voucher, ent, user, state="bureau_review")
        app.estimate_amount = D(amount)
        app.save(update_fields=["estimate_amount"])
    html = client_for(bureau_admin).get(reverse("vouchers:budget_pool", args=[pool.pk])).content.decode()
    assert a.application.reference in html and "40,000.00 元" in html
    assert "按比例核减" in html and "按评审排名择优" in html
    # 60,000 left for 90,000 asked: scaled 33,333.33 + 26,666.67
    assert "33,333.33 元" in html and "26,666.67 元" in html


def test_overview_counts_applications_by_year_and_state(voucher, enterprise_a, owner_a, bureau_admin):
    import datetime as dt

    from django.utils import timezone

    from applications.models import Application
    from vouchers.budget_selectors import budget_overview

    tz = timezone.get_current_timezone()
    plan = [
        (dt.datetime(2025, 12, 31, 23, 30, tzinfo=tz), "approved"),  # Beijing time: still 2025
        (dt.datetime(2026, 1, 1, 0, 30, tzinfo=tz), "approved"),
        (dt.datetime(2026, 3, 1, tzinfo=tz), "declined"),
        (None, "draft"),
    ]
    for at, state in plan:
        app = make_app(voucher, enterprise_a, owner_a, state=state)
        Application.objects.filter(pk=app.pk).update(submitted_at=at)
    ov = budget_overview(actor=bureau_admin)
    rows = {r.fiscal_year: r for r in ov.rows if r.programme_code == "hp-compute-voucher"}
    assert rows[2025].states == {"approved": 1}
    this_year = timezone.localdate().year
    assert rows[2026].states.get("approved") == 1 and rows[2026].states.get("declined") == 1
    assert rows[this_year].states.get("draft") == 1  # a draft counts in the year it was created
    assert not rows[2025].pool_id
    only = budget_overview(actor=bureau_admin, year=2025, policy="hp2025")
    assert {r.fiscal_year for r in only.rows} == {2025} and only.total.applications == 1


def test_charts_are_inline_svg_scaled_to_their_budgets(pool, voucher, enterprise_a, owner_a, client_for, bureau_admin):
    import re

    reserve(make_app(voucher, enterprise_a, owner_a), "250000")
    html = client_for(bureau_admin).get(reverse("vouchers:budget_pool", args=[pool.pk])).content.decode()
    svg = html[html.index('<svg class="budget-chart"') :]
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    reserved = float(re.search(r'class="seg seg-reserved" x="[\d.]+" y="\d+" width="([\d.]+)"', svg).group(1))
    remaining = float(re.search(r'class="seg seg-remaining" x="[\d.]+" y="\d+" width="([\d.]+)"', svg).group(1))
    assert width == 560 and abs(remaining / reserved - 3) < 0.01  # 750,000 left of 1,000,000, 250,000 reserved
    assert "style=" not in svg.split("</svg>")[0] and "<script" not in html.split("</header>")[1]


def test_overview_counts_are_shared_for_the_list_count_seconds_and_the_money_is_always_current(
    pool, voucher, enterprise_a, owner_a, bureau_admin, settings
):
    """With PORTAL_LIST_COUNT_SECONDS set (30 s in production), the counts of applications by state are
    read once for every administrator's overview in that time, as the lists' "共 N 件" are; the pool's
    reserved amount is read on every request."""
    from django.core.cache import cache
    from django.utils import timezone

    from vouchers.budget_selectors import budget_overview

    settings.PORTAL_LIST_COUNT_SECONDS = 30
    cache.delete(f"budget-application-counts:{timezone.localdate().year}")

    def mine(ov):
        return next(r for r in ov.rows if r.pool_id == pool.pk)

    first = budget_overview(actor=bureau_admin)
    assert mine(first).applications == 0 and mine(first).reserved == D("0")
    reserve(make_app(voucher, enterprise_a, owner_a, state="bureau_review"), D("100000"))
    with CaptureQueriesContext(connection) as counted:
        second = budget_overview(actor=bureau_admin)
    assert mine(second).reserved == D("100000.00")  # the money: current
    assert mine(second).applications == 0  # the count: shared until the 30 s are over
    assert len(counted) == 2  # programmes and pools; no count of the applications
    cache.delete(f"budget-application-counts:{timezone.localdate().year}")
    assert mine(budget_overview(actor=bureau_admin)).applications == 1
