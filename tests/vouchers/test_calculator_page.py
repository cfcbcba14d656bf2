"""The policy calculator page: its form built from the programme's inputs, worked examples, why not
eligible, the cap that bound, errors on the fields, and a member's prior awards."""

from __future__ import annotations

import datetime as dt

import pytest

from .catalogue_helpers import ON, prior_award, text

pytestmark = pytest.mark.django_db


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
