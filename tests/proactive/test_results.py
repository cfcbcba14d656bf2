"""政策成效 results: figures of a small world built here, each expected figure worked out by hand from
the dates and amounts below (March 2026 has no public holiday: its working days are Monday to
Friday); the district scoping of the page, the export and the API; a constant number of queries."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.workflow import Route
from portal.models import Role
from proactive.models import MatchSet
from proactive.results import ResultFilters, WorkdayCounter, median, p90, results_for_actor
from tests.browser.a11y import text_findings
from tests.factories import EnterpriseFactory, UserFactory, member
from tests.vouchers.test_budget_helpers import make_app, reserve
from vouchers.services.budget import award_commit, pool_set_amount, tranche_disburse

D = Decimal
HP = "hp-model-genai-filing"
TH = "th-scale-leap"
TIANHE = {"registered_district": "tianhe", "tax_district": "tianhe", "stats_district": "tianhe"}


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 9, 30))


def awarded(programme, enterprise, user, *, route, submitted, amount, payments=()):
    """A committed award of `amount` on an application of `route` submitted on `submitted`, paid
    [(date, amount), …]."""
    app = make_app(programme, enterprise, user, state="approved")
    app.route, app.submitted_at = route, at(submitted)
    app.save(update_fields=["route", "submitted_at"])
    [award] = reserve(app, amount, on=dt.date(2026, 3, 2))
    award = award_commit(actor=None, award=award)
    for i, (day, paid) in enumerate(payments):
        award.refresh_from_db()
        tranche_disburse(actor=None, award=award, amount=D(paid), paid_on=day, reference=f"PZ-{app.pk}-{i}")
    return app


def match(enterprise, code, status):
    MatchSet.objects.create(
        enterprise=enterprise,
        results=[{"programme": code, "status": status, "amount": None, "missing": [], "reasons": []}],
        digest="x",
        computed_at=timezone.now(),
    )


@pytest.fixture
def sysadmin(db):
    return UserFactory(role=Role.SYSADMIN, email="sys@example.cn")


@pytest.fixture
def world(catalogue, bureau_admin, bureau_admin_th):
    """Huangpu's programme: four awards of 2026 by three routes; Tianhe's: one award."""
    hp, th = catalogue[HP], catalogue[TH]
    pool_set_amount(actor=bureau_admin, programme=hp, fiscal_year=2026, amount=D("2000000"))
    pool_set_amount(actor=bureau_admin_th, programme=th, fiscal_year=2026, amount=D("5000000"))
    a, b, c, d, e, f = (EnterpriseFactory() for _ in range(6))
    user = member(a, email="results-owner@example.cn")
    # 免申: Mon 2 Mar → paid in full Mon 9 Mar: 7 days, 5 working days (3–6, 9 Mar)
    awarded(
        hp,
        a,
        user,
        route=Route.AUTO,
        submitted=dt.date(2026, 3, 2),
        amount="100000",
        payments=[(dt.date(2026, 3, 9), "100000")],
    )
    # 快申: Tue 3 Mar → 50,000 on Tue 10 Mar (7 days, 5 working days), the rest on Tue 24 Mar (21 days,
    # 15 working days: full)
    awarded(
        hp, b, user, route=Route.QUICK, submitted=dt.date(2026, 3, 3), amount="200000",
        payments=[(dt.date(2026, 3, 10), "50000"), (dt.date(2026, 3, 24), "150000")],
    )  # fmt: skip
    # 依申请: Mon 2 Mar → 100,000 of 300,000 on Mon 30 Mar (28 days, 20 working days), not in full
    awarded(
        hp,
        c,
        user,
        route=Route.APPLIED,
        submitted=dt.date(2026, 3, 2),
        amount="300000",
        payments=[(dt.date(2026, 3, 30), "100000")],
    )
    # 依申请, never paid
    awarded(hp, d, user, route=Route.APPLIED, submitted=dt.date(2026, 3, 4), amount="50000")
    # matching: A, B and E likely eligible (A and B reached, E not), F only possibly
    match(a, HP, "likely")
    match(b, HP, "likely")
    match(e, HP, "likely")
    match(f, HP, "possible")
    g = EnterpriseFactory(**TIANHE)
    awarded(
        th,
        g,
        user,
        route=Route.APPLIED,
        submitted=dt.date(2026, 3, 2),
        amount="70000",
        payments=[(dt.date(2026, 3, 6), "70000")],
    )
    return {"hp": hp, "th": th}


def visible_text(html: str) -> str:
    """The page's text without its tags, scripts and styles (every text, the folded 统计口径 too)."""
    main = html.split("<main", 1)[-1].split(">", 1)[-1].split("</main>", 1)[0]
    body = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", main)
    return unescape(re.sub(r"<[^>]+>", " ", body))


def _row(rows, code, year=2026):
    [row] = [r for r in rows if r.programme_code == code and r.fiscal_year == year]
    return row


def test_percentiles_by_hand():
    assert median([7, 28, 7]) == 7 and median([21, 7]) == 14 and median([1, 2]) == D("1.5")
    assert p90([7, 28, 7]) == 28  # ⌈2.7⌉ = 3rd
    assert p90([21, 7]) == 21  # ⌈1.8⌉ = 2nd
    assert p90(list(range(1, 11))) == 9  # ⌈9⌉ = 9th of 1..10
    assert p90(list(range(1, 12))) == 10  # ⌈9.9⌉ = 10th of 1..11
    assert median([]) is None and p90([]) is None


@pytest.mark.django_db
def test_workday_counter_agrees_with_the_calendar():
    from portal.workdays import workdays_between

    counter = WorkdayCounter(dt.date(2025, 9, 1), dt.date(2025, 10, 31))
    # National Day week with its make-up Saturday (28 Sep) and Sunday (11 Oct) working days
    assert counter.between(dt.date(2025, 9, 26), dt.date(2025, 10, 13)) == workdays_between(
        dt.date(2025, 9, 26), dt.date(2025, 10, 13)
    )
    assert counter.between(dt.date(2025, 9, 1), dt.date(2025, 9, 8)) == 5


@pytest.mark.django_db
def test_figures_by_route(world, bureau_admin):
    row = _row(results_for_actor(actor=bureau_admin, filters=ResultFilters(year=2026)), HP)
    auto, quick, applied = row.routes
    assert [r.route for r in row.routes] == ["auto", "quick", "applied"]
    assert (auto.awards, auto.amount, auto.paid) == (1, D("100000"), D("100000"))
    assert (quick.awards, quick.amount, quick.paid) == (1, D("200000"), D("200000"))
    assert (applied.awards, applied.amount, applied.paid) == (2, D("350000"), D("100000"))
    assert (row.total.awards, row.total.amount, row.total.paid) == (4, D("650000"), D("400000"))
    # first payment
    assert (auto.first_payment.median_days, auto.first_payment.median_workdays) == (7, 5)
    assert (quick.first_payment.median_days, quick.first_payment.median_workdays) == (7, 5)
    assert (applied.first_payment.count, applied.first_payment.median_days, applied.first_payment.p90_workdays) == (
        1,
        28,
        20,
    )
    t = row.total.first_payment
    assert (t.count, t.median_days, t.p90_days, t.median_workdays, t.p90_workdays) == (3, 7, 28, 5, 20)
    # full payment: the 免申 one at once, the 快申 one on its second payment, the standard ones never
    assert (quick.full_payment.median_days, quick.full_payment.median_workdays) == (21, 15)
    assert applied.full_payment.count == 0 and applied.full_payment.median_days is None
    t = row.total.full_payment
    assert (t.count, t.median_days, t.p90_days, t.median_workdays, t.p90_workdays) == (2, 14, 21, 10, 15)
    # reach: A and B of the likely A, B, E; C and D applied but matching did not find them
    assert (row.eligible, row.reached, row.reach_share) == (3, 2, D("66.7"))
    # the budget beside: 2,000,000 of which 650,000 committed and 400,000 paid
    assert (row.pool_amount, row.pool_committed, row.pool_disbursed, row.pool_remaining) == (
        D("2000000"), D("650000"), D("400000"), D("1350000"),
    )  # fmt: skip
    assert row.pool_use == D("32.5")


@pytest.mark.django_db
def test_each_district_sees_its_own(world, bureau_admin, bureau_admin_th, sysadmin):
    hp_codes = {r.programme_code for r in results_for_actor(actor=bureau_admin)}
    th_codes = {r.programme_code for r in results_for_actor(actor=bureau_admin_th)}
    assert HP in hp_codes and TH not in hp_codes
    assert TH in th_codes and HP not in th_codes
    th_row = _row(results_for_actor(actor=bureau_admin_th), TH)
    assert (th_row.total.awards, th_row.total.amount, th_row.total.first_payment.median_workdays) == (1, D("70000"), 4)
    assert {HP, TH} <= {r.programme_code for r in results_for_actor(actor=sysadmin)}


@pytest.mark.django_db
def test_filters(world, bureau_admin, sysadmin):
    assert {r.programme_code for r in results_for_actor(actor=sysadmin, filters=ResultFilters(policy="th2024"))} == {
        r.programme_code for r in results_for_actor(actor=sysadmin) if r.policy_code == "th2024"
    }
    only = results_for_actor(actor=sysadmin, filters=ResultFilters(programme=HP))
    assert {r.programme_code for r in only} == {HP}
    # 2025: no award and nobody reached that year, though matching finds the three eligible now
    [row] = results_for_actor(actor=bureau_admin, filters=ResultFilters(programme=HP, year=2025))
    assert (row.fiscal_year, row.total.awards, row.eligible, row.reached, row.reach_share) == (2025, 0, 3, 0, D("0.0"))
    assert row.pool_amount is None


@pytest.mark.django_db
def test_page_and_export_are_the_districts(world, client_for, bureau_admin, bureau_admin_th, reviewer, owner_a):
    from openpyxl import load_workbook

    url = reverse("proactive:results")
    page = client_for(bureau_admin).get(url, {"year": 2026})
    assert page.status_code == 200
    text = page.content.decode()
    assert world["hp"].name_zh in text and world["th"].name_zh not in text
    assert "650,000.00" in text and "66.7%" in text
    assert text_findings(visible_text(text), codes={HP, TH, "hp2025", "th2024"}) == []
    th_text = client_for(bureau_admin_th).get(url).content.decode()
    assert world["th"].name_zh in th_text and world["hp"].name_zh not in th_text
    for outsider in (reviewer, owner_a):
        assert client_for(outsider).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302

    response = client_for(bureau_admin).get(reverse("proactive:results_export"), {"programme": HP, "year": 2026})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    lines = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [line[4] for line in lines] == ["免申即享", "快申快享", "依申请", "合计"]
    total = lines[-1]
    assert (total[5], total[6], total[7]) == (4, 650000, 400000)
    assert (total[16], total[17], total[18]) == (3, 2, 66.7)
    assert client_for(bureau_admin_th).get(reverse("proactive:results_export"), {"programme": HP}).status_code == 200
    th_sheet = load_workbook(
        io.BytesIO(client_for(bureau_admin_th).get(reverse("proactive:results_export"), {"programme": HP}).content)
    ).active
    assert th_sheet.max_row == 1  # the header only: Huangpu's programme is not Tianhe's to see


@pytest.mark.django_db
def test_api(world, api_for, bureau_admin, bureau_admin_th, reviewer):
    url = reverse("api-results")
    body = api_for(bureau_admin).get(url, {"programme": HP, "year": 2026}).json()
    [entry] = body["results"]
    assert entry["programme"] == HP and entry["district"] == "huangpu"
    assert [r["route"] for r in entry["routes"]] == ["auto", "quick", "applied"]
    assert entry["total"]["amount"] == "650000.00" and entry["total"]["awards"] == 4
    assert entry["total"]["full_payment"] == {
        "count": 2, "median_days": "14.0", "p90_days": 21, "median_workdays": "10.0", "p90_workdays": 15,
    }  # fmt: skip
    assert (entry["eligible"], entry["reached"], entry["reach_percent"]) == (3, 2, "66.7")
    assert entry["pool"]["remaining"] == "1350000.00"
    assert api_for(bureau_admin_th).get(url, {"programme": HP}).json()["results"] == []
    assert api_for(reviewer).get(url).status_code == 403
    assert api_for(None).get(url).status_code in (401, 403)
    bad = api_for(bureau_admin).get(url, {"year": "二〇二六", "programme": "no-such"})
    assert bad.status_code == 400
    assert bad.json()["year"] == ["年度须为四位数字。"] and "未知的申报项目代码" in bad.json()["programme"][0]


@pytest.mark.django_db
def test_constant_number_of_queries(world, catalogue, bureau_admin, client_for):
    c = client_for(bureau_admin)
    urls = [reverse("proactive:results"), reverse("proactive:results_export"), reverse("api-results")]
    c.get(urls[0])  # the session and the caches warm

    def count() -> list[int]:
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    before = count()
    user = member(EnterpriseFactory(), email="more@example.cn")
    for i in range(4):
        enterprise = EnterpriseFactory()
        match(enterprise, HP, "likely")
        awarded(
            catalogue[HP], enterprise, user, route=Route.QUICK, submitted=dt.date(2026, 3, 2 + i), amount="10000",
            payments=[(dt.date(2026, 3, 20), "10000")],
        )  # fmt: skip
    awarded(catalogue[HP], EnterpriseFactory(), user, route=Route.AUTO, submitted=dt.date(2026, 3, 5), amount="1000")
    assert count() == before


@pytest.mark.django_db
def test_the_administrators_navigation_leads_to_the_results(bureau_admin, reviewer, owner_a):
    from portal.navigation import main_nav

    url = reverse("proactive:results")
    items = main_nav(bureau_admin, url)
    assert [i.label for i in items if i.url == url] == ["政策成效"]
    assert [i.url for i in items if i.current] == [url]
    for other in (reviewer, owner_a):
        assert url not in {i.url for i in main_nav(other, "/")}
