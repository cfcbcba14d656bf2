"""The public catalogue page: both policies and every programme, its filters, and the eligibility hint
for an enterprise's members. The programme and policy pages, the calculator page and the administrators'
pages are tested beside it (test_programme_pages.py, test_calculator_page.py, test_catalogue_admin.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from vouchers.models import Programme

from .catalogue_helpers import prior_award, text

pytestmark = pytest.mark.django_db


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
