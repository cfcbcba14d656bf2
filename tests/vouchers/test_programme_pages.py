"""The public programme and policy pages: their parameters and readings (平台口径) apart from the clause,
Chinese without code names, amounts, scheduled changes and the apply button."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import NoReverseMatch
from django.utils import timezone

from tests.browser.a11y import OFFICIAL_ACRONYMS
from vouchers.models import ParameterValue, Policy

from .catalogue_helpers import open_window, text

pytestmark = pytest.mark.django_db


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
