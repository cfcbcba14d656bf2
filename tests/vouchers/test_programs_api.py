"""GET /api/v1/programs/, GET /api/v1/programs/{code}/ and POST /api/v1/programs/{code}/estimate/:
open to anyone; exact decimals; a 400 with a Chinese message per field for bad input; 404 for an
unknown code; a signed-in member's estimate counts that enterprise's prior awards only."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest

from vouchers.api_catalogue import DecimalJSONParser
from vouchers.display import param_kind
from vouchers.models import ParameterValue, Programme

from .catalogue_helpers import ON, prior_award, valid_inputs

pytestmark = pytest.mark.django_db

ALL_CODES = [
    "hp-compute-voucher",
    "hp-vertical-model-compute",
    "hp-model-genai-filing",
    "hp-model-deepsynth-filing",
    "hp-scenario-voucher",
    "hp-data-space",
    "hp-data-asset-entry",
    "hp-data-trading",
    "hp-revenue-growth",
    "hp-transformation-center",
    "hp-open-source",
    "th-landing-scale",
    "th-landing-revenue",
    "th-scale-leap",
    "th-scenario-demo",
    "th-software-matching",
    "th-rd-subsidy",
    "th-consortium",
    "th-dcmm",
    "th-compute-subsidy",
    "th-vc-subsidy",
    "th-loan-interest",
    "th-events",
    "th-case-by-case",
]


def estimate(client, code, body, **extra):
    return client.post(
        f"/api/v1/programs/{code}/estimate/", data=json.dumps(body), content_type="application/json", **extra
    )


# ---------------------------------------------------------------- list and detail


def test_list_is_open_to_anonymous_users_and_has_every_programme(catalogue, api_for):
    r = api_for(None).get("/api/v1/programs/")
    assert r.status_code == 200
    body = r.json()
    # PROGRAMS.md lists 24 programmes (11 hp2025 + 13 th2024).
    assert body["count"] == 24
    codes = [p["code"] for p in body["results"]]
    assert sorted(codes) == sorted(ALL_CODES)
    growth = next(p for p in body["results"] if p["code"] == "hp-revenue-growth")
    assert growth["name"] == "软件企业营收增长奖励"
    assert growth["kind"] == "other" and growth["review_path"] == "standard" and growth["is_voucher"] is False
    assert growth["policy"]["code"] == "hp2025" and growth["policy"]["status"] == "in_force"
    assert [(i["name"], i["type"], i["unit"]) for i in growth["inputs"]] == [
        ("revenue_current", "decimal", "yuan"),
        ("revenue_previous", "decimal", "yuan"),
    ]
    assert growth["inputs"][0]["unit_label"] == "元"
    dcmm = next(p for p in body["results"] if p["code"] == "th-dcmm")
    assert dcmm["policy"]["status"] == "draft"
    assert [c["value"] for c in dcmm["inputs"][0]["choices"]] == ["3", "4", "5"]
    voucher = next(p for p in body["results"] if p["code"] == "hp-compute-voucher")
    assert voucher["is_voucher"] is True


def test_list_filters_by_kind_and_policy(catalogue, api_for):
    client = api_for(None)
    data = client.get("/api/v1/programs/?kind=data").json()["results"]
    assert sorted(p["code"] for p in data) == ["hp-data-asset-entry", "hp-data-space", "hp-data-trading", "th-dcmm"]
    tianhe = client.get("/api/v1/programs/?policy=th2024").json()
    assert tianhe["count"] == 13 and all(p["policy"]["code"] == "th2024" for p in tianhe["results"])
    r = client.get("/api/v1/programs/?kind=vouchers")
    assert r.status_code == 400 and "未知类别" in r.json()["kind"][0]


@pytest.mark.parametrize("code", ALL_CODES)
def test_detail_of_every_programme(catalogue, api_for, code):
    r = api_for(None).get(f"/api/v1/programs/{code}/")
    assert r.status_code == 200
    body = r.json()
    programme = catalogue[code]
    assert body["code"] == code and body["clause_text"] == programme.clause_text
    assert body["clause_source"] == programme.clause_source and body["text_provenance"]
    # 一事一议 (th-case-by-case) has no parameter: the decision sets the amount, the pool binds it.
    assert body["materials"] and (bool(body["parameters"]) is (code != "th-case-by-case"))
    for p in body["parameters"]:
        assert re.fullmatch(r"\d+(\.\d+)?", p["value"]) and p["clause"]
        # money as a decimal string with two places; a rate as the decimal beside its percentage text
        assert re.fullmatch(
            {"yuan": r"\d+\.\d{2}", "percent": r"\d+(\.\d+)?", "count": r"\d+", "months": r"\d+", "workdays": r"\d+"}[
                p["unit"]
            ],
            p["value"],
        ), p
        if p["unit"] == "percent":
            assert p["text"] == f"{(Decimal(p['value']) * 100).normalize():f}%"
        assert p["label"] != p["name"] and (p["note_kind"] == "") is (p["note"] == "")
        assert p["note_label"] == {"reading": "平台口径", "explanation": "说明", "": ""}[p["note_kind"]]


def test_detail_shows_parameters_in_force_and_open_windows(catalogue, api_for, bureau_admin):
    from django.utils import timezone

    from vouchers.services.catalogue import window_open

    now = timezone.now()
    window_open(
        actor=bureau_admin,
        programme=catalogue["hp-data-trading"],
        name="2026年第一批",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=10),
    )
    body = api_for(None).get("/api/v1/programs/hp-data-trading/").json()
    rate = next(p for p in body["parameters"] if p["name"] == "rate")
    assert (rate["value"], rate["unit"], rate["text"]) == ("0.03", "percent", "3%") and "第六条" in rate["clause"]
    cap = next(p for p in body["parameters"] if p["name"].startswith("cap_"))
    assert (cap["value"], cap["unit"], cap["text"]) == ("200000.00", "yuan", "200,000.00 元（20万元）")
    # the clause in official simplified text with full-width punctuation
    assert cap["clause"] == "第六条：给予最高20万元奖励或补贴"
    assert [w["name"] for w in body["windows"]] == ["2026年第一批"] and body["windows"][0]["is_open"] is True


@pytest.mark.parametrize(
    ("code", "name", "kind", "words"),
    [
        ("hp-compute-voucher", "rate", "reading", "条文未规定支持比例"),
        ("th-dcmm", "level_4", "reading", "差额"),
        ("hp-revenue-growth", "tier3_per_unit", "reading", "全部增量"),
        ("hp-vertical-model-compute", "awardee_quota_period", "explanation", "由评审排名控制"),
    ],
)
def test_readings_are_labelled_apart_from_the_clause(catalogue, api_for, code, name, kind, words):
    body = api_for(None).get(f"/api/v1/programs/{code}/").json()
    p = next(p for p in body["parameters"] if p["name"] == name)
    assert p["note_kind"] == kind and words in p["note"] and words not in p["clause"]
    assert p["note_label"] == ("平台口径" if kind == "reading" else "说明")
    assert not re.search(r"[a-z]{3,}", p["note"])  # no English gloss


def test_unknown_code_is_404(catalogue, api_for):
    client = api_for(None)
    assert client.get("/api/v1/programs/hp-nothing/").status_code == 404
    r = estimate(client, "hp-nothing", {"x": "1"})
    assert r.status_code == 404 and "hp-nothing" in r.json()["detail"]


# ---------------------------------------------------------------- estimate


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_programme_estimates_a_valid_input_set(catalogue, api_for, code):
    r = estimate(api_for(None), code, {**valid_inputs(catalogue[code]), "date": ON})
    assert r.status_code == 200, r.content
    body = r.json()
    assert isinstance(body["eligible"], bool)
    assert re.fullmatch(r"\d+\.\d{2}", body["amount"])
    assert body["on"] == ON and body["steps"] and body["lines"]
    assert bool(body["parameters"]) is (code != "th-case-by-case")
    assert body["capped_by"] is None or body["capped_by"] in body["parameters"]
    # parameters used are written as the programme's parameters are: yuan with two places
    for name, value in body["parameters"].items():
        assert re.fullmatch(r"\d+\.\d{2}" if param_kind(name) == "yuan" else r"\d+(\.\d+)?", value), (name, value)
    assert body["prior_awards_counted"] is False


@pytest.mark.parametrize(
    ("code", "body", "amount", "capped_by"),
    [
        # PROGRAMS.md worked example: increment 200M, growth 40%, tier "> 150M", 20 units × 40,000
        ("hp-revenue-growth", {"revenue_previous": "500000000", "revenue_current": "700000000"}, "800000.00", None),
        # rate 1.00 (no ratio in the clause), 500,000 per enterprise over the period
        ("hp-compute-voucher", {"eligible_cost": "600000"}, "500000.00", "cap_per_enterprise_period"),
        ("hp-data-trading", {"annual_listed_trading": "2000000"}, "60000.00", None),
        # 50% × 3,000,000 = 1,500,000, provincial level capped at 500,000
        ("th-software-matching", {"superior_funding": "3000000", "level": "provincial"}, "500000.00", "cap_provincial"),
        ("th-dcmm", {"dcmm_level": "4"}, "100000.00", None),
        # 5% of 5,000,000.01 (just over the threshold) = 250,000.0005 → 250,000.00
        ("th-compute-subsidy", {"annual_contract_total": "5000000.01"}, "250000.00", None),
    ],
)
def test_hand_checked_amounts(catalogue, api_for, code, body, amount, capped_by):
    r = estimate(api_for(None), code, {**body, "date": ON})
    assert r.status_code == 200, r.content
    assert r.json()["eligible"] is True
    assert (r.json()["amount"], r.json()["capped_by"]) == (amount, capped_by)
    if code == "hp-revenue-growth":
        assert r.json()["parameters"]["tier2_per_unit"] == "40000.00"
        assert r.json()["parameters"]["min_growth_rate"] == "0.1"


def test_two_line_award_returns_both_lines(catalogue, api_for):
    from tests.factories import make_uscc

    body = {"contract_paid": "3000000", "supplier_uscc": make_uscc(1), "buyer_uscc": make_uscc(2), "date": ON}
    r = estimate(api_for(None), "th-scenario-demo", body)
    assert r.status_code == 200
    assert r.json()["amount"] == "600000.00"
    assert [(ln["line"], ln["amount"]) for ln in r.json()["lines"]] == [
        ("supplier", "300000.00"),
        ("buyer", "300000.00"),
    ]


def test_below_threshold_is_not_eligible_and_says_why(catalogue, api_for):
    r = estimate(
        api_for(None),
        "hp-revenue-growth",
        {"revenue_current": "660000000", "revenue_previous": "600000000", "date": ON},
    )
    assert r.status_code == 200
    body = r.json()
    assert body["eligible"] is False and body["amount"] == "0.00"
    assert any("未超过 10%" in reason for reason in body["reasons"])


def test_numbers_and_strings_give_identical_amounts(catalogue, api_for):
    client = api_for(None)
    as_strings = estimate(
        client, "hp-revenue-growth", {"revenue_current": "700000000.10", "revenue_previous": "500000000", "date": ON}
    ).json()
    as_numbers = estimate(
        client, "hp-revenue-growth", {"revenue_current": 700000000.10, "revenue_previous": 500000000, "date": ON}
    ).json()
    assert as_numbers == as_strings and as_numbers["amount"] == "800000.00"
    threshold_s = estimate(client, "th-compute-subsidy", {"annual_contract_total": "5000000.01", "date": ON}).json()
    threshold_n = estimate(client, "th-compute-subsidy", {"annual_contract_total": 5000000.01, "date": ON}).json()
    assert threshold_n == threshold_s and threshold_n["eligible"] is True


def test_json_numbers_are_never_binary_floats(catalogue, api_for):
    # 999999999999999.99 has 17 significant digits: as a binary float it would read 1e15 (refused as too
    # large) or lose its cents; parsed as a Decimal it is kept exactly.
    raw = b'{"eligible_cost": 999999999999999.99, "date": "2026-03-01"}'
    r = api_for(None).post("/api/v1/programs/hp-compute-voucher/estimate/", data=raw, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["uncapped_amount"] == "999999999999999.99"
    assert r.json()["amount"] == "500000.00" and r.json()["capped_by"] == "cap_per_enterprise_period"
    parsed = DecimalJSONParser().parse(io.BytesIO(b'{"a": 0.1, "b": 7}'), parser_context={})
    assert parsed == {"a": Decimal("0.1"), "b": 7} and isinstance(parsed["a"], Decimal)


@pytest.mark.parametrize(
    ("code", "body", "field", "message"),
    [
        ("hp-revenue-growth", {"revenue_current": "700000000"}, "revenue_previous", "请填写"),
        ("hp-revenue-growth", {"revenue_current": "700000000", "revenue_previous": ""}, "revenue_previous", "请填写"),
        ("hp-revenue-growth", {"revenue_current": "-1", "revenue_previous": "5"}, "revenue_current", "不能为负数"),
        ("hp-revenue-growth", {"revenue_current": -1, "revenue_previous": 5}, "revenue_current", "不能为负数"),
        ("hp-revenue-growth", {"revenue_current": "七亿", "revenue_previous": "5"}, "revenue_current", "须为数字"),
        ("hp-revenue-growth", {"revenue_current": True, "revenue_previous": "5"}, "revenue_current", "须为数字"),
        ("hp-revenue-growth", {"revenue_current": [1], "revenue_previous": "5"}, "revenue_current", "须为数字"),
        ("hp-revenue-growth", {"revenue_current": "1.001", "revenue_previous": "5"}, "revenue_current", "两位小数"),
        ("hp-revenue-growth", {"revenue_current": "1" + "0" * 30, "revenue_previous": "5"}, "revenue_current", "过大"),
        ("hp-revenue-growth", {"revenue_current": 1e300, "revenue_previous": "5"}, "revenue_current", "过大"),
        ("hp-revenue-growth", {"revenue_current": "1", "revenue_previous": "5", "bonus": "1"}, "bonus", "未知字段"),
        ("th-software-matching", {"superior_funding": "100", "level": "county"}, "level", "选项无效"),
        ("th-dcmm", {"dcmm_level": "6"}, "dcmm_level", "选项无效"),
        (
            "th-scenario-demo",
            {"contract_paid": "1", "supplier_uscc": "91440101MA5CKGXK1X", "buyer_uscc": "x"},
            "buyer_uscc",
            "统一社会信用代码",
        ),
        (
            "hp-model-genai-filing",
            {"first_national_genai_filing": "maybe", "demonstration_scenario": True},
            "first_national_genai_filing",
            "须为是或否",
        ),
    ],
)
def test_bad_input_is_400_with_a_message_per_field(catalogue, api_for, code, body, field, message):
    r = estimate(api_for(None), code, {**body, "date": ON})
    assert r.status_code == 400, r.content
    assert message in r.json()[field][0]


@pytest.mark.parametrize(
    ("code", "date", "message"),
    [
        ("hp-revenue-growth", "2025-06-26", "不在政策有效期内"),  # the day before hp2025 took effect
        ("th-dcmm", "2027-01-01", "不在政策有效期内"),  # the day after th2024 ends
        ("th-dcmm", "2026-02-30", "日期格式"),
        ("th-dcmm", "下个月", "日期格式"),
        ("th-dcmm", 20260301, "日期格式"),
    ],
)
def test_a_date_outside_the_policy_or_malformed_is_400(catalogue, api_for, code, date, message):
    body = (
        {"revenue_current": "700000000", "revenue_previous": "500000000"}
        if code.startswith("hp")
        else {"dcmm_level": "3"}
    )
    r = estimate(api_for(None), code, {**body, "date": date})
    assert r.status_code == 400
    assert message in r.json()["date"][0]


def test_bodies_that_are_not_an_object_are_400(catalogue, api_for):
    client = api_for(None)
    for raw in (b"[1, 2]", b'"700000000"', b"{not json", b'{"eligible_cost": NaN}', b'{"eligible_cost": Infinity}'):
        r = client.post("/api/v1/programs/hp-compute-voucher/estimate/", data=raw, content_type="application/json")
        assert r.status_code == 400, raw
    r = client.post("/api/v1/programs/hp-compute-voucher/estimate/", data={"eligible_cost": "1"})
    assert r.status_code == 415  # JSON only; never a 500


def test_a_members_prior_awards_reduce_the_estimate(catalogue, api_for, owner_a, owner_b, enterprise_a):
    programme = catalogue["hp-compute-voucher"]
    prior_award(
        enterprise=enterprise_a, programme=programme, amount="400000", decided_on=dt.date(2026, 1, 10), user=owner_a
    )
    body = {"eligible_cost": "300000", "date": ON}
    anonymous = estimate(api_for(None), "hp-compute-voucher", body).json()
    assert anonymous["amount"] == "300000.00" and anonymous["prior_awards_counted"] is False
    mine = estimate(api_for(owner_a), "hp-compute-voucher", body).json()
    # 500,000 over the policy period − 400,000 already awarded = 100,000 left
    assert mine["amount"] == "100000.00" and mine["capped_by"] == "cap_per_enterprise_period"
    assert mine["prior_awards_counted"] is True
    assert any("400,000.00" in s["expression"] for s in mine["steps"])
    # enterprise B's member is not charged with A's award
    theirs = estimate(api_for(owner_b), "hp-compute-voucher", body).json()
    assert theirs["amount"] == "300000.00"


def test_once_only_programme_refuses_a_member_who_had_it(catalogue, api_for, owner_a, enterprise_a):
    prior_award(
        enterprise=enterprise_a,
        programme=catalogue["hp-model-genai-filing"],
        amount="1000000",
        decided_on=dt.date(2025, 12, 1),
        user=owner_a,
    )
    r = estimate(
        api_for(owner_a),
        "hp-model-genai-filing",
        {"first_national_genai_filing": True, "demonstration_scenario": True, "date": ON},
    )
    assert r.status_code == 200
    assert r.json()["eligible"] is False and any("一次性" in x for x in r.json()["reasons"])


def test_a_parameter_changed_from_a_date_is_used_from_that_date(catalogue, api_for, bureau_admin):
    from vouchers.services.catalogue import parameter_set

    parameter_set(
        actor=bureau_admin,
        programme=catalogue["hp-data-trading"],
        name="rate",
        value=Decimal("0.02"),
        effective_from=dt.date(2027, 1, 1),
        clause="2027年度申报指南",
    )
    client = api_for(None)
    before = estimate(client, "hp-data-trading", {"annual_listed_trading": "2000000", "date": "2026-12-31"}).json()
    after = estimate(client, "hp-data-trading", {"annual_listed_trading": "2000000", "date": "2027-01-01"}).json()
    assert (before["amount"], after["amount"]) == ("60000.00", "40000.00")


def test_estimating_writes_nothing(catalogue, api_for, owner_a):
    counts = (Programme.objects.count(), ParameterValue.objects.count())
    for user in (None, owner_a):
        estimate(
            api_for(user),
            "hp-revenue-growth",
            {"revenue_current": "700000000", "revenue_previous": "500000000", "date": ON},
        )
    assert (Programme.objects.count(), ParameterValue.objects.count()) == counts


def test_session_users_need_the_csrf_token(catalogue, owner_a):
    # SessionAuthentication keeps CSRF on for signed-in users; anonymous callers need none.
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner_a, backend="portal.backends.EmailOrUsernameBackend")
    r = client.post(
        "/api/v1/programs/hp-data-trading/estimate/",
        data=json.dumps({"annual_listed_trading": "2000000", "date": ON}),
        content_type="application/json",
    )
    assert r.status_code == 403
    anonymous = APIClient(enforce_csrf_checks=True)
    r = anonymous.post(
        "/api/v1/programs/hp-data-trading/estimate/",
        data=json.dumps({"annual_listed_trading": "2000000", "date": ON}),
        content_type="application/json",
    )
    assert r.status_code == 200


def test_the_schema_documents_the_endpoints(api_for, bureau_admin):
    r = api_for(None).get("/api/schema/?format=json")
    assert r.status_code == 200
    paths = json.loads(r.content)["paths"]
    assert "/api/v1/programs/{code}/estimate/" in paths
    assert "post" in paths["/api/v1/programs/{code}/estimate/"]
