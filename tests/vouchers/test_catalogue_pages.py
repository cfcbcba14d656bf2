"""The public catalogue pages, the policy calculator page, the administrators' parameter and window
pages (and Django admin saves) going through the audited services, and the demo windows."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch
from django.utils import timezone

from portal.models import AuditEvent, Role
from tests.browser.a11y import OFFICIAL_ACRONYMS
from tests.factories import UserFactory
from vouchers.models import ApplicationWindow, ParameterValue, Policy, Programme
from vouchers.selectors import parameters_in_force
from vouchers.services.catalogue import window_open

from .catalogue_helpers import ON, prior_award

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def open_window(programme, admin, days=10):
    now = timezone.now()
    return window_open(
        actor=admin,
        programme=programme,
        name="2026年第一批",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=days),
    )


# ---------------------------------------------------------------- the catalogue


def test_catalogue_shows_both_policies_and_all_programmes_to_anonymous_users(catalogue, client_for):
    r = client_for(None).get("/catalogue/")
    assert r.status_code == 200
    page = text(r)
    assert "政策与项目" in page and 'lang="zh-CN"' in page
    assert "穗开经信规字〔2025〕7号" in page
    assert "广州开发区经济和信息化局" in page and "广州市黄埔区工业和信息化局" in page
    assert "2025年6月27日" in page and "2028年6月26日" in page
    # th2024 is a draft (征求意见稿) whose programmes take applications only in windows administrators open
    assert "征求意见稿" in page and "仅在管理员开放的申报批次内受理申报" in page
    # PROGRAMS.md lists 24 programmes
    assert Programme.objects.count() == 24
    for programme in catalogue.values():
        assert programme.name_zh in page and f'data-code="{programme.code}"' in page
    assert "贵企业" not in page  # no eligibility column for anonymous visitors


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=data", {"hp-data-space", "hp-data-asset-entry", "hp-data-trading", "th-dcmm"}),
        ("kind=compute", {"hp-compute-voucher", "hp-vertical-model-compute", "th-compute-subsidy"}),
        ("kind=scenario", {"hp-scenario-voucher", "th-scenario-demo"}),
        ("kind=model&policy=th2024", {"th-software-matching", "th-rd-subsidy"}),
    ],
)
def test_catalogue_filters(catalogue, client_for, query, expected):
    page = text(client_for(None).get(f"/catalogue/?{query}"))
    shown = {code for code in catalogue if f'data-code="{code}"' in page}
    assert shown == expected


def test_catalogue_filter_by_policy(catalogue, client_for):
    page = text(client_for(None).get("/catalogue/?policy=th2024"))
    shown = {code for code in catalogue if f'data-code="{code}"' in page}
    assert shown == {c for c in catalogue if c.startswith("th-")} and len(shown) == 13


def test_an_unknown_filter_value_says_so_and_shows_everything(catalogue, client_for):
    page = text(client_for(None).get("/catalogue/?kind=lottery"))
    assert "lottery" in page and "有效的选项" in page
    assert sum(f'data-code="{code}"' in page for code in catalogue) == 24


def test_eligibility_hint_for_an_enterprise_member(catalogue, client_for, owner_a, enterprise_a):
    # enterprise A: Huangpu (registered, tax, statistics), AI industry, above-scale
    page = text(client_for(owner_a).get("/catalogue/"))
    rows = {code: page.split(f'data-code="{code}"', 1)[1].split("</tr>", 1)[0] for code in catalogue}
    assert "可能符合" in rows["hp-compute-voucher"]
    assert "不符合" in rows["hp-revenue-growth"] and "软件和信息技术服务业" in rows["hp-revenue-growth"]
    assert "不符合" in rows["th-dcmm"] and "注册地在黄埔区/广州开发区，不在天河区" in rows["th-dcmm"]
    # not above-scale: Tianhe clauses naming 规模以上 say so (and the district still fails)
    enterprise_a.is_above_scale = False
    enterprise_a.registered_district = enterprise_a.tax_district = enterprise_a.stats_district = "tianhe"
    enterprise_a.save()
    page = text(client_for(owner_a).get("/catalogue/"))
    rows = {code: page.split(f'data-code="{code}"', 1)[1].split("</tr>", 1)[0] for code in catalogue}
    assert "须为规模以上企业" in rows["th-dcmm"] and "可能符合" in rows["th-vc-subsidy"]


def test_eligibility_hint_knows_a_once_only_award_was_had(catalogue, client_for, owner_a, enterprise_a):
    prior_award(
        enterprise=enterprise_a,
        programme=catalogue["hp-model-genai-filing"],
        amount="1000000",
        decided_on=dt.date(2025, 12, 1),
        user=owner_a,
    )
    page = text(client_for(owner_a).get("/catalogue/hp-model-genai-filing/"))
    assert "本项目为一次性奖励，贵企业已获得" in page


def test_staff_without_an_enterprise_see_no_hint(catalogue, client_for, reviewer):
    page = text(client_for(reviewer).get("/catalogue/"))
    assert "可能符合" not in page and "贵企业" not in page


# ---------------------------------------------------------------- programme and policy pages


@pytest.mark.parametrize(
    "code",
    [
        "hp-compute-voucher",
        "hp-revenue-growth",
        "th-scenario-demo",
        "th-dcmm",
        "th-software-matching",
        "hp-vertical-model-compute",
    ],
)
def test_programme_page(catalogue, client_for, code):
    programme = catalogue[code]
    r = client_for(None).get(f"/catalogue/{code}/")
    assert r.status_code == 200
    page = text(r)
    assert programme.name_zh in page and programme.summary_zh in page and programme.eligibility_zh in page
    assert programme.clause_text in page  # the official simplified text of the clause
    for material in programme.materials:
        assert material["label_zh"] in page
    assert f"/catalogue/{code}/estimate/" in page
    for row in ParameterValue.objects.filter(programme=programme):
        assert row.clause in page


def test_every_programme_page_renders(catalogue, client_for):
    client = client_for(None)
    for code in catalogue:
        assert client.get(f"/catalogue/{code}/").status_code == 200, code


def test_programme_page_details(catalogue, client_for):
    page = text(client_for(None).get("/catalogue/hp-revenue-growth/"))
    # the clause in official simplified text; the seed's traditional wording folded beside it
    assert "每家企业每年最高可享受1000万元支持" in page
    assert page.count("每家企業每年最高可享受1000萬元支持") == 1
    assert "原文为繁体，已转换为简体" in page
    assert "同比增速须超过 10%" in page and "每完整 1,000万元" in page and "5,000万元" in page
    assert "10,000,000.00 元（1,000万元）" in page  # the cap in force
    assert "限以下行业：互联网和相关服务、软件和信息技术服务业" in page
    assert "常规审核" in page and "公示" in page
    competitive = text(client_for(None).get("/catalogue/hp-vertical-model-compute/"))
    assert "专家评审" in competitive and "技术创新性" in competitive and "政策有效期内支持主体名额" in competitive
    draft = text(client_for(None).get("/catalogue/th-dcmm/"))
    assert "征求意见稿" in draft and "须为规模以上企业" in draft


def _param_cells(page: str) -> dict[str, tuple[str, str, str]]:
    """label → (clause, note label, note) of each parameter row of a programme page."""
    rows = {}
    for row in re.findall(r"<tr><td>(.*?)</tr>", page, flags=re.S):
        clause = re.search(r'<span class="clause-ref"[^>]*>(.*?)</span>', row, flags=re.S)
        if clause is None:
            continue
        note = re.search(r'<span class="tag">(.*?)</span>\s*(.*?)</span>', row, flags=re.S)
        label = row.split("</td>", 1)[0]
        rows[label] = (clause.group(1), *(note.groups() if note else ("", "")))
    return rows


@pytest.mark.parametrize(
    ("code", "label", "clause", "kind", "words"),
    [
        # rates the text leaves open
        (
            "hp-compute-voucher",
            "支持比例",
            "第二条：对企业本地部署开源模型、云部署、API调用等方面智能算力服务成本予以支持",
            "平台口径",
            "条文未规定支持比例",
        ),
        ("hp-compute-voucher", "算力券有效期", "第二条：发放最高1000万元“算力券”", "平台口径", "条文未规定券的有效期"),
        # the th-dcmm difference rule
        ("th-dcmm", "数据管理能力成熟度四级奖励", "培育措施 7：四级奖励10万元", "平台口径", "差额"),
        # the tier rule of hp-revenue-growth
        ("hp-revenue-growth", "第三档：每单位奖励", "第七条：分别给予……5.5万元", "平台口径", "全部增量"),
        # a note that only says how the clause is applied
        (
            "hp-compute-voucher",
            "政策有效期内每家企业最高",
            "第二条：单个企业最高可享受50万元",
            "说明",
            "政策有效期内累计",
        ),
    ],
)
def test_readings_are_shown_as_the_portals_apart_from_the_clause(
    catalogue, client_for, code, label, clause, kind, words
):
    rows = _param_cells(text(client_for(None).get(f"/catalogue/{code}/")))
    got_clause, got_kind, got_note = rows[label]
    assert got_clause == clause and (got_kind, words in got_note) == (kind, True)
    assert words not in got_clause and "平台口径" not in got_note  # the label is said once, by the page
    assert not re.search(r"[A-Za-z]{3,}", got_note)  # no English gloss, no PROGRAMS.md


# Latin words a Chinese programme page may show: names in the official text and the language button;
# an acronym only in the official text's own form (OFFICIAL_ACRONYMS, the browser suite's scan allows the same).
ALLOWED_LATIN = {"AI", "API", "PDF", "English"}


def test_chinese_programme_pages_show_no_code_names_or_english(catalogue, client_for):
    client = client_for(None)
    names = set(ParameterValue.objects.values_list("name", flat=True)) | set(catalogue)
    for code in catalogue:
        html = text(client.get(f"/catalogue/{code}/"))
        visible = unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)))
        visible = OFFICIAL_ACRONYMS.sub(" ", visible)
        words = set(re.findall(r"[A-Za-z][A-Za-z_.\-]*", visible))
        assert words <= ALLOWED_LATIN, (code, words - ALLOWED_LATIN)
        assert not {n for n in names if n in visible}, code


def test_amounts_show_wan_only_where_exact(catalogue, client_for, bureau_admin_th):
    from vouchers.services.catalogue import parameter_set

    parameter_set(
        actor=bureau_admin_th,
        programme=catalogue["th-software-matching"],
        name="cap_national",
        value=Decimal("1000000.01"),
        effective_from=timezone.localdate(),
        clause="测试用申报指南",
    )
    page = text(client_for(None).get("/catalogue/th-software-matching/"))
    cells = re.findall(r"<tr><td>国家级项目最高</td><td class=\"num\">(.*?)</td>", page)
    assert cells == ["1,000,000.01 元"]  # never 100万元: that would read as the cap it exceeds
    assert "500,000.00 元（50万元）" in page  # the provincial cap, exact


def test_programme_page_shows_a_scheduled_parameter_change(catalogue, client_for, bureau_admin):
    from vouchers.services.catalogue import parameter_set

    future = timezone.localdate() + dt.timedelta(days=40)
    parameter_set(
        actor=bureau_admin,
        programme=catalogue["hp-data-trading"],
        name="rate",
        value=Decimal("0.02"),
        effective_from=future,
        clause="2027年度申报指南 第三条",
    )
    page = text(client_for(None).get("/catalogue/hp-data-trading/"))
    assert "已公布的调整" in page and "2027年度申报指南 第三条" in page and "2%" in page


def test_apply_button_only_when_the_applications_url_exists(catalogue, client_for, bureau_admin_th, monkeypatch):
    from vouchers import views_catalogue

    programme = catalogue["th-dcmm"]
    open_window(programme, bureau_admin_th)
    monkeypatch.setattr(views_catalogue, "reverse", lambda name, args: f"/apply/{args[0]}/")
    page = text(client_for(None).get("/catalogue/th-dcmm/"))
    assert "在线申报" in page and 'href="/apply/th-dcmm/"' in page and "2026年第一批" in page

    def missing(name, args):
        raise NoReverseMatch(name)

    monkeypatch.setattr(views_catalogue, "reverse", missing)
    page = text(client_for(None).get("/catalogue/th-dcmm/"))
    assert "在线申报" not in page


def test_draft_policy_programme_without_an_open_window_has_no_apply_button(catalogue, client_for, monkeypatch):
    from vouchers import views_catalogue

    monkeypatch.setattr(views_catalogue, "reverse", lambda name, args: f"/apply/{args[0]}/")
    draft = text(client_for(None).get("/catalogue/th-dcmm/"))
    assert "在线申报" not in draft and "当前没有开放的申报批次" in draft
    in_force = text(client_for(None).get("/catalogue/hp-data-trading/"))
    assert 'href="/apply/hp-data-trading/"' in in_force


def test_policy_page_has_the_full_text(catalogue, client_for):
    page = text(client_for(None).get("/catalogue/policy/hp2025/"))
    policy = Policy.objects.get(code="hp2025")
    assert "穗开经信规字〔2025〕7号" in policy.full_text and policy.full_text[:200].split("\n")[2] in page
    # where the text comes from: the scraped traditional page, kept folded, and what was done to it
    assert "穗開經信規字〔2025〕7號" in policy.full_text_source
    shown, source = page.split("<details", 1)
    assert "穗開經信規字" not in shown and "穗開經信規字〔2025〕7號" in source
    assert "文本来源" in shown and "原文为繁体，已转换为简体" in shown and "点击数信息行" in shown
    assert "/catalogue/hp-revenue-growth/" in page
    draft = text(client_for(None).get("/catalogue/policy/th2024/"))
    assert "征求意见稿" in draft and "暂无文号" in draft
    assert "PDF 提取的文字" in draft and "转换为简体" not in draft


def test_unknown_codes_are_404(catalogue, client_for):
    client = client_for(None)
    for url in ("/catalogue/hp-nothing/", "/catalogue/hp-nothing/estimate/", "/catalogue/policy/xx2099/"):
        assert client.get(url).status_code == 404, url


# ---------------------------------------------------------------- the calculator page


def calc(client, code, **inputs):
    return client.get(f"/catalogue/{code}/estimate/", {"run": "1", **inputs})


def test_calculator_form_is_built_from_the_programme_inputs(catalogue, client_for):
    page = text(client_for(None).get("/catalogue/th-software-matching/estimate/"))
    assert 'name="superior_funding"' in page and "（元）" in page and 'inputmode="decimal"' in page
    assert '<option value="national">国家级</option>' in page and 'name="date"' in page
    flags = text(client_for(None).get("/catalogue/hp-model-genai-filing/estimate/"))
    assert 'type="checkbox" name="first_national_genai_filing"' in flags
    assert "vouchers/catalogue.js" in page and "<script>" not in page


def test_calculator_worked_example(catalogue, client_for):
    r = calc(
        client_for(None), "hp-revenue-growth", revenue_previous="500,000,000", revenue_current="700000000", date=ON
    )
    assert r.status_code == 200
    page = text(r)
    assert "符合测算条件" in page and "800,000.00 元" in page and "合 80万元" in page
    # the parameters used are named and written for readers, never by their code names
    assert "第二档：每单位奖励" in page and "40,000.00 元（4万元）" in page and "tier2_per_unit" not in page
    assert "20 × 40,000.00 = 800,000.00" in page and "200,000,000.00" in page


def test_calculator_explains_why_not_eligible(catalogue, client_for):
    page = text(
        calc(client_for(None), "hp-revenue-growth", revenue_current="660000000", revenue_previous="600000000", date=ON)
    )
    assert "不符合支持条件" in page and "未超过 10%" in page and "0.00 元" in page
    page = text(calc(client_for(None), "th-compute-subsidy", annual_contract_total="5000000", date=ON))
    assert "不符合支持条件" in page and "须超过 5,000,000.00 元" in page


def test_calculator_shows_the_cap_that_bound(catalogue, client_for):
    page = text(calc(client_for(None), "th-software-matching", superior_funding="3000000", level="provincial", date=ON))
    assert "500,000.00 元" in page and "受“省级项目最高”限制" in page


def test_calculator_bad_input_is_shown_on_the_fields(catalogue, client_for):
    r = calc(client_for(None), "hp-revenue-growth", revenue_current="-5", revenue_previous="", date=ON)
    assert r.status_code == 400
    page = text(r)
    assert "不能为负数" in page and "请填写“上年同期（1-11月）营业收入”" in page and "请先更正" in page
    r = calc(client_for(None), "hp-revenue-growth", revenue_current="abc", revenue_previous="1", date="2030-01-01")
    assert r.status_code == 400
    assert "须为数字" in text(r) and "不在政策有效期内" in text(r)
    r = calc(client_for(None), "th-software-matching", superior_funding="1", level="county", date=ON)
    assert r.status_code == 400 and "选项无效" in text(r)


def test_calculator_counts_a_members_prior_awards(catalogue, client_for, owner_a, owner_b, enterprise_a):
    prior_award(
        enterprise=enterprise_a,
        programme=catalogue["hp-compute-voucher"],
        amount="400000",
        decided_on=dt.date(2026, 1, 10),
        user=owner_a,
    )
    anonymous = text(calc(client_for(None), "hp-compute-voucher", eligible_cost="300000", date=ON))
    assert "300,000.00 元" in anonymous and "100,000.00 元" not in anonymous
    mine = text(calc(client_for(owner_a), "hp-compute-voucher", eligible_cost="300000", date=ON))
    assert "100,000.00 元" in mine and "贵企业剩余额度" in mine and enterprise_a.name in mine
    theirs = text(calc(client_for(owner_b), "hp-compute-voucher", eligible_cost="300000", date=ON))
    assert "300,000.00 元" in theirs and "100,000.00 元" not in theirs


# ---------------------------------------------------------------- administrators


def test_administrator_changes_a_parameter_from_a_date(catalogue, client_for, bureau_admin):
    programme = catalogue["hp-data-trading"]
    r = client_for(bureau_admin).post(
        "/manage/catalogue/hp-data-trading/parameter/",
        {"name": "rate", "value": "0.02", "effective_from": "2027-01-01", "clause": "2027年度申报指南 第三条"},
    )
    assert r.status_code == 302
    assert parameters_in_force(programme=programme, on=dt.date(2026, 12, 31))["rate"] == Decimal("0.03")
    assert parameters_in_force(programme=programme, on=dt.date(2027, 1, 1))["rate"] == Decimal("0.02")
    row = ParameterValue.objects.get(programme=programme, name="rate", effective_from=dt.date(2027, 1, 1))
    assert row.created_by == bureau_admin
    event = AuditEvent.objects.get(action="parameter.set")
    assert event.actor == bureau_admin and event.after["value"] == "0.02"


def test_parameter_form_errors_are_on_the_fields(catalogue, client_for, bureau_admin):
    before = ParameterValue.objects.count()
    r = client_for(bureau_admin).post(
        "/manage/catalogue/hp-data-trading/parameter/",
        {"name": "rate", "value": "-1", "effective_from": "2027-01-01", "clause": ""},
    )
    assert r.status_code == 400
    assert "这个字段是必填项" in text(r) or "必填" in text(r)
    r = client_for(bureau_admin).post(
        "/manage/catalogue/hp-data-trading/parameter/",
        {"name": "cap_galaxy", "value": "1", "effective_from": "2027-01-01", "clause": "x"},
    )
    assert r.status_code == 400
    assert ParameterValue.objects.count() == before and not AuditEvent.objects.filter(action="parameter.set").exists()


@pytest.mark.parametrize("who", ["anonymous", "owner_a", "reviewer", "expert", "provider_user"])
def test_only_administrators_change_parameters_or_open_windows(catalogue, client_for, request, who):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    client = client_for(user)
    before = (ParameterValue.objects.count(), ApplicationWindow.objects.count())
    r1 = client.post(
        "/manage/catalogue/hp-data-trading/parameter/",
        {"name": "rate", "value": "0.5", "effective_from": "2027-01-01", "clause": "x"},
    )
    r2 = client.post(
        "/manage/catalogue/hp-data-trading/window/",
        {"name": "黑批次", "opens_at": "2026-03-01T09:00", "closes_at": "2026-04-01T17:00"},
    )
    r3 = client.get("/manage/catalogue/hp-data-trading/parameter/")
    if user is None:
        assert all(r.status_code == 302 and "/accounts/login/" in r["Location"] for r in (r1, r2, r3))
    else:
        assert (r1.status_code, r2.status_code, r3.status_code) == (403, 403, 403)
    assert (ParameterValue.objects.count(), ApplicationWindow.objects.count()) == before
    assert not AuditEvent.objects.filter(action__in=["parameter.set", "window.open"]).exists()


def test_another_districts_administrator_may_not_open_a_window(catalogue, client_for, bureau_admin):
    """所属区域: th-dcmm is th2024's; Huangpu's administrator maintains neither its windows nor its parameters."""
    client = client_for(bureau_admin)
    assert client.get("/manage/catalogue/th-dcmm/window/").status_code == 403
    assert (
        client.post(
            "/manage/catalogue/th-dcmm/window/",
            {"name": "2026年第二批", "opens_at": "2026-07-01 09:00", "closes_at": "2026-08-01 17:00"},
        ).status_code
        == 403
    )
    assert client.get("/manage/catalogue/th-dcmm/parameter/").status_code == 403
    assert not ApplicationWindow.objects.filter(programme=catalogue["th-dcmm"]).exists()
    # the programme page offers the management links to the programme's own district only
    assert "/manage/catalogue/th-dcmm/window/" not in client.get("/catalogue/th-dcmm/").content.decode()
    assert "/manage/catalogue/hp-data-trading/window/" in client.get("/catalogue/hp-data-trading/").content.decode()


def test_administrator_opens_a_window(catalogue, client_for, bureau_admin_th):
    client = client_for(bureau_admin_th)
    assert client.get("/manage/catalogue/th-dcmm/window/").status_code == 200
    r = client.post(
        "/manage/catalogue/th-dcmm/window/",
        {"name": "2026年第二批", "opens_at": "2026-03-01T09:00", "closes_at": "2026-03-01T08:00"},
    )
    assert r.status_code == 400 and "截止时间必须晚于开始时间" in text(r)
    assert not ApplicationWindow.objects.exists()
    r = client.post(
        "/manage/catalogue/th-dcmm/window/",
        {"name": "2026年第二批", "opens_at": "2026-03-01T09:00", "closes_at": "2026-04-01T17:00"},
    )
    assert r.status_code == 302
    window = ApplicationWindow.objects.get(programme=catalogue["th-dcmm"])
    assert window.name == "2026年第二批"
    assert AuditEvent.objects.filter(action="window.open", actor=bureau_admin_th).count() == 1
    page = text(client.get("/catalogue/th-dcmm/"))
    assert "调整政策参数" in page and "开放申报批次" in page  # the administrator's links


def test_django_admin_saves_go_through_the_services(catalogue, client_for):
    admin = UserFactory(role=Role.BUREAU_ADMIN, is_staff=True, is_superuser=True)
    client = client_for(admin)
    programme = catalogue["hp-data-trading"]
    r = client.post(
        "/admin/vouchers/parametervalue/add/",
        {
            "programme": programme.pk,
            "name": "rate",
            "value": "0.025",
            "effective_from": "2027-01-01",
            "clause": "2027年度申报指南",
            "note": "",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    row = ParameterValue.objects.get(programme=programme, name="rate", effective_from=dt.date(2027, 1, 1))
    assert row.value == Decimal("0.025") and row.created_by == admin
    assert AuditEvent.objects.filter(action="parameter.set", actor=admin).count() == 1
    # changing it later keeps programme, name and date and is audited with the value before
    r = client.post(
        f"/admin/vouchers/parametervalue/{row.pk}/change/",
        {"value": "0.02", "clause": "2027年度申报指南(修订)", "note": ""},
    )
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.value == Decimal("0.02")
    change = AuditEvent.objects.filter(action="parameter.set").order_by("-id").first()
    assert change.before == {"value": "0.0250"}
    # a parameter the programme does not have is refused with a message, nothing written
    r = client.post(
        "/admin/vouchers/parametervalue/add/",
        {
            "programme": programme.pk,
            "name": "cap_galaxy",
            "value": "1",
            "effective_from": "2027-01-01",
            "clause": "x",
            "note": "",
        },
    )
    assert r.status_code == 200 and "没有参数 cap_galaxy" in text(r)
    assert not ParameterValue.objects.filter(name="cap_galaxy").exists()
    # windows: opened through window_open
    r = client.post(
        "/admin/vouchers/applicationwindow/add/",
        {
            "programme": programme.pk,
            "name": "2026年第三批",
            "opens_at_0": "2026-03-01",
            "opens_at_1": "09:00:00",
            "closes_at_0": "2026-04-01",
            "closes_at_1": "17:00:00",
        },
    )
    assert r.status_code == 302
    assert AuditEvent.objects.filter(action="window.open", actor=admin).count() == 1


# ---------------------------------------------------------------- demo data


def test_demo_seed_opens_a_window_for_every_programme_once(catalogue, bureau_admin, bureau_admin_th):
    call_command("demo_seed_programmes", verbosity=0)
    today = timezone.localdate()
    windows = list(ApplicationWindow.objects.select_related("programme__policy"))
    # each district's windows are opened by that district's administrator
    opened_by = dict(AuditEvent.objects.filter(action="window.open").values_list("target_id", "actor__district"))
    assert {opened_by[str(w.pk)] for w in windows if w.programme.policy.code == "hp2025"} == {"huangpu"}
    assert {opened_by[str(w.pk)] for w in windows if w.programme.policy.code == "th2024"} <= {"tianhe"}
    # every programme whose policy is still valid (th2024 ends 2026-12-31)
    assert {w.programme.code for w in windows} == {c for c, p in catalogue.items() if p.policy.valid_to >= today}
    assert len(windows) == len({w.programme_id for w in windows})
    for w in windows:
        assert w.name == f"{today.year}年第一批"
        assert timezone.localdate(w.opens_at) == today - dt.timedelta(days=60)
        end = min(today + dt.timedelta(days=60), w.programme.policy.valid_to)
        assert timezone.localdate(w.closes_at) == end
    snapshot = list(ApplicationWindow.objects.order_by("id").values())
    events = AuditEvent.objects.count()
    call_command("demo_seed_programmes", verbosity=0)
    assert list(ApplicationWindow.objects.order_by("id").values()) == snapshot
    assert AuditEvent.objects.count() == events


def test_demo_seed_opens_a_claim_window_for_an_expired_policy(catalogue, bureau_admin, bureau_admin_th):
    from vouchers.lifecycle import policy_state

    today = timezone.localdate()
    th = catalogue["th-dcmm"].policy
    th.valid_to = today - dt.timedelta(days=10)
    th.save()
    call_command("demo_seed_programmes", verbosity=0)
    claims = ApplicationWindow.objects.filter(programme__policy=th)
    assert claims.count() == len([c for c in catalogue if c.startswith("th-")])
    assert {w.kind for w in claims} == {"claim"} and {w.name for w in claims} == {f"{th.valid_to.year}年度清算批次"}
    assert all(timezone.localdate(w.opens_at) > th.valid_to for w in claims)
    th.refresh_from_db()
    assert policy_state(th).code == "claims"
    assert not ApplicationWindow.objects.filter(programme__policy__code="hp2025", kind="claim").exists()
